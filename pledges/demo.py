"""Realistic demo pledges for `make run`: hundreds across the neighbourhoods since the Charter
launched, in every state an officer meets. Development only.

Made through the pledge services, as pledgers and the demo officer would make them, so they obey
the same rules and have the same side effects (events, emails in the outbox) as any pledge.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from neighbourhoods.models import Council, PostcodeLookup, Ward
from outbox.models import OutboundEmail
from outbox.services import emails_record_sent
from pledges.models import (
    Commitment,
    OrganisationSize,
    Pledge,
    PledgerType,
    PledgeSource,
    PledgeStatus,
    RejectionReason,
)
from pledges.services import (
    PledgeAnswers,
    UpdateAnswers,
    pledge_confirm,
    pledge_publish,
    pledge_reject,
    pledge_submit,
    pledge_update_submit,
    pledge_updates_moderate,
    pledge_withdraw,
)
from pledges.tokens import confirmation_token_make

DEMO_KEY_PREFIX = "demo:"
# The demo user who moderates the demo pledges (charter_portal.demo makes it).
DEMO_OFFICER = "officer"
CHARTER_LAUNCH = datetime.datetime(2020, 7, 8, 10, 0, tzinfo=datetime.UTC)

FIRST_NAMES = ["Amara", "Ben", "Chloe", "Dev", "Eilidh", "Farah", "George", "Hana", "Isaac",
               "Jas", "Kofi", "Lucy", "Mo", "Niamh", "Oliver", "Priya", "Rory", "Sade", "Tom",
               "Una", "Vik", "Wendy", "Yusuf", "Zara"]  # fmt: skip
SURNAMES = ["Ahmed", "Brown", "Clarke", "Davies", "Evans", "Fraser", "Green", "Hughes", "Iqbal",
            "Jones", "Khan", "Lewis", "Murphy", "Nowak", "Okafor", "Patel", "Quinn", "Reid",
            "Singh", "Taylor", "Walsh", "Young"]  # fmt: skip
ORGANISATIONS = {
    PledgerType.BUSINESS: ["{} Print Co-op", "{} Bakery", "{} Builders", "{} Accountants",
                           "{} Garden Centre", "{} Cycles", "{} Engineering Ltd",
                           "{} Hair and Beauty", "{} Cafe", "{} Software"],
    PledgerType.COMMUNITY: ["{} Community Association", "{} Food Bank", "{} Youth Club",
                            "Friends of {} Park", "{} Repair Cafe", "{} Credit Union"],
    # Named after a place in the pledge's own neighbourhood; nothing the town has only one of
    # (its fire station is in the town centre), so no place is given one it does not have.
    PledgerType.PUBLIC_SECTOR: ["{} Health Centre", "{} Housing Co-operative",
                                "{} Library"],
    PledgerType.EDUCATION: ["{} Primary School", "{} Academy", "{} Nursery"],
}  # fmt: skip
PLEDGE_TEXTS = {
    "careers-advice": "We will give careers talks and mock interviews at {place} schools this year.",
    "mentoring-self-employment": "I will mentor someone in {place} who wants to start their own business.",
    "work-placements": "We will offer {n} work placements a year for people who need extra support.",
    "disability-confident": "We will become a Disability Confident employer and help {n} local firms do the same.",
    "shop-local-volunteer": "I will shop at the {place} shops every week and volunteer {n} hours a month.",
    "barriers-to-training": "We will run free evening courses in {place}, with childcare provided.",
    "buy-local": "We will buy at least {n}% of our supplies from {area} businesses.",
    "support-cooperatives": "We will give co-operatives starting out in {place} free meeting space.",
    "charity-wellbeing-training": "We will commission a local charity to run wellbeing training for our staff.",
    "pooled-budgets": "We will set aside a budget and let {place} residents decide how it is spent.",
    "local-supply-chains": "We will work with other buyers to help {n} local firms into our supply chain.",
    "cut-carbon": "We will cut our carbon emissions by {n}% and switch to electric vans.",
}  # fmt: skip
TARGETS = ["4 work placements a year", "30% of our spend with local suppliers",
           "100 volunteer hours", "2 mentees", "10 careers talks", ""]  # fmt: skip
STATUS_MIX = [(PledgeStatus.PUBLISHED, 0.86), (PledgeStatus.CONFIRMED, 0.05),
              (PledgeStatus.HELD, 0.02), (PledgeStatus.UNCONFIRMED, 0.03),
              (PledgeStatus.REJECTED, 0.02), (PledgeStatus.WITHDRAWN, 0.02)]  # fmt: skip
WAITING = (PledgeStatus.CONFIRMED, PledgeStatus.HELD, PledgeStatus.UNCONFIRMED)
DATES = ["created_at", "confirmed_at", "published_at", "moderated_at", "withdrawn_at"]
TYPE_MIX = [(PledgerType.RESIDENT, 0.45), (PledgerType.BUSINESS, 0.25),
            (PledgerType.COMMUNITY, 0.15), (PledgerType.PUBLIC_SECTOR, 0.07),
            (PledgerType.EDUCATION, 0.08)]  # fmt: skip


def _pick(rng: random.Random, mix):
    return rng.choices([value for value, _ in mix], weights=[w for _, w in mix])[0]


def _created_at(rng: random.Random, index: int, count: int, now: datetime.datetime):
    # A launch burst (about 90 in the first 100 days), then a steady trickle to today.
    if index < 92:
        return CHARTER_LAUNCH + datetime.timedelta(days=rng.uniform(0, 98))
    span = (now - CHARTER_LAUNCH - datetime.timedelta(days=100)).total_seconds()
    return CHARTER_LAUNCH + datetime.timedelta(days=100, seconds=rng.uniform(0, span))


@dataclass
class _Planned:
    """One demo pledge: the pledger's answers, the state it ends in, and its dates."""

    answers: PledgeAnswers
    status: str
    source: str
    created: datetime.datetime
    confirmed: datetime.datetime
    decided: datetime.datetime


