"""Writes for the pledge journey and its moderation. Each function is one transaction."""

import datetime
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from audit.access import personal_data_viewed
from audit.models import ConsentChange, PersonalDataView
from audit.trail import (
    trail_pseudonymise_fields,
    trail_pseudonymise_values,
    trail_reason,
    trail_step,
)
from metrics.models import Foundation
from neighbourhoods.models import Neighbourhood
from outbox.erasure import emails_erase_about
from outbox.models import OutboundEmail
from pledges.emails import pledge_email_queue
from pledges.models import (
    Campaign,
    Commitment,
    ModerationAction,
    Pledge,
    PledgeEvent,
    PledgerType,
    PledgeSource,
    PledgeStatus,
    PledgeUpdate,
    RejectionReason,
)
from pledges.tokens import (
    confirmation_token_make,
    confirmation_token_read,
    ip_address_hash,
    new_secret,
    secret_hash,
)
from pledges.workflows import (
    CONFIRM,
    HOLD,
    PLEDGE_WORKFLOW,
    PUBLISH,
    REJECT,
    REPORT_PROGRESS,
    UPDATE_PUBLISH,
    UPDATE_REJECT,
    UPDATE_WORKFLOW,
    WITHDRAW,
)


@transaction.atomic
def commitments_load(*, commitments: Sequence[Mapping[str, Any]]) -> list[Commitment]:
    """Create or update the Charter's commitments by code, in the order given. Idempotent.

    Each item names its foundation by code, so foundations must be loaded first.
    """
    foundations = {f.code: f for f in Foundation.objects.all()}
    loaded = []
    for order, data in enumerate(commitments, start=1):
        commitment = Commitment.objects.filter(code=data["code"]).first()
        commitment = commitment or Commitment(code=data["code"])
        commitment.title = data["title"]
        commitment.benefit = data["benefit"]
        commitment.foundation = foundations[data["foundation"]]
        commitment.help_text = data.get("help_text", "")
        commitment.order = data.get("order", order)
        commitment.full_clean()
        commitment.save()
        loaded.append(commitment)
    return loaded


@dataclass(frozen=True)
class PledgeAnswers:
    """What a pledger answered in the journey (or an officer typed from a paper form)."""

    pledger_type: str
    display_name: str
    show_name: bool
    email: str
    text: str
    commitment_ids: Sequence[int]
    organisation_size: str = ""
    contact_name: str = ""
    neighbourhood_id: int | None = None
    postcode: str = ""
    target: str = ""
    contact_consent: bool = False


class SubmitResult(Enum):
    CREATED = "created"
    HELD = "held"  # created, but an abuse rule tripped: an officer must review it
    DUPLICATE = "duplicate"  # same email and text recently: no new pledge, "already pledged"
    RESUBMITTED = "resubmitted"  # the same journey posted again: the first pledge stands


@dataclass(frozen=True)
class SubmitOutcome:
    result: SubmitResult
    pledge: Pledge | None = None
    manage_token: str | None = field(default=None, repr=False)


def _normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def duplicate_fingerprint(*, email: str, text: str) -> str:
    return hashlib.sha256(f"{_normalised(email)}\n{_normalised(text)}".encode()).hexdigest()


