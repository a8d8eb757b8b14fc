"""The pledge journey's state: answers kept in the session between question pages.

Each step names the answers it sets; a step applies only when earlier answers call for it
(business size for businesses, postcode when the pledger does not know their area).
"""

import datetime
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from pledges.forms import TOWN_WIDE, USE_POSTCODE
from pledges.models import PledgerType

SESSION_KEY = "pledge_journey"


@dataclass(frozen=True)
class Step:
    name: str  # the URL name in the pledges namespace
    answers: tuple[str, ...]
    title: str

    def applies(self, answers: dict) -> bool:
        if self.name == "size":
            return answers.get("pledger_type") == PledgerType.BUSINESS
        if self.name == "postcode":
            return answers.get("area") == USE_POSTCODE
        return True


STEPS = [
    Step("start", ("pledger_type",), "Who are you pledging as?"),
    Step("size", ("organisation_size",), "How many people work for your business?"),
    Step("name", ("display_name", "show_name"), "Your name"),
    Step("area", ("area",), "Where will your pledge make a difference?"),
    Step("postcode", ("postcode",), "What is your postcode?"),
    Step("commitments", ("commitment_ids",), "What will you commit to?"),
    Step("words", ("text",), "Your pledge in your own words"),
    Step("email", ("email",), "How can we confirm your pledge?"),
]
STEP_BY_NAME = {step.name: step for step in STEPS}


class Journey:
    def __init__(self, session):
        self.session = session
        self.state = session.get(SESSION_KEY) or {"key": uuid.uuid4().hex, "answers": {}}

    @property
    def answers(self) -> dict:
        return self.state["answers"]

    @property
    def submission_key(self) -> str:
        return self.state["key"]

    def save(self, **answers) -> None:
        self.answers.update(answers)
        # Answers a change has made irrelevant must not linger into the pledge.
        if self.answers.get("pledger_type") != PledgerType.BUSINESS:
            self.answers.pop("organisation_size", None)
        if self.answers.get("pledger_type") == PledgerType.RESIDENT:
            self.answers.pop("contact_name", None)
        if self.answers.get("area") != USE_POSTCODE:
            self.answers.pop("postcode", None)
        self.session[SESSION_KEY] = self.state
        # Unfinished answers (name, email, postcode) must not live for the session's 14 days:
        # the session expires a day after the last answer. A signed-in user's session keeps
        # its own (shorter) rules.
        if "_auth_user_id" not in self.session:
            self.session.set_expiry(settings.PLEDGE_JOURNEY_SESSION_MAX_AGE)

    def clear(self) -> None:
        self.session.pop(SESSION_KEY, None)

    def applicable_steps(self) -> list[Step]:
        return [step for step in STEPS if step.applies(self.answers)]

    def is_answered(self, step: Step) -> bool:
        return all(key in self.answers for key in step.answers)

    def first_unanswered(self, *, before: str | None = None) -> Step | None:
        for step in self.applicable_steps():
            if step.name == before:
                return None
            if not self.is_answered(step):
                return step
        return None

    def previous(self, name: str) -> str | None:
        names = [step.name for step in self.applicable_steps()]
        index = names.index(name) if name in names else 0
        return names[index - 1] if index > 0 else None

    def next(self, name: str) -> str:
        names = [step.name for step in self.applicable_steps()]
        later = names[names.index(name) + 1 :] if name in names else []
        return later[0] if later else "check"

    def neighbourhood_slug(self) -> str | None:
        area = self.answers.get("area")
        if area in (None, TOWN_WIDE):
            return None
        if area == USE_POSTCODE:
            return self.answers.get("postcode_neighbourhood")
        return area


# What the journey last sent, for "Check your email" (the address, and resending): the
# pledger's own session, kept no longer than the journey's answers were.
SENT_KEY = "pledge_sent"


def journey_sent_record(session, *, email: str, pledge_id: int | None) -> None:
    session[SENT_KEY] = {"email": email, "pledge_id": pledge_id}
    if "_auth_user_id" not in session:
        session.set_expiry(settings.PLEDGE_JOURNEY_SESSION_MAX_AGE)


def journey_sent(session) -> dict | None:
    """{"email", "pledge_id"} of what the journey last sent in this session, or None."""
    sent = session.get(SENT_KEY)
    return sent if isinstance(sent, dict) and sent.get("email") else None


def journey_sessions_expire(*, now: datetime.datetime | None = None) -> int:
    """Bring forward the expiry of stored sessions that hold journey answers but would outlive
    the journey's maximum age (those saved before journeys had one), so the daily clearing of
    expired sessions deletes them in time. One pass over the session table; returns how many."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    now = now or timezone.now()
    latest = now + datetime.timedelta(seconds=settings.PLEDGE_JOURNEY_SESSION_MAX_AGE)
    store = SessionStore()
    keys = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=latest).iterator(chunk_size=500)
        if SESSION_KEY in (data := store.decode(session.session_data))
        and "_auth_user_id" not in data
    ]
    return Session.objects.filter(session_key__in=keys).update(expire_date=latest)