@dataclass(frozen=True)
class _Area:
    """Where a demo pledge is: its neighbourhood (None for the whole town), the places its text
    and organisation may name (the neighbourhood's wards, or the town), its pledgers' postcodes."""

    neighbourhood_id: int | None
    places: tuple[str, ...]
    postcodes: tuple[str, ...]


def _areas(council: Council) -> tuple[list[_Area], _Area]:
    """Each neighbourhood with the names of its wards (then and now) and the postcodes the lookup
    places in them; and the whole town."""
    places: dict[int, set[str]] = {}
    wards = Ward.objects.filter(neighbourhood__council=council)
    for neighbourhood_id, name in wards.values_list("neighbourhood_id", "name"):
        places.setdefault(neighbourhood_id, set()).add(name)
    postcodes: dict[int, list[str]] = {}
    lookups = PostcodeLookup.objects.filter(
        ward__neighbourhood__council=council, terminated__isnull=True
    ).order_by("postcode")
    for neighbourhood_id, postcode in lookups.values_list("ward__neighbourhood_id", "postcode"):
        postcodes.setdefault(neighbourhood_id, []).append(postcode)
    areas = [
        _Area(
            neighbourhood.pk,
            tuple(sorted(places.get(neighbourhood.pk, ())) or (neighbourhood.name,)),
            tuple(postcodes.get(neighbourhood.pk, ())),
        )
        for neighbourhood in council.neighbourhoods.order_by("order", "name")
    ]
    town = _Area(None, (council.area_name,), tuple(p for area in areas for p in area.postcodes))
    return areas, town