def _advisory_lock(key: str) -> None:
    """Serialise submissions that share a key (an IP hash, a fingerprint) until commit."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])


HIDDEN_FIELD_HOLD_REASON = (
    "The hidden anti-spam field was filled in (by a bot, or by a browser's autofill)"
)


def _hold_reason(*, ip_hash: str, now: datetime.datetime) -> str:
    for most, seconds in settings.PLEDGE_RATE_LIMITS:
        since = now - datetime.timedelta(seconds=seconds)
        recent = Pledge.objects.filter(ip_hash=ip_hash, created_at__gte=since).count()
        if recent >= most:
            noun = "pledge" if most == 1 else "pledges"
            return f"More than {most} {noun} from one connection in {seconds} seconds"
    return ""


def _moderation_step(
    action: str,
    *,
    actor: User | None = None,
    reason: RejectionReason | None = None,
    note: str = "",
    why: str = "",
):
    """The audit trail's context for the writes of one moderation step: the action, who acted
    (when a service is told; otherwise the request's user), the rejection reason and the note.
    `pledges.selectors.pledge_moderation_history` reads them back."""
    details: dict[str, Any] = {}
    if reason is not None:
        details["rejection_reason"] = reason.title
    if note:
        details["note"] = note
    return trail_step(action, actor=actor, reason=why or note, **details)


def _site_link(name: str, *args: str) -> str:
    return f"{settings.CHARTER_SITE_URL}{reverse(name, args=args)}"


@transaction.atomic
def pledge_submit(
    *,
    answers: PledgeAnswers,
    ip_address: str,
    submission_key: str,
    source: str = PledgeSource.ONLINE,
    actor: User | None = None,
    hidden_field_filled: bool = False,
) -> SubmitOutcome:
    """Make a pledge from the journey's answers and email its confirmation link.

    Never drops a real submission: one that trips a rate rule, or whose hidden anti-spam field
    was filled (a bot, or a person's autofill), is kept and held for review.
    """
    now = timezone.now()
    _advisory_lock(f"submission:{submission_key}")
    existing = Pledge.objects.filter(submission_key=submission_key).first()
    if existing:
        return SubmitOutcome(SubmitResult.RESUBMITTED, existing)

    fingerprint = duplicate_fingerprint(email=answers.email, text=answers.text)
    _advisory_lock(f"fingerprint:{fingerprint}")
    window = now - datetime.timedelta(hours=settings.PLEDGE_DUPLICATE_WINDOW_HOURS)
    earlier = Pledge.objects.filter(duplicate_fingerprint=fingerprint, created_at__gte=window)
    if source == PledgeSource.ONLINE and (first := earlier.order_by("created_at").first()):
        # To the address typed, which is the earlier pledge's: with that pledge's manage link.
        pledge_email_queue(
            to=answers.email, kind="already_pledged", context={"pledge": first}, pledge=first
        )
        return SubmitOutcome(SubmitResult.DUPLICATE, first)
    if source != PledgeSource.ONLINE and answers.email.strip():
        # Typed in by an officer: the same person's same words are recognised as online (many
        # paper pledges have no email, and the same short words from two people are two pledges).
        # The officer is told which pledge it is; the pledger is not emailed.
        first = earlier.order_by("created_at").first()
        if first is not None:
            return SubmitOutcome(SubmitResult.DUPLICATE, first)

    ip_hash = ip_address_hash(ip_address) if ip_address else ""
    hold_reason = ""
    if ip_hash and source == PledgeSource.ONLINE:
        _advisory_lock(f"ip:{ip_hash}")
        hold_reason = _hold_reason(ip_hash=ip_hash, now=now)
    if hidden_field_filled and not hold_reason:
        hold_reason = HIDDEN_FIELD_HOLD_REASON

    manage_token = new_secret()
    pledge = Pledge(
        pledger_type=answers.pledger_type,
        organisation_size=answers.organisation_size,
        display_name=answers.display_name.strip(),
        show_name=answers.show_name,
        contact_name=answers.contact_name.strip(),
        email=answers.email.strip(),
        postcode=answers.postcode,
        contact_consent=answers.contact_consent,
        ip_hash=ip_hash,
        neighbourhood=(
            Neighbourhood.objects.get(pk=answers.neighbourhood_id)
            if answers.neighbourhood_id
            else None
        ),
        text=answers.text.strip(),
        target=answers.target.strip(),
        source=source,
        hold_reason=hold_reason,
        submission_key=submission_key,
        duplicate_fingerprint=fingerprint,
        confirmation_nonce=new_secret()[:32],
        manage_token_hash=secret_hash(manage_token),
    )
    pledge.full_clean(exclude=["commitments"])
    with _moderation_step(ModerationAction.SUBMITTED, actor=actor, note=hold_reason):
        pledge.save()
        pledge.commitments.set(Commitment.objects.filter(pk__in=answers.commitment_ids))

    if source == PledgeSource.ONLINE:
        _confirmation_email_queue(pledge, manage_url=_site_link("pledges:manage", manage_token))
    else:
        # A paper pledge was confirmed on paper: it goes straight to moderation.
        _confirm(pledge, now=now, actor=actor)
    result = SubmitResult.HELD if hold_reason else SubmitResult.CREATED
    return SubmitOutcome(result, pledge, manage_token)


def _confirmation_email_queue(pledge: Pledge, *, manage_url: str | None = None) -> OutboundEmail:
    """The email with the pledge's confirmation link (and a manage link: a new one unless
    given), capped per address."""
    context = {
        "pledge": pledge,
        "confirm_url": _site_link(
            "pledges:confirm",
            confirmation_token_make(reference=pledge.reference, nonce=pledge.confirmation_nonce),
        ),
        "expires_days": settings.PLEDGE_CONFIRMATION_MAX_AGE // 86400,
    }
    if manage_url:
        context["manage_url"] = manage_url
    return pledge_email_queue(to=pledge.email, kind="confirm", pledge=pledge, context=context)


class ResendResult(Enum):
    SENT = "sent"
    CAPPED = "capped"  # the address had as many emails as the cap allows: none sent
    NOT_NEEDED = "not_needed"  # confirmed (or closed, or erased) since: no link to send


@transaction.atomic
def pledge_confirmation_resend(*, pledge_id: int | None, email: str) -> ResendResult:
    """Send again the email the journey sent: the confirmation link of a pledge still waiting
    for it (a fresh link, which works as long again), or, when the journey made no pledge (the
    same pledge sent twice), the "already pledged" notice to `email`. No new pledge; capped
    per address like the first email, so nobody floods an inbox through it."""
    if pledge_id is None:
        queued = pledge_email_queue(to=email, kind="already_pledged", context={})
    else:
        pledge = (
            Pledge.objects.select_for_update()
            .filter(pk=pledge_id, status=PledgeStatus.UNCONFIRMED)
            .exclude(confirmation_nonce="")
            .exclude(email="")
            .first()
        )
        if pledge is None:
            return ResendResult.NOT_NEEDED
        queued = _confirmation_email_queue(pledge)
    if queued.status == OutboundEmail.Status.CAPPED:
        return ResendResult.CAPPED
    return ResendResult.SENT


def _confirm(pledge: Pledge, *, now, actor=None) -> None:
    PLEDGE_WORKFLOW.check(CONFIRM, pledge, actor)
    PLEDGE_WORKFLOW.apply(CONFIRM, pledge)
    if pledge.hold_reason:
        # A rate rule tripped at submission: confirmed straight into the review queue.
        PLEDGE_WORKFLOW.check(HOLD, pledge, None, reason=pledge.hold_reason)
        PLEDGE_WORKFLOW.apply(HOLD, pledge)
    pledge.confirmed_at = now
    pledge.confirmation_nonce = ""
    # Confirmed, or (one write) confirmed straight into the review queue by the rate rule.
    step = (
        _moderation_step(ModerationAction.HELD, note=pledge.hold_reason)
        if pledge.hold_reason
        else _moderation_step(ModerationAction.CONFIRMED, actor=actor)
    )
    with step:
        pledge.save(update_fields=["status", "confirmed_at", "confirmation_nonce"])


class ConfirmResult(Enum):
    CONFIRMED = "confirmed"
    ALREADY_CONFIRMED = "already_confirmed"
    WITHDRAWN = "withdrawn"  # the link of a pledge its pledger has since withdrawn
    REJECTED = "rejected"  # the link of a pledge the Charter team did not publish
    EXPIRED = "expired"
    INVALID = "invalid"


def confirmation_link_state(
    *, token: str, for_update: bool = False
) -> tuple[ConfirmResult | None, Pledge | None]:
    """What a confirmation link would do, changing nothing: None (with the pledge) when it would
    confirm it, otherwise why not."""
    try:
        reference, nonce = confirmation_token_read(token)
    except signing.SignatureExpired:
        return ConfirmResult.EXPIRED, None
    except signing.BadSignature:
        return ConfirmResult.INVALID, None
    pledges = Pledge.objects.select_for_update() if for_update else Pledge.objects
    pledge = pledges.filter(reference=reference).first()
    if pledge is None:
        return ConfirmResult.INVALID, None
    # A closed pledge's link says what became of it, never "already confirmed".
    if pledge.status == PledgeStatus.WITHDRAWN:
        return ConfirmResult.WITHDRAWN, pledge
    if pledge.status == PledgeStatus.REJECTED:
        return ConfirmResult.REJECTED, pledge
    if not pledge.confirmation_nonce or pledge.confirmation_nonce != nonce:
        if pledge.confirmed_at:
            return ConfirmResult.ALREADY_CONFIRMED, pledge
        return ConfirmResult.INVALID, None
    return None, pledge


@transaction.atomic
def pledge_confirm(*, token: str) -> tuple[ConfirmResult, Pledge | None]:
    """Confirm a pledge from its email link: signed, expires, works once."""
    result, pledge = confirmation_link_state(token=token, for_update=True)
    if result is not None or pledge is None:
        return result or ConfirmResult.INVALID, pledge
    _confirm(pledge, now=timezone.now())
    return ConfirmResult.CONFIRMED, pledge


# The moderation queue: the pledges an officer may publish.
MODERATABLE = PLEDGE_WORKFLOW.states_from(PUBLISH)


@transaction.atomic
def pledge_publish(*, pledges: Iterable[Pledge], actor: User) -> int:
    """Publish confirmed or held pledges and tell each pledger. Returns how many changed."""
    now = timezone.now()
    published = 0
    for pledge in Pledge.objects.select_for_update().filter(
        pk__in=[p.pk for p in pledges], status__in=PLEDGE_WORKFLOW.states_from(PUBLISH)
    ):
        PLEDGE_WORKFLOW.check(PUBLISH, pledge, actor)
        PLEDGE_WORKFLOW.apply(PUBLISH, pledge)
        pledge.published_at = now
        pledge.moderated_at = now
        pledge.rejection_reason = None
        with _moderation_step(ModerationAction.PUBLISHED, actor=actor):
            pledge.save(
                update_fields=["status", "published_at", "moderated_at", "rejection_reason"]
            )
        if pledge.email:
            pledge_email_queue(
                to=pledge.email,
                kind="published",
                pledge=pledge,
                context={
                    "pledge": pledge,
                    "pledge_url": _site_link("pledges:detail", pledge.reference),
                },
            )
        published += 1
    return published


@transaction.atomic
def pledge_reject(
    *,
    pledges: Iterable[Pledge],
    actor: User,
    reason: RejectionReason,
    note: str = "",
) -> int:
    """Reject pledges (awaiting moderation, or published) with a reason the pledger is told."""
    now = timezone.now()
    rejected = 0
    for pledge in Pledge.objects.select_for_update().filter(
        pk__in=[p.pk for p in pledges], status__in=PLEDGE_WORKFLOW.states_from(REJECT)
    ):
        PLEDGE_WORKFLOW.check(REJECT, pledge, actor, reason=reason)
        PLEDGE_WORKFLOW.apply(REJECT, pledge)
        pledge.moderated_at = now
        pledge.published_at = None
        pledge.rejection_reason = reason
        with _moderation_step(
            ModerationAction.REJECTED,
            actor=actor,
            reason=reason,
            note=note,
            why=_why("Rejected", reason, note),
        ):
            pledge.save(
                update_fields=["status", "moderated_at", "published_at", "rejection_reason"]
            )
        if pledge.email:
            pledge_email_queue(
                to=pledge.email,
                kind="rejected",
                pledge=pledge,
                context={"pledge": pledge, "reason": reason},
            )
        rejected += 1
    return rejected


def pledge_for_manage_token(*, token: str) -> Pledge | None:
    """The pledge a manage link opens: the first link (on the pledge) or any sent since."""
    token_hash = secret_hash(token)
    return (
        Pledge.objects.filter(manage_token_hash=token_hash).first()
        or Pledge.objects.filter(manage_links__token_hash=token_hash).first()
    )


@transaction.atomic
def pledge_withdraw(*, pledge: Pledge) -> None:
    """The pledger withdraws: it leaves the wall and the open data at once.

    Refuses (TransitionNotAllowed) a pledge already rejected or withdrawn."""
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    PLEDGE_WORKFLOW.check(WITHDRAW, pledge, None)
    PLEDGE_WORKFLOW.apply(WITHDRAW, pledge)
    pledge.withdrawn_at = timezone.now()
    pledge.published_at = None
    with _moderation_step(ModerationAction.WITHDRAWN):
        pledge.save(update_fields=["status", "withdrawn_at", "published_at"])
    if pledge.email:
        pledge_email_queue(
            to=pledge.email, kind="withdrawn", pledge=pledge, context={"pledge": pledge}
        )


def _why(step: str, reason: RejectionReason | None, note: str = "") -> str:
    """The reason recorded in the audit trail: the step, the reason's title, the officer's note."""
    why = f"{step}: {reason.title}" if reason else step
    return f"{why} ({note})" if note else why


def _trail_personal_data(pledges: QuerySet[Pledge]) -> Callable[[], None]:
    """What erasing these pledges must scrub from the audit trail, read before the erasure: their
    contact fields (every version), the names that are to go, and those values wherever else
    they appear (an officer's note, a reason). Returns the scrub to run after the erasure."""
    rows = list(
        pledges.values_list(
            "pk", "email", "contact_name", "display_name", "pledger_type", "show_name"
        )
    )
    pks = [row[0] for row in rows]
    # As the erasure below: a resident's name, or one never agreed to be shown, goes.
    names_going = [row[0] for row in rows if row[4] == PledgerType.RESIDENT or not row[5]]
    values = {value for row in rows for value in (row[1], row[2])}
    values |= {row[3] for row in rows if row[0] in names_going}
    for email, contact_name, display_name, pk in PledgeEvent.objects.filter(
        pgh_obj_id__in=pks
    ).values_list("email", "contact_name", "display_name", "pgh_obj_id"):
        values.update(
            (email, contact_name, display_name) if pk in names_going else (email, contact_name)
        )
    values -= {row[3] for row in rows if row[0] not in names_going}  # public names stay

    def scrub() -> None:
        trail_pseudonymise_fields(Pledge, pks, ["contact_name", "email", "postcode"])
        trail_pseudonymise_fields(Pledge, names_going, ["display_name"])
        trail_pseudonymise_values(values)

    return scrub


def _erase_personal_data(pledge_ids: Sequence[int], *, actor: User | None, note: str) -> int:
    """Erase everything that identifies a person, for many pledges in a fixed number of
    statements: contact details, postcode and IP hash always; the name when it is a person's (a
    resident's) or was never agreed to be shown; and the emails sent to them in the outbox."""
    pledges = Pledge.objects.filter(pk__in=pledge_ids)
    addresses = list(pledges.exclude(email="").values_list("email", flat=True))
    trail_scrub = _trail_personal_data(pledges)
    # The outbox keeps each email's address and body (with the manage link): erased too.
    emails_erase_about(model=Pledge, ids=pledge_ids, addresses=addresses)
    with _moderation_step(
        ModerationAction.ERASED, actor=actor, note=note, why=note or "Personal data erased"
    ):
        pledges.update(
            contact_name="",
            email="",
            postcode="",
            ip_hash="",
            contact_consent=False,
            duplicate_fingerprint="",
            confirmation_nonce="",
            personal_data_erased_at=timezone.now(),
        )
        pledges.filter(Q(pledger_type=PledgerType.RESIDENT) | Q(show_name=False)).update(
            display_name="", show_name=False
        )
    # The trail kept every earlier version of these rows: pseudonymise the personal data there.
    trail_scrub()
    return len(pledge_ids)


@transaction.atomic
def pledge_erase_personal_data(
    *, pledge: Pledge, actor: User | None = None, note: str = ""
) -> None:
    _erase_personal_data([pledge.pk], actor=actor, note=note)
    pledge.refresh_from_db()


@dataclass(frozen=True)
class UpdateAnswers:
    text: str
    hours_volunteered: int | None = None
    people_supported: int | None = None
    placements_offered: int | None = None
    spent_locally: Any = None


@transaction.atomic
def pledge_update_submit(*, pledge: Pledge, answers: UpdateAnswers) -> PledgeUpdate:
    """The pledger reports progress; refused unless the pledge is confirmed, held or published."""
    locked = Pledge.objects.select_for_update().get(pk=pledge.pk)
    PLEDGE_WORKFLOW.check(REPORT_PROGRESS, locked, None)
    update = PledgeUpdate(
        pledge=pledge,
        text=answers.text.strip(),
        hours_volunteered=answers.hours_volunteered,
        people_supported=answers.people_supported,
        placements_offered=answers.placements_offered,
        spent_locally=answers.spent_locally,
    )
    update.full_clean()
    update.save()
    return update


@transaction.atomic
def pledge_updates_moderate(
    *,
    updates: Iterable[PledgeUpdate],
    actor: User,
    publish: bool,
    reason: RejectionReason | None = None,
) -> int:
    now = timezone.now()
    changed = 0
    step = UPDATE_PUBLISH if publish else UPDATE_REJECT
    for update in (
        PledgeUpdate.objects.select_for_update()
        .select_related("pledge")
        .filter(pk__in=[u.pk for u in updates], status__in=UPDATE_WORKFLOW.states_from(step))
    ):
        UPDATE_WORKFLOW.check(step, update, actor, reason=reason)
        UPDATE_WORKFLOW.apply(step, update)
        update.rejection_reason = None if publish else reason
        update.moderated_at = now
        update.moderated_by = actor
        action = ModerationAction.UPDATE_PUBLISHED if publish else ModerationAction.UPDATE_REJECTED
        rejected_for = reason if not publish else None
        with _moderation_step(
            action,
            actor=actor,
            reason=rejected_for,
            why=_why("Rejected", rejected_for) if rejected_for else "",
        ):
            update.save(
                update_fields=["status", "rejection_reason", "moderated_at", "moderated_by"]
            )
        if publish and update.pledge.email:
            pledge_email_queue(
                to=update.pledge.email,
                kind="update_published",
                pledge=update.pledge,
                context={
                    "pledge": update.pledge,
                    "pledge_url": _site_link("pledges:detail", update.pledge.reference),
                },
            )
        changed += 1
    return changed


@dataclass(frozen=True)
class RetentionResult:
    unconfirmed: int
    closed: int


RETENTION_BATCH = 1000


def _erase_in_batches(queryset, *, note: str) -> int:
    erased = 0
    while ids := list(queryset.values_list("pk", flat=True)[:RETENTION_BATCH]):
        with transaction.atomic():
            erased += _erase_personal_data(ids, actor=None, note=note)
    return erased


def personal_data_retention_apply(*, now: datetime.datetime | None = None) -> RetentionResult:
    """Erase personal data past its retention: unconfirmed pledges after 30 days, rejected and
    withdrawn ones after 6 months (both configurable). Bulk, in batches."""
    now = now or timezone.now()
    not_erased = Pledge.objects.filter(personal_data_erased_at__isnull=True)
    unconfirmed_before = now - datetime.timedelta(days=settings.PLEDGE_RETENTION_UNCONFIRMED_DAYS)
    closed_before = now - datetime.timedelta(days=settings.PLEDGE_RETENTION_CLOSED_DAYS)
    unconfirmed = not_erased.filter(
        status=PledgeStatus.UNCONFIRMED, created_at__lt=unconfirmed_before
    )
    closed = not_erased.filter(
        Q(status=PledgeStatus.REJECTED, moderated_at__lt=closed_before)
        | Q(status=PledgeStatus.WITHDRAWN, withdrawn_at__lt=closed_before)
    )
    return RetentionResult(
        unconfirmed=_erase_in_batches(unconfirmed, note="Unconfirmed: retention period ended"),
        closed=_erase_in_batches(closed, note="Rejected or withdrawn: retention period ended"),
    )


@transaction.atomic
def rejection_reasons_load(
    *, rejection_reasons: Sequence[Mapping[str, Any]]
) -> list[RejectionReason]:
    """Create or update the catalogue of rejection reasons by code. Idempotent.

    An officer's later choice to retire a reason (is_active) is kept unless the data sets it.
    """
    loaded = []
    for data in rejection_reasons:
        reason = RejectionReason.objects.filter(code=data["code"]).first()
        reason = reason or RejectionReason(code=data["code"])
        reason.title = data["title"]
        reason.explanation = data["explanation"]
        if "is_active" in data:
            reason.is_active = data["is_active"]
        reason.full_clean()
        reason.save()
        loaded.append(reason)
    return loaded


@transaction.atomic
def campaigns_load(*, campaigns: Sequence[Mapping[str, Any]]) -> list[Any]:
    """Create or update the Charter's campaigns (targets shown as progress) by name. Idempotent."""

    def as_date(value: Any) -> datetime.date:
        return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)

    loaded = []
    for data in campaigns:
        campaign = Campaign.objects.filter(name=data["name"]).first() or Campaign(name=data["name"])
        campaign.target = data["target"]
        campaign.starts_on = as_date(data["starts_on"])
        campaign.ends_on = as_date(data["ends_on"])
        campaign.description = data["description"]
        campaign.full_clean()
        campaign.save()
        loaded.append(campaign)
    return loaded


def contact_list_viewed(
    *,
    viewer: User,
    neighbourhood: Neighbourhood,
    pledges: Sequence[Pledge],
    export: bool = False,
) -> PersonalDataView:
    """Record that someone saw (or downloaded) a neighbourhood's contact list: which pledges."""
    return personal_data_viewed(
        viewer=viewer,
        how=PersonalDataView.How.EXPORTED if export else PersonalDataView.How.VIEWED,
        what=f"Contact list: {neighbourhood.name}",
        model=Pledge,
        ids=[pledge.pk for pledge in pledges],
    )


CONSENT_FIELDS = {
    "show_name": "Show your name with your pledge",
    "contact_consent": "The Charter team may contact you about the Charter",
}


class ConsentChangeRefused(ValueError):
    """A consent change without a reason, or for a pledge whose personal data is erased."""


@transaction.atomic
def pledge_consent_change(
    *, pledge: Pledge, actor: User, reason: str, **answers: bool
) -> ConsentChange | None:
    """Change a pledger's consent for them (show their name, be contacted), as they asked
    staff to: only with a reason, which is recorded and emailed to them with the change.

    `answers` are the consent fields' new values; unchanged ones are left out of the record.
    Returns None when nothing changed. The pledger changes their own through the manage link.
    """
    reason = reason.strip()
    if not reason:
        raise ConsentChangeRefused("Give the reason for changing the pledger's consent.")
    unknown = set(answers) - set(CONSENT_FIELDS)
    if unknown:
        raise ValueError(f"Not consent fields: {sorted(unknown)}")
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    if pledge.personal_data_erased_at is not None:
        raise ConsentChangeRefused("This pledge's personal data is erased: there is no consent.")
    changes = {
        name: [getattr(pledge, name), value]
        for name, value in answers.items()
        if getattr(pledge, name) != value
    }
    if not changes:
        return None
    for name, (_, value) in changes.items():
        setattr(pledge, name, value)
    pledge.save(update_fields=list(changes))
    change = ConsentChange.objects.create(
        object_type=ContentType.objects.get_for_model(Pledge),
        object_id=pledge.pk,
        actor=actor,
        changes=changes,
        reason=reason,
    )
    if pledge.email:
        pledge_email_queue(
            to=pledge.email,
            kind="consent_changed",
            pledge=pledge,
            context={
                "pledge": pledge,
                "changes": [
                    (CONSENT_FIELDS[name], before, after)
                    for name, (before, after) in changes.items()
                ],
                "reason": reason,
            },
        )
    return change


def erase_personal_data_of(*, pledge_ids: Sequence[int], actor: User | None, note: str) -> int:
    """Erase the personal data of these pledges (those not erased already), in batches: for
    erasure by email address. Returns how many were erased."""
    pending = Pledge.objects.filter(pk__in=list(pledge_ids), personal_data_erased_at__isnull=True)
    erased = 0
    while ids := list(pending.values_list("pk", flat=True)[:RETENTION_BATCH]):
        erased += _erase_personal_data(ids, actor=actor, note=note)
    return erased


@transaction.atomic
def pledge_consent_set_by_pledger(
    *, pledge: Pledge, show_name: bool, contact_consent: bool
) -> bool:
    """The pledger changes their own consent through their manage link: theirs to change, so no
    reason is asked; the trail records it. Returns whether anything changed."""
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    if pledge.personal_data_erased_at is not None:
        raise ConsentChangeRefused("This pledge's personal data is erased: there is no consent.")
    answers = {"show_name": show_name, "contact_consent": contact_consent}
    changed = [name for name, value in answers.items() if getattr(pledge, name) != value]
    if not changed:
        return False
    for name in changed:
        setattr(pledge, name, answers[name])
    with trail_reason("Changed by the pledger through their manage link"):
        pledge.save(update_fields=changed)
    return True
