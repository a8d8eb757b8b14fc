import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

from audit.trail import trail_event_model
from metrics.models import Foundation
from neighbourhoods.models import Neighbourhood


class Benefit(models.TextChoices):
    """The Charter's two benefits of a co-operative inclusive economy."""

    FAIRER_SOCIETY = "fairer_society", "A fairer society"
    RESILIENT_ECONOMY = "resilient_economy", "A more resilient economy"


class Commitment(models.Model):
    """One of the Charter's actions that a pledger can commit to."""

    code = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=200, unique=True)
    benefit = models.CharField(max_length=30, choices=Benefit.choices)
    foundation = models.ForeignKey(Foundation, on_delete=models.PROTECT, related_name="commitments")
    help_text = models.TextField(blank=True, help_text="Shown under the option when pledging.")
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(
        default=True, help_text="Inactive commitments stay on old pledges but are not offered."
    )

    class Meta:
        ordering = ["benefit", "order", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(benefit__in=Benefit.values), name="commitment_benefit_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PledgerType(models.TextChoices):
    RESIDENT = "resident", "A resident"
    COMMUNITY = "community", "A community group, charity or voluntary organisation"
    BUSINESS = "business", "A business"
    PUBLIC_SECTOR = "public_sector", "A public sector body or anchor institution"
    EDUCATION = "education", "A school or college"


# How a pledger whose name is not shown appears on the wall.
ANONYMOUS_NAMES = {
    PledgerType.RESIDENT: "A local resident",
    PledgerType.COMMUNITY: "A community group",
    PledgerType.BUSINESS: "A local business",
    PledgerType.PUBLIC_SECTOR: "A public sector organisation",
    PledgerType.EDUCATION: "A school or college",
}
ANONYMOUS_NAME_FALLBACK = "A pledger"


class OrganisationSize(models.TextChoices):
    MICRO = "micro", "Micro (fewer than 10 people)"
    SMALL = "small", "Small (10 to 49 people)"
    MEDIUM = "medium", "Medium (50 to 249 people)"
    LARGE = "large", "Large (250 people or more)"


class PledgeStatus(models.TextChoices):
    UNCONFIRMED = "unconfirmed", "Waiting for email confirmation"
    CONFIRMED = "confirmed", "Confirmed, waiting for moderation"
    HELD = "held", "Held for review"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class PledgeSource(models.TextChoices):
    """How a pledge reached us. All but online are typed in by an officer (one by hand, or many
    by the paper import) and were confirmed by the pledger on paper, on the phone or by email."""

    ONLINE = "online", "Online"
    PAPER = "paper", "Paper form, entered by an officer"
    PHONE = "phone", "Phone call, entered by an officer"
    EMAIL = "email", "Email, entered by an officer"


# The ways an officer receives a pledge to type in.
STAFF_ENTERED_SOURCES = (PledgeSource.PAPER, PledgeSource.PHONE, PledgeSource.EMAIL)


PLEDGE_TEXT_MAX_LENGTH = 1000


def _public_name_sql() -> Case:
    """`Pledge.public_name` as an SQL expression, for the search vector the database keeps."""
    return Case(
        When(Q(show_name=True) & ~Q(display_name=""), then=F("display_name")),
        *(When(pledger_type=kind, then=Value(name)) for kind, name in ANONYMOUS_NAMES.items()),
        default=Value(ANONYMOUS_NAME_FALLBACK),
    )


REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


class RejectionReason(models.Model):
    """A reason an officer can give for rejecting a pledge or an update; told to the pledger."""

    code = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=200, unique=True)
    explanation = models.TextField(help_text="Sent to the pledger in the rejection email.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Pledge(models.Model):
    reference = models.CharField(max_length=8, unique=True, default=new_reference, editable=False)
    pledger_type = models.CharField(max_length=20, choices=PledgerType.choices)
    organisation_size = models.CharField(
        max_length=10, choices=OrganisationSize.choices, blank=True
    )
    display_name = models.CharField(
        max_length=200, blank=True, help_text="The pledger's or organisation's name."
    )
    show_name = models.BooleanField(
        default=False, help_text="Whether the pledger agreed to show the name publicly."
    )
    # Private: never on a public page, export or API.
    contact_name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    contact_consent = models.BooleanField(
        default=False, help_text="May the Charter team and ward councillors contact them?"
    )
    ip_hash = models.CharField(max_length=64, blank=True, help_text="Salted hash; never the IP.")

    neighbourhood = models.ForeignKey(
        Neighbourhood,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pledges",
        help_text="Empty for pledges across the whole area.",
    )
    commitments = models.ManyToManyField(Commitment, related_name="pledges")
    text = models.TextField("pledge", max_length=PLEDGE_TEXT_MAX_LENGTH)
    target = models.CharField("measurable target", max_length=200, blank=True)

    status = models.CharField(
        max_length=20, choices=PledgeStatus.choices, default=PledgeStatus.UNCONFIRMED
    )
    source = models.CharField(
        max_length=10, choices=PledgeSource.choices, default=PledgeSource.ONLINE
    )
    hold_reason = models.CharField(max_length=200, blank=True)
    rejection_reason = models.ForeignKey(
        RejectionReason, on_delete=models.PROTECT, null=True, blank=True, related_name="pledges"
    )

    # Idempotency: the same journey submitted twice makes one pledge.
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # sha256 of the normalised email and text, to spot the same pledge sent again.
    duplicate_fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    confirmation_nonce = models.CharField(max_length=32, blank=True)
    manage_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    personal_data_erased_at = models.DateTimeField(null=True, blank=True)

    # Kept by the database, so no write path can forget it: what the public sees, weighted.
    search_vector = models.GeneratedField(
        expression=SearchVector(_public_name_sql(), weight="A", config="english")
        + SearchVector("text", weight="B", config="english")
        + SearchVector("target", weight="C", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    # The emails sent about this pledge (confirmations, decisions), kept in the outbox.
    emails = GenericRelation(
        "outbox.OutboundEmail", content_type_field="about_type", object_id_field="about_id"
    )

    class Meta:
        ordering = ["-published_at", "-created_at"]
        indexes = [
            GinIndex(fields=["search_vector"], name="pledge_search_gin"),
            models.Index(
                fields=["-published_at"],
                condition=Q(status="published"),
                name="pledge_published_idx",
            ),
            models.Index(fields=["ip_hash", "created_at"], name="pledge_ip_recent_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PledgeStatus.values), name="pledge_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(pledger_type__in=PledgerType.values), name="pledge_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(organisation_size="") | Q(pledger_type=PledgerType.BUSINESS),
                name="pledge_size_only_for_business",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), PLEDGE_TEXT_MAX_LENGTH),
                name="pledge_text_max_length",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="pledge_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.public_name}"

    @property
    def public_name(self) -> str:
        """The name the public sees: never a name the pledger did not agree to show."""
        if self.show_name and self.display_name:
            return self.display_name
        return ANONYMOUS_NAMES.get(self.pledger_type, ANONYMOUS_NAME_FALLBACK)


class ModerationAction(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    CONFIRMED = "confirmed", "Confirmed by email"
    HELD = "held", "Held for review"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn by the pledger"
    ERASED = "erased", "Personal data erased"
    UPDATE_PUBLISHED = "update_published", "Progress update published"
    UPDATE_REJECTED = "update_rejected", "Progress update rejected"


class ModerationEvent(models.Model):
    """A pledge's moderation history from before the audit trail: who did what, when and why.

    No longer written (the services record each step in the audit trail's context, and
    `pledges.selectors.pledge_moderation_history` reads it); kept read only because these rows
    are the only record of the steps taken before the trail existed (decision 0026)."""

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=ModerationAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the pledger or the system acted.",
    )
    reason = models.ForeignKey(
        RejectionReason, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=ModerationAction.values), name="moderation_action_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.created_at:%d %b %Y %H:%M})"


class UpdateStatus(models.TextChoices):
    PENDING = "pending", "Waiting for moderation"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Rejected"


class PledgeUpdate(models.Model):
    """Progress a pledger reports through their manage link; moderated before it shows."""

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="updates")
    text = models.TextField("progress", max_length=PLEDGE_TEXT_MAX_LENGTH)
    hours_volunteered = models.PositiveIntegerField(null=True, blank=True)
    people_supported = models.PositiveIntegerField(null=True, blank=True)
    placements_offered = models.PositiveIntegerField(null=True, blank=True)
    spent_locally = models.DecimalField(
        "£ spent locally", max_digits=14, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        max_length=10, choices=UpdateStatus.choices, default=UpdateStatus.PENDING
    )
    rejection_reason = models.ForeignKey(
        RejectionReason, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=UpdateStatus.values), name="update_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(spent_locally__isnull=True) | Q(spent_locally__gte=0),
                name="update_spend_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"Update on {self.pledge.reference} ({self.get_status_display()})"


class PledgeManageLink(models.Model):
    """One more private manage link of a pledge: each email to its pledger carries a new one,
    since only hashes are kept (the first is `Pledge.manage_token_hash`) and a link cannot be
    read back to send again. Every link ever sent keeps working."""

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="manage_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Manage link of {self.pledge_id} ({self.created_at:%Y-%m-%d})"


class Campaign(models.Model):
    """A Charter target shown as progress, e.g. 100 pledges in the first 100 days."""

    name = models.CharField(max_length=200)
    target = models.PositiveIntegerField(help_text="How many published pledges.")
    starts_on = models.DateField()
    ends_on = models.DateField()
    description = models.CharField(
        max_length=200, help_text='Shown after the count, e.g. "in the first 100 days".'
    )

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_dates_in_order"
            ),
            models.CheckConstraint(condition=Q(target__gt=0), name="campaign_target_positive"),
        ]

    def __str__(self) -> str:
        return self.name


# The audit trail (audit.trail): a snapshot of each write, kept by database triggers. Secrets
# (token hashes, the confirmation nonce, the submission key), the IP hash and duplicate
# fingerprint, and the generated search vector are left out: they tell a reader nothing.
class PledgeEvent(
    trail_event_model(
        Pledge,
        exclude=[
            "search_vector",
            "manage_token_hash",
            "confirmation_nonce",
            "submission_key",
            "ip_hash",
            "duplicate_fingerprint",
        ],
    )
):
    # Shown in the trail's admin only to the data-protection role (audit.trail_admin).
    trail_personal_fields = ("email", "contact_name", "postcode")


class PledgeCommitments(Pledge.commitments.through):
    """The links between pledges and commitments, as a proxy so this app's migrations install
    their triggers (an auto-created table has no migration state of its own)."""

    class Meta:
        proxy = True


class PledgeCommitmentsEvent(
    trail_event_model(PledgeCommitments, model_name="PledgeCommitmentsEvent")
):
    trail_visible_with = "pledges.Pledge"  # seen by whoever may see the pledges
    pgh_obj = models.ForeignKey(
        Pledge.commitments.through,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )


class PledgeUpdateEvent(trail_event_model(PledgeUpdate)):
    pass
