from django.conf import settings
from django.db import models
from django.db.models import F, Q

from audit.trail import trail_event_model
from neighbourhoods.models import Neighbourhood


class Foundation(models.Model):
    """One of the programme's foundations, e.g. "Procurement and social value"."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200, unique=True)
    summary = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


# --- The CWB framework: metrics, their values, and validation -----------------------------


class Unit(models.TextChoices):
    PERCENT = "percent", "%"
    POUNDS = "gbp", "£"
    COUNT = "count", "count"
    HOURS = "hours", "hours"
    TONNES_CO2E = "tco2e", "tCO2e"


class Better(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    ANNUAL = "annual", "Annual"


class Metric(models.Model):
    """A measure of Community Wealth Building agreed across departments."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200, unique=True)
    foundation = models.ForeignKey(Foundation, on_delete=models.PROTECT, related_name="metrics")
    unit = models.CharField(max_length=10, choices=Unit.choices)
    better = models.CharField(max_length=10, choices=Better.choices, default=Better.HIGHER)
    method = models.TextField(help_text="How the value is worked out, and from what evidence.")
    owning_department = models.CharField(max_length=200)
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.ANNUAL)
    baseline = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    baseline_period = models.CharField(max_length=40, blank=True, help_text="e.g. 2019/20")
    target = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    target_period = models.CharField(max_length=40, blank=True, help_text="e.g. 2027/28")
    by_neighbourhood = models.BooleanField(
        default=False, help_text="Values are also recorded for each neighbourhood."
    )
    computed = models.BooleanField(
        default=False, help_text="The system computes values; they are still validated."
    )
    source = models.CharField(
        max_length=80,
        blank=True,
        help_text="For computed metrics: the registered source that computes the value.",
    )
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["foundation__order", "order", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(unit__in=Unit.values), name="metric_unit_valid"),
            models.CheckConstraint(
                condition=Q(better__in=Better.values), name="metric_better_valid"
            ),
            models.CheckConstraint(
                condition=Q(computed=False) | ~Q(source=""), name="metric_computed_has_source"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ValueStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for validation"
    VALIDATED = "validated", "Validated"
    RETURNED = "returned", "Returned with comments"


class MetricValue(models.Model):
    """A metric's value for a period, borough-wide or for one neighbourhood.

    Only validated values are public.
    """

    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="values")
    period_start = models.DateField()
    period_end = models.DateField()
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="metric_values",
        help_text="Empty for the whole borough.",
    )
    value = models.DecimalField(max_digits=18, decimal_places=4)
    evidence = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=ValueStatus.choices, default=ValueStatus.DRAFT)
    return_comment = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    validated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["metric", "-period_start", "neighbourhood"]
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "period_start", "period_end", "neighbourhood"],
                nulls_distinct=False,
                name="metric_value_unique_period_area",
                violation_error_message=(
                    "This metric already has a value for that period and area: "
                    "open that value to change it"
                ),
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="metric_value_period_order"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ValueStatus.values), name="metric_value_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="validated")
                | Q(validated_by__isnull=False, validated_at__isnull=False),
                name="metric_value_validated_has_validator",
            ),
        ]
        indexes = [models.Index(fields=["status", "period_start"], name="metric_value_status_idx")]

    def __str__(self) -> str:
        # As people read it (admin titles, lists, messages): 18.8%, not 18.7585.
        from metrics.periods import period_label
        from metrics.templatetags.metric_format import metric_value_format

        area = self.neighbourhood or "whole borough"
        figure = metric_value_format(self.value, self.metric.unit)
        return (
            f"{self.metric}: {figure} ({period_label(self.period_start, self.period_end)}, {area})"
        )


class MetricValueChange(models.Model):
    """History of a value as it was kept before the audit trail (who changed what, when, from
    what to what): kept as a read-only copy, which no code writes any more. New changes are
    in the audit trail (MetricValueEvent; docs/decisions, the audit trail)."""

    value = models.ForeignKey(MetricValue, on_delete=models.CASCADE, related_name="changes")
    action = models.CharField(max_length=20)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} by {self.changed_by} at {self.changed_at:%Y-%m-%d %H:%M}"


# The spend register (import batches, suppliers, transactions) lives in metrics/spend/models.py;
# importing it here registers its models with this app.
from metrics.spend.models import (  # noqa: E402, F401
    ImportBatch,
    Locality,
    LocalitySource,
    SpendTransaction,
    Supplier,
)

# --- LM3 (New Economics Foundation's Local Multiplier 3) -----------------------------------


class LM3Study(models.Model):
    """LM3 = (R1 + R2 + R3) / R1, where R3 is what local suppliers and staff re-spend locally."""

    name = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200)
    period_start = models.DateField()
    period_end = models.DateField()
    round1_income = models.DecimalField("round 1: income (£)", max_digits=14, decimal_places=2)
    round2_local_suppliers = models.DecimalField(
        "round 2: spend with local suppliers (£)", max_digits=14, decimal_places=2
    )
    round2_local_staff = models.DecimalField(
        "round 2: wages to local staff (£)", max_digits=14, decimal_places=2
    )
    supplier_respend_rate = models.DecimalField(
        "round 3: share local suppliers re-spend locally",
        max_digits=5,
        decimal_places=4,
        help_text="From the supplier survey, between 0 and 1 (e.g. 0.40).",
    )
    staff_respend_rate = models.DecimalField(
        "round 3: share local staff re-spend locally",
        max_digits=5,
        decimal_places=4,
        help_text="From the staff survey, between 0 and 1 (e.g. 0.45).",
    )
    round2_from_spend_data = models.BooleanField(
        default=False, help_text="Round 2 supplier spend was drawn from the imported spend."
    )
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_end", "name"]
        verbose_name = "LM3 study"
        verbose_name_plural = "LM3 studies"
        constraints = [
            models.CheckConstraint(condition=Q(round1_income__gt=0), name="lm3_income_positive"),
            models.CheckConstraint(
                condition=Q(round2_local_suppliers__gte=0, round2_local_staff__gte=0),
                name="lm3_round2_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(
                    round1_income__gte=F("round2_local_suppliers") + F("round2_local_staff")
                ),
                name="lm3_round2_within_income",
            ),
            models.CheckConstraint(
                condition=Q(
                    supplier_respend_rate__gte=0,
                    supplier_respend_rate__lte=1,
                    staff_respend_rate__gte=0,
                    staff_respend_rate__lte=1,
                ),
                name="lm3_rates_between_0_and_1",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="lm3_period_order"
            ),
        ]

    def __str__(self) -> str:
        return self.name


# The audit trail (audit.trail): a snapshot of each write, kept by database triggers.
class MetricValueEvent(trail_event_model(MetricValue)):
    pass
