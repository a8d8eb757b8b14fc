"""Community Balance Sheets: the indicator library, its proxy values, the sheets and their lines.

A sheet counts a neighbourhood's (or the whole borough's) assets and liabilities for a financial
year under the five capitals, in units and, where a proxy exists, in pounds. The invariants are in
the database: a line's £ value is its quantity times the proxy it was priced with unless an officer
entered another value with a reason; each step of the workflow records who and when; a published
sheet is never changed (triggers in migration 0004 refuse it), it is restated by a new version.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round

from audit.trail import trail_event_model
from core import clock
from core.periods import FinancialYear
from neighbourhoods.models import Council, Neighbourhood

PENNY = Decimal("0.01")
# DecimalField(max_digits=14, decimal_places=2): the largest amount a column holds.
MAX_AMOUNT = Decimal("999999999999.99")
# The URL slug of the whole-borough sheet (neighbourhood slugs are the others).
BOROUGH_SLUG = "borough"


def money(value: Decimal) -> Decimal:
    """An amount rounded to the penny, halves away from zero (as PostgreSQL's round())."""
    return value.quantize(PENNY, rounding=ROUND_HALF_UP)


class Capital(models.Model):
    """A kind of community wealth a balance sheet counts (social, human, built, and so on)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Side(models.TextChoices):
    ASSET = "asset", "Asset"
    LIABILITY = "liability", "Liability"


class Indicator(models.Model):
    """Something a sheet counts, e.g. regular volunteers (an asset of social capital)."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200, unique=True)
    capital = models.ForeignKey(Capital, on_delete=models.PROTECT, related_name="indicators")
    side = models.CharField(max_length=10, choices=Side.choices)
    unit = models.CharField(
        max_length=60, help_text='What one counts, in the singular, e.g. "regular volunteer".'
    )
    description = models.TextField(blank=True, help_text="What is counted and how.")
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(
        default=True, help_text="Inactive indicators stay on old sheets but are not offered."
    )

    class Meta:
        ordering = ["capital__order", "side", "order", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(side__in=Side.values), name="indicator_side_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class ProxyValue(models.Model):
    """What one unit of an indicator is worth in pounds, in one year's prices, and who says so.

    Values change yearly and some sources are licensed (National TOMs, HACT): councils import
    their own. A sheet uses the latest price year not after its own financial year.
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="proxies")
    price_year = models.PositiveSmallIntegerField(
        help_text="The year whose prices the value is in, e.g. 2023 for “2023 prices”."
    )
    value_per_unit = models.DecimalField(
        "£ per unit", max_digits=14, decimal_places=2, help_text="In pounds, for one unit."
    )
    source = models.CharField(
        max_length=300, help_text="Where the value comes from, e.g. “Measure Up (2023 prices)”."
    )
    is_illustrative = models.BooleanField(
        default=False,
        help_text="An example value for demonstration, not one the council has adopted.",
    )
    notes = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["indicator", "-price_year"]
        verbose_name = "proxy value"
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "price_year"],
                name="proxyvalue_unique_year",
                violation_error_message="This indicator already has a value for that price year.",
            ),
            models.CheckConstraint(
                condition=Q(value_per_unit__gte=0), name="proxyvalue_value_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(price_year__gte=1990, price_year__lte=FinancialYear.LAST),
                name="proxyvalue_price_year_range",
            ),
        ]

    def __str__(self) -> str:
        label = f"£{self.value_per_unit:,} per {self.indicator.unit} ({self.source})"
        return f"{label}, illustrative" if self.is_illustrative else label


class SheetStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for validation"
    RETURNED = "returned", "Returned for changes"
    VALIDATED = "validated", "Validated"
    PUBLISHED = "published", "Published"


# How each state is tagged on the officers' pages (GOV.UK tag colours).
STATUS_TAG_COLOURS = {
    SheetStatus.DRAFT: "grey",
    SheetStatus.SUBMITTED: "blue",
    SheetStatus.RETURNED: "orange",
    SheetStatus.VALIDATED: "turquoise",
    SheetStatus.PUBLISHED: "green",
}


class BalanceSheet(models.Model):
    """One version of an area's Community Balance Sheet for one financial year.

    The area is a neighbourhood, or the whole borough when `neighbourhood` is empty. A published
    version is final: a correction is a new version that `restates` it, with the reason.
    """

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="balance_sheets")
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="balance_sheets",
        help_text="Empty for the whole borough.",
    )
    year = models.PositiveSmallIntegerField(
        "financial year", help_text="The year the financial year starts: 2024 for 2024/25."
    )
    version = models.PositiveSmallIntegerField(default=1)
    restates = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="restated_by",
        help_text="The published version this one corrects.",
    )
    restatement_reason = models.TextField(
        blank=True, help_text="What was restated and why; shown on the public page."
    )
    status = models.CharField(max_length=10, choices=SheetStatus.choices, default=SheetStatus.DRAFT)

    created_at = models.DateTimeField(default=clock.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    return_comments = models.TextField(blank=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    validation_comments = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-year", "neighbourhood__order", "-version"]
        permissions = [
            ("submit_balancesheet", "Can submit a balance sheet for validation"),
            ("validate_balancesheet", "Can validate or return a submitted balance sheet"),
            ("publish_balancesheet", "Can publish a validated balance sheet"),
        ]
        indexes = [
            models.Index(
                fields=["council", "year"],
                condition=Q(status="published"),
                name="balancesheet_published_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SheetStatus.values), name="balancesheet_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=FinancialYear.FIRST, year__lte=FinancialYear.LAST),
                name="balancesheet_year_range",
            ),
            models.UniqueConstraint(
                fields=["council", "neighbourhood", "year", "version"],
                nulls_distinct=False,
                name="balancesheet_unique_version",
                violation_error_message="That version of this sheet exists already.",
            ),
            # At most one version of an area's year is being worked on at a time.
            models.UniqueConstraint(
                fields=["council", "neighbourhood", "year"],
                condition=~Q(status="published"),
                nulls_distinct=False,
                name="balancesheet_one_open_version",
                violation_error_message="This area already has a balance sheet for that year "
                "that is not published yet.",
            ),
            models.CheckConstraint(
                condition=(Q(version=1) & Q(restates__isnull=True))
                | (Q(version__gt=1) & Q(restates__isnull=False) & ~Q(restatement_reason="")),
                name="balancesheet_restatement_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "returned"]) | Q(submitted_at__isnull=False),
                name="balancesheet_submitted_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="returned")
                | (Q(returned_at__isnull=False) & ~Q(return_comments="")),
                name="balancesheet_returned_has_comments",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["validated", "published"])
                | Q(validated_at__isnull=False, validated_by__isnull=False),
                name="balancesheet_validated_has_validator",
            ),
            models.CheckConstraint(
                condition=~Q(status="published")
                | Q(published_at__isnull=False, published_by__isnull=False),
                name="balancesheet_published_has_publisher",
            ),
            # Four eyes: whoever submitted a sheet does not validate it.
            models.CheckConstraint(
                condition=~Q(validated_by=F("submitted_by")),
                name="balancesheet_validator_not_submitter",
            ),
        ]

    def __str__(self) -> str:
        label = f"{self.area_name}, {self.financial_year.label}"
        return f"{label} (version {self.version})" if self.version > 1 else label

    def clean(self):
        if (
            self.neighbourhood_id
            and self.council_id
            and self.neighbourhood.council_id != self.council_id
        ):
            raise ValidationError({"neighbourhood": "Choose one of the council's areas."})

    @property
    def is_borough(self) -> bool:
        return self.neighbourhood_id is None

    @property
    def area_name(self) -> str:
        if self.neighbourhood_id:
            return self.neighbourhood.name
        return f"{self.council.area_name} (whole borough)" if self.council_id else "Whole borough"

    @property
    def area_slug(self) -> str:
        return self.neighbourhood.slug if self.neighbourhood_id else BOROUGH_SLUG

    @property
    def financial_year(self) -> FinancialYear:
        return FinancialYear(self.year)

    @property
    def year_label(self) -> str:
        return self.financial_year.label

    @property
    def year_slug(self) -> str:
        return self.financial_year.slug

    @property
    def previous_year_label(self) -> str:
        return self.financial_year.previous.label

    @property
    def status_tag_colour(self) -> str:
        return STATUS_TAG_COLOURS[SheetStatus(self.status)]

    @property
    def is_returned(self) -> bool:
        """Sent back by the CWB Group: its comments say what to change."""
        return self.status == SheetStatus.RETURNED

    @property
    def is_editable(self) -> bool:
        from balancesheets.workflows import EDITABLE_STATUSES  # the table imports this module

        return self.status in EDITABLE_STATUSES


class BalanceSheetLine(models.Model):
    """One indicator counted on a sheet: a quantity and, where a proxy exists, a £ value.

    The value is the quantity times the proxy value the line was priced with (copied here, so a
    later change to the library never changes a sheet) unless an officer entered another value,
    which needs a reason.
    """

    sheet = models.ForeignKey(BalanceSheet, on_delete=models.CASCADE, related_name="lines")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="lines")
    quantity = models.DecimalField(max_digits=14, decimal_places=2)
    proxy = models.ForeignKey(
        ProxyValue,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lines",
        help_text="The proxy the line was priced with.",
    )
    unit_value = models.DecimalField(
        "£ per unit",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The proxy's value when the line was priced.",
    )
    value = models.DecimalField(
        "£ value",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Empty when there is no proxy: the line is counted in units only.",
    )
    value_overridden = models.BooleanField(
        default=False, help_text="An officer entered the £ value instead of the proxy's."
    )
    override_reason = models.TextField(blank=True)
    evidence = models.TextField("evidence or source", blank=True)
    note = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["indicator__capital__order", "indicator__side", "indicator__order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["sheet", "indicator"],
                name="balancesheetline_one_per_indicator",
                violation_error_message="This sheet already has a line for that indicator.",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=0), name="balancesheetline_quantity_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0),
                name="balancesheetline_value_not_negative",
            ),
            # £ value = quantity times the proxy, unless entered with a reason; none without either.
            models.CheckConstraint(
                condition=(
                    Q(value_overridden=True) & Q(value__isnull=False) & ~Q(override_reason="")
                )
                | (
                    Q(value_overridden=False)
                    & Q(unit_value__isnull=True)
                    & Q(value__isnull=True)
                    & Q(override_reason="")
                )
                | (
                    Q(value_overridden=False)
                    & Q(unit_value__isnull=False)
                    & Q(value=Round(F("quantity") * F("unit_value"), 2))
                    & Q(override_reason="")
                ),
                name="balancesheetline_value_follows_proxy",
                violation_error_message="Give a reason for entering a £ value other than the "
                "quantity times the proxy value.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.quantity:,}"

    @property
    def side(self) -> str:
        return self.indicator.side

    @property
    def signed_value(self) -> Decimal:
        """The value as it counts towards the net position: liabilities subtract."""
        value = self.value or Decimal(0)
        return -value if self.indicator.side == Side.LIABILITY else value


class SheetAction(models.TextChoices):
    CREATED = "created", "Started"
    LINE_ADDED = "line_added", "Line added"
    LINE_CHANGED = "line_changed", "Line changed"
    LINE_REMOVED = "line_removed", "Line removed"
    COPIED_FORWARD = "copied_forward", "Lines copied from the previous year"
    BUILT = "built", "Built from the neighbourhood sheets"
    REPRICED = "repriced", "Re-priced with the current proxies"
    SUBMITTED = "submitted", "Submitted for validation"
    RETURNED = "returned", "Returned for changes"
    VALIDATED = "validated", "Validated"
    PUBLISHED = "published", "Published"
    RESTATED = "restated", "Restatement started"


class BalanceSheetEvent(models.Model):
    """The history of a sheet: every change to it and its lines, who made it, when, before and
    after. Rows are only ever added (the database refuses updates)."""

    sheet = models.ForeignKey(BalanceSheet, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=SheetAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    comment = models.TextField(blank=True)
    # When the step happened: now, or when a record of the past says (core.clock).
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "balance sheet history entry"
        verbose_name_plural = "balance sheet history"
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=SheetAction.values), name="balancesheetevent_action_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.created_at:%d %b %Y %H:%M})"


# The audit trail (audit.trail): a snapshot of each write, kept by database triggers.
class BalanceSheetTrailEvent(trail_event_model(BalanceSheet, model_name="BalanceSheetTrailEvent")):
    pass


class BalanceSheetLineEvent(trail_event_model(BalanceSheetLine)):
    pass