def _plan(rng: random.Random, index: int, count: int, *, now, areas, town, commitments, reason):
    pledger_type = _pick(rng, TYPE_MIX)
    status = _pick(rng, STATUS_MIX) if index >= 92 else PledgeStatus.PUBLISHED
    if status == PledgeStatus.REJECTED and reason is None:
        status = PledgeStatus.CONFIRMED
    # One story: the places a pledge names are in its own neighbourhood, and so is its pledger.
    area = rng.choice(areas) if rng.random() < 0.85 and areas else town
    place = rng.choice(area.places)
    person = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
    if pledger_type == PledgerType.RESIDENT:
        display_name, show_name = person, rng.random() < 0.4
    else:
        display_name = rng.choice(ORGANISATIONS[pledger_type]).format(place)
        show_name = rng.random() < 0.9
    picked = rng.sample(commitments, k=rng.choice([1, 1, 2, 3]))
    created = _created_at(rng, index, count, now)
    confirmed = created + datetime.timedelta(hours=rng.uniform(0.1, 30))
    decided = min(confirmed + datetime.timedelta(days=rng.uniform(0.5, 6)), now)
    if status in WAITING:
        # Still waiting: recent.
        created = now - datetime.timedelta(days=rng.uniform(0.2, 9))
        confirmed = created + datetime.timedelta(hours=2)
    answers = PledgeAnswers(
        pledger_type=pledger_type,
        organisation_size=(
            rng.choice(OrganisationSize.values) if pledger_type == PledgerType.BUSINESS else ""
        ),
        display_name=display_name,
        show_name=show_name,
        contact_name=person,
        email=f"{person.lower().replace(' ', '.')}.{index}@example.invalid",
        postcode=rng.choice([*area.postcodes[:6], ""]) if area.postcodes else "",
        contact_consent=rng.random() < 0.6,
        neighbourhood_id=area.neighbourhood_id,
        text=PLEDGE_TEXTS.get(picked[0].code, "We will play our part.").format(
            place=place, area=town.places[0], n=rng.choice([2, 4, 5, 10, 20, 30])
        ),
        target=rng.choice(TARGETS),
        commitment_ids=[c.pk for c in picked],
    )
    source = PledgeSource.ONLINE if rng.random() < 0.9 else PledgeSource.PAPER
    if status in (PledgeStatus.UNCONFIRMED, PledgeStatus.HELD):
        # Only an online pledge waits for its email link or trips the rate rule.
        source = PledgeSource.ONLINE
    return _Planned(answers, status, source, created, confirmed, decided)


@transaction.atomic
def demo_pledges_ensure(*, council: Council, count: int = 420, seed: int = 2020) -> int:
    """Create the demo pledges once; return how many exist. Idempotent.

    Each is submitted, confirmed and moderated through the pledge services, so it has the events,
    the emails in the outbox and the search vector any pledge has; then its dates are moved back
    to when the story says it happened, since the services stamp everything with now.
    """
    existing = Pledge.objects.filter(submission_key__startswith=DEMO_KEY_PREFIX).count()
    if existing:
        return existing
    officer = get_user_model().objects.filter(username=DEMO_OFFICER).first()
    if officer is None:
        raise ValueError("The demo pledges are moderated by the demo officer: create it first.")
    rng = random.Random(seed)
    now = timezone.now()
    areas, town = _areas(council)
    commitments = list(Commitment.objects.filter(is_active=True))
    reason = RejectionReason.objects.order_by("pk").first()
    plans = [
        _plan(
            rng,
            index,
            count,
            now=now,
            areas=areas,
            town=town,
            commitments=commitments,
            reason=reason,
        )
        for index in range(count)
    ]
    pledges = []
    connection = ""
    for index, plan in enumerate(plans):
        paper = plan.source == PledgeSource.PAPER
        if not paper and (plan.status != PledgeStatus.HELD or not connection):
            # A connection of its own; a held pledge shares the last one, so the rate rule
            # of the service holds it.
            connection = f"2001:db8::{index:x}"
        outcome = pledge_submit(
            answers=plan.answers,
            ip_address="" if paper else connection,
            submission_key=f"{DEMO_KEY_PREFIX}{index}",
            source=plan.source,
            actor=officer if paper else None,
        )
        pledge = outcome.pledge
        if not paper and plan.status != PledgeStatus.UNCONFIRMED:
            pledge_confirm(
                token=confirmation_token_make(
                    reference=pledge.reference, nonce=pledge.confirmation_nonce
                )
            )
        pledges.append(pledge)
    ending = {status: [] for status in PledgeStatus.values}
    for plan, pledge in zip(plans, pledges, strict=True):
        ending[plan.status].append(pledge)
    pledge_publish(pledges=ending[PledgeStatus.PUBLISHED], actor=officer)
    if ending[PledgeStatus.REJECTED]:
        pledge_reject(pledges=ending[PledgeStatus.REJECTED], actor=officer, reason=reason)
    for pledge in ending[PledgeStatus.WITHDRAWN]:
        pledge_withdraw(pledge=pledge)
    _history_backdate(plans, pledges)
    _demo_updates(rng, ending[PledgeStatus.PUBLISHED], officer)
    _emails_backdate(pledges)
    return len(pledges)


