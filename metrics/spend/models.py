"""Spend evidence: the council's "spending over £500" files, as import batches, a supplier
register and transactions. Models of the metrics app (their tables are metrics_*)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from audit.trail import trail_event_model
from core.tabular import header_key
from neighbourhoods.models import Neighbourhood


class Locality(models.TextChoices):
    BOROUGH = "borough", "In the borough"
    COUNTY = "county", "Elsewhere in the county"
    ELSEWHERE = "elsewhere", "Outside the county"
    UNKNOWN = "unknown", "Unknown"


class LocalitySource(models.TextChoices):
    POSTCODE_LOOKUP = "postcode_lookup", "ONS postcode lookup"
    POSTCODE_PREFIX = "postcode_prefix", "Council's postcode prefixes"
    OFFICER = "officer", "Officer's decision"
    NONE = "none", "Not decided"


class ImportBatchStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to be imported"
    IMPORTING = "importing", "Importing"
    REVIEW = "review", "In review: not public yet"
    PUBLISHED = "published", "Published"
    DISCARDED = "discarded", "Discarded: never public"
    WITHDRAWN = "withdrawn", "Withdrawn: no longer public"
    REJECTED = "rejected", "Rejected: nothing imported"
    FAILED = "failed", "Failed: nothing imported"


# A batch in one of these holds its file and its payments: the same file again is refused, and
# its payments are recognised in later files. Discarded and withdrawn batches let them go.
BATCH_HOLDING_STATES = (
    ImportBatchStatus.QUEUED,
    ImportBatchStatus.IMPORTING,
    ImportBatchStatus.REVIEW,
    ImportBatchStatus.PUBLISHED,
)


class ImportBatch(models.Model):
    Status = ImportBatchStatus

    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    rows = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0, help_text="Rows not already held.")
    status = models.CharField(max_length=10, choices=Status.choices)
    error_report = models.JSONField(default=list, blank=True)
    # Lines left out on purpose (footers; trivial lines when the officer chose so for this
    # import, `leave_out_trivial`): counted, listed, never in any figure.
    leave_out_trivial = models.BooleanField(
        "leave out trivial lines",
        default=False,
        help_text="The officer chose to leave out lines with no supplier and a trivial amount.",
    )
    left_out = models.PositiveIntegerField(default=0, help_text="Lines left out on purpose.")
    left_out_report = models.JSONField(default=list, blank=True)
    # Every sheet of the file (a CSV file is one sheet with no name): [{name, header_line, rows,
    # left_out, skipped}], so the report says what each sheet gave and which were not read.
    sheets = models.JSONField(default=list, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)
    # An upload imported in the background (metrics.spend.uploads): the stored file until it is
    # imported or refused, the task that imports it, and how far it has got, written through a
    # connection of its own so that the officer's page sees it while the import is under way.
    stored_file = models.CharField(max_length=100, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    progress_rows = models.PositiveIntegerField(default=0, help_text="Rows read so far.")
    progress_percent = models.PositiveSmallIntegerField(default=0)
    progress_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The review (metrics.spend.review): the payments it added and their sum, who published or
    # discarded it and when, and who withdrew it, when and why.
    total_value = models.DecimalField(
        max_digits=16, decimal_places=2, default=0, help_text="The sum of the payments added."
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-imported_at"]
        verbose_name_plural = "import batches"
        permissions = [
            ("publish_importbatch", "Can publish, discard and withdraw spend import batches")
        ]
        constraints = [
            # One batch holds a file: uploading it again is refused, not imported twice.
            models.UniqueConstraint(
                fields=["sha256"],
                condition=Q(status__in=BATCH_HOLDING_STATES) & ~Q(sha256=""),
                name="importbatch_one_holder_per_file",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["published", "discarded", "withdrawn"])
                | Q(reviewed_at__isnull=False),
                name="importbatch_reviewed_has_when",
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn")
                | (Q(withdrawn_at__isnull=False) & ~Q(withdrawal_reason="")),
                name="importbatch_withdrawn_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ImportBatchStatus.values),
                name="importbatch_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(progress_percent__lte=100), name="importbatch_progress_percent_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.imported_at:%Y-%m-%d})"

    @property
    def already_held(self) -> int:
        return self.rows - self.added - self.left_out


class Supplier(models.Model):
    """One register of the council's suppliers, matched across files by normalised name."""

    name = models.CharField(max_length=300)
    normalised_name = models.CharField(max_length=300, unique=True)
    supplier_ref = models.CharField("council's supplier ID", max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    company_number = models.CharField(max_length=10, blank=True)
    charity_number = models.CharField(max_length=12, blank=True)
    is_sme = models.BooleanField("SME", null=True, blank=True)
    is_vcse = models.BooleanField("VCSE", null=True, blank=True)
    is_redacted = models.BooleanField(
        default=False, help_text='Stands for redacted names such as "Redacted Personal Data".'
    )
    locality = models.CharField(
        max_length=10, choices=Locality.choices, default=Locality.UNKNOWN, db_index=True
    )
    locality_source = models.CharField(
        max_length=20, choices=LocalitySource.choices, default=LocalitySource.NONE
    )
    locality_override_reason = models.TextField(blank=True)
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suppliers",
        help_text="From the postcode lookup, when the supplier is in the borough.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(locality__in=Locality.values), name="supplier_locality_valid"
            ),
            models.CheckConstraint(
                condition=~Q(locality_source="officer") | ~Q(locality_override_reason=""),
                name="supplier_override_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SpendTransaction(models.Model):
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="transactions")
    body_name = models.CharField(max_length=200, blank=True)
    # No index of its own: spend_date_supplier_idx (payment_date, supplier) serves date ranges.
    payment_date = models.DateField()
    transaction_number = models.CharField(max_length=100, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    irrecoverable_vat = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="transactions")
    department = models.CharField(max_length=200, blank=True)
    expense_type = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    # Where this payment went, when its line gives a postcode: a supplier paid at two postcodes
    # (one in the borough, one outside) has each payment counted where it went. `locality` is
    # blank when the line gives no postcode, and the supplier's then counts (sources.
    # payment_locality); a postcode that is not a UK one is kept as written, locality unknown.
    postcode = models.CharField(max_length=40, blank=True, db_default="")
    locality = models.CharField(max_length=10, choices=Locality.choices, blank=True, db_default="")
    # sha256 of the row's values and its occurrence in its file: the same transaction imported
    # again is recognised, while identical split lines of one invoice are both kept.
    # Stored as the first 128 bits of that sha256 (a UUID): a quarter of the text's index, and
    # compared byte for byte rather than by collation (decision 0036).
    line_hash = models.UUIDField(unique=True)

    class Meta:
        ordering = ["-payment_date", "pk"]
        indexes = [
            models.Index(fields=["payment_date", "supplier"], name="spend_date_supplier_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(locality="") | Q(locality__in=Locality.values),
                name="spendtransaction_locality_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payment_date} {self.supplier} £{self.amount}"


# Influenceable spend (decision 0034): payments no buying decision could make local (to other
# public bodies, precepts, levies, taxes, benefits and grants passed through) are left out of
# the influenceable share by rules held as data, each with its reason, applied in the database
# (metrics.spend.exclusions).


class PublicBodyKind(models.TextChoices):
    COUNTY_COUNCIL = "county_council", "County council"
    POLICE = "police", "Police"
    FIRE = "fire", "Fire and rescue"
    NHS = "nhs", "NHS body"
    HMRC = "hmrc", "HM Revenue and Customs"
    PENSION_FUND = "pension_fund", "Pension fund"
    OTHER = "other", "Other public body"


class PublicBody(models.Model):
    """A public body the council pays: the register the "public body" exclusion rules read. It
    covers the suppliers whose normalised name is one of its names (PublicBodyName)."""

    Kind = PublicBodyKind

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=PublicBodyKind.choices)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name_plural = "public bodies"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=PublicBodyKind.values), name="publicbody_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PublicBodyName(models.Model):
    """A name the body appears under in spending files, as written; matched on its normalised
    form (metrics.spend.names), so "Hertfordshire County Council" matches "HERTFORDSHIRE CC"
    only when both normalise alike."""

    body = models.ForeignKey(PublicBody, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(max_length=300)
    normalised_name = models.CharField(max_length=300, unique=True, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        from metrics.spend.names import supplier_name_normalise

        self.name = self.name.strip()
        self.normalised_name = supplier_name_normalise(self.name)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from metrics.spend.names import supplier_name_normalise

        normalised = supplier_name_normalise(self.name.strip())
        held = PublicBodyName.objects.filter(normalised_name=normalised).exclude(pk=self.pk)
        body = held.values_list("body__name", flat=True).first()
        if body is not None:
            raise ValidationError({"name": f"{body} already has this name (or one read the same)"})


class ExclusionMatch(models.TextChoices):
    PUBLIC_BODY = "public_body", "Payments to public bodies of a kind (the register)"
    SUPPLIER = "supplier", "Payments to one supplier"
    EXPENSE_TYPE_IS = "expense_type_is", "Expense type is (ignoring case)"
    EXPENSE_TYPE_CONTAINS = "expense_type_contains", "Expense type contains (ignoring case)"


class SpendExclusionRule(models.Model):
    """Payments left out of influenceable spend, and why. A payment several rules match counts
    under the first (by position, then the oldest rule)."""

    Match = ExclusionMatch

    name = models.CharField(
        max_length=120, unique=True, help_text='Shown to the public, e.g. "Payments to HMRC".'
    )
    reason = models.TextField(help_text="Why no buying decision could make these payments local.")
    match = models.CharField(max_length=30, choices=ExclusionMatch.choices)
    public_body_kind = models.CharField(
        max_length=20,
        choices=PublicBodyKind.choices,
        blank=True,
        help_text="For public-body rules: the kind of body in the register.",
    )
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exclusion_rules",
        help_text="For supplier rules.",
    )
    text = models.CharField(
        max_length=200,
        blank=True,
        help_text="For expense-type rules: the expense type (or the words it contains).",
    )
    position = models.PositiveSmallIntegerField(
        default=100, help_text="Rules are tried in this order (smallest first)."
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="spendexclusion_has_reason",
                violation_error_message="Enter the reason these payments are left out",
            ),
            # spendexclusion_fields_match also holds `match` to the kinds of ExclusionMatch.
            models.CheckConstraint(
                condition=(
                    Q(match="public_body", supplier__isnull=True, text="")
                    & Q(public_body_kind__in=PublicBodyKind.values)
                )
                | Q(match="supplier", supplier__isnull=False, public_body_kind="", text="")
                | (
                    Q(match__in=["expense_type_is", "expense_type_contains"])
                    & Q(supplier__isnull=True, public_body_kind="")
                    & ~Q(text="")
                ),
                name="spendexclusion_fields_match",
                violation_error_message="A public-body rule names a kind of body, a supplier "
                "rule a supplier, an expense-type rule its text: give that, and nothing else.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.text = self.text.strip()
        super().save(*args, **kwargs)


class SpendColumnMapping(models.Model):
    """How one publishing body's spending files name their columns, saved when an officer maps
    them (`--map`, or the upload page's extra column names) and applied to the next file from
    that body (metrics.spend.mappings). The body is the import's body name, else the body name
    on the file's first line; it is matched however it is spelled (core.tabular.header_key)."""

    body_name = models.CharField(
        "publishing body",
        max_length=200,
        help_text="As the files name it (their body-name column) or as you give it at import.",
    )
    body_key = models.CharField(max_length=200, unique=True, editable=False)
    columns = models.JSONField(
        default=dict, blank=True, help_text="{column header as the file spells it: field}"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["body_name"]
        verbose_name = "spend column mapping"
        constraints = [
            models.CheckConstraint(condition=~Q(body_key=""), name="spendcolumnmapping_body_named"),
        ]

    def __str__(self) -> str:
        return self.body_name

    def save(self, *args, **kwargs):
        self.body_key = header_key(self.body_name)[:200]
        super().save(*args, **kwargs)


# The audit trail (audit.trail). SpendTransaction is not tracked: millions of rows written only
# by the import, whose batch (who, when, which file) is.
# Progress ticks (every few thousand rows of a background import) are not changes worth a trail.
class ImportBatchEvent(
    trail_event_model(ImportBatch, exclude=["progress_rows", "progress_percent", "progress_at"])
):
    pass


class SupplierEvent(trail_event_model(Supplier)):
    pass


class PublicBodyEvent(trail_event_model(PublicBody)):
    pass


class PublicBodyNameEvent(trail_event_model(PublicBodyName)):
    pass


class SpendExclusionRuleEvent(trail_event_model(SpendExclusionRule)):
    pass


class SpendColumnMappingEvent(trail_event_model(SpendColumnMapping)):
    pass
