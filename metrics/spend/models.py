"""Spend evidence: the council's "spending over £500" files, as import batches, a supplier
register and transactions. Models of the metrics app (their tables are metrics_*)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from audit.trail import trail_event_model
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
    payment_date = models.DateField(db_index=True)
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
    line_hash = models.CharField(max_length=64, unique=True)

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


# The audit trail (audit.trail). SpendTransaction is not tracked: millions of rows written only
# by the import, whose batch (who, when, which file) is.
# Progress ticks (every few thousand rows of a background import) are not changes worth a trail.
class ImportBatchEvent(
    trail_event_model(ImportBatch, exclude=["progress_rows", "progress_percent", "progress_at"])
):
    pass


class SupplierEvent(trail_event_model(Supplier)):
    pass