# When, in the story, each kind of email about a pledge went; any other (an update published:
# the demo's updates are moderated today) went now.
EMAIL_DATES = {
    "confirm": "created_at",
    "published": "published_at",
    "rejected": "moderated_at",
    "withdrawn": "withdrawn_at",
}


def _emails_backdate(pledges: list[Pledge]) -> None:
    """The story's emails went when it happened: recorded as sent then, so that the worker of
    `make run` has nothing of the past to send."""
    by_pk = {pledge.pk: pledge for pledge in pledges}
    emails = OutboundEmail.objects.filter(
        about_type=ContentType.objects.get_for_model(Pledge), about_id__in=list(by_pk)
    ).values_list("pk", "about_id", "kind")
    now = timezone.now()
    emails_record_sent(
        sent_at={
            pk: (getattr(by_pk[about_id], EMAIL_DATES[kind]) or by_pk[about_id].created_at)
            if kind in EMAIL_DATES
            else now
            for pk, about_id, kind in emails
        }
    )


def _history_backdate(plans: list[_Planned], pledges: list[Pledge]) -> None:
    """Move each demo pledge's dates from now back to its story."""
    stamped = Pledge.objects.only(*DATES).in_bulk([p.pk for p in pledges])
    for plan, pledge in zip(plans, pledges, strict=True):
        for name in DATES:
            setattr(pledge, name, getattr(stamped[pledge.pk], name))
        pledge.created_at = plan.created
        if pledge.confirmed_at:
            pledge.confirmed_at = plan.confirmed
        for name in ("published_at", "moderated_at", "withdrawn_at"):
            if getattr(pledge, name):
                setattr(pledge, name, plan.decided)
    # The audit trail keeps when each step really happened (it is not back-dated): the story's
    # dates are the pledges' own.
    Pledge.objects.bulk_update(pledges, DATES, batch_size=500)


def _demo_updates(rng: random.Random, published: list[Pledge], officer) -> None:
    """Progress reported on some published pledges, most of it moderated and published."""
    to_publish = []
    for pledge in rng.sample(published, k=min(len(published), 140)):
        for _ in range(rng.choice([1, 1, 2])):
            publish = rng.random() < 0.9
            update = pledge_update_submit(
                pledge=pledge,
                answers=UpdateAnswers(
                    text=rng.choice(
                        [
                            "We hosted two young people on placements this term.",
                            "Our team volunteered at the food bank every Saturday.",
                            "We switched our stationery order to a Stevenage supplier.",
                            "We gave careers talks to three Year 10 classes.",
                        ]
                    ),
                    hours_volunteered=rng.choice([None, 6, 12, 40, 120]),
                    people_supported=rng.choice([None, 2, 5, 15, 60]),
                    placements_offered=rng.choice([None, 1, 2, 4]),
                    spent_locally=rng.choice([None, Decimal("850.00"), Decimal("12500.00")]),
                ),
            )
            if publish:
                to_publish.append(update)
    pledge_updates_moderate(updates=to_publish, actor=officer, publish=True)
