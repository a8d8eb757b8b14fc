"""The officers' and the CWB Group's admin for the CWB framework and LM3 studies.

Metric values change only through the services: the change form saves through
`metric_value_save`, and the actions submit, validate, return (with a comment) and reopen (with a
reason), so every change lands in the value's history. Validating and returning are offered only
to the CWB Group, and the services refuse anyone else whatever their permissions. Submitted and
validated values are read-only; values are never deleted.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst

from core import formatting
from core.admin import (
    NoFieldsForm,
    ReadOnlyTabularInline,
    WorkflowActionsMixin,
    confirmation_data,
    confirmation_page,
    counted,
)
from core.forms import decimals_as_typed
from metrics.admin_actions import VALUE_DETAIL_ACTIONS, reopen_form, return_form
from metrics.lm3 import lm3_for_study, lm3_round2_suppliers_from_spend
from metrics.models import (
    Foundation,
    LM3Study,
    Metric,
    MetricValue,
    MetricValueChange,
)
from metrics.notifications import metric_value_notifications_batched
from metrics.periods import period_label
from metrics.selectors import metric_value_history
from metrics.services import (
    is_cwb_group_member,
    lm3_study_save,
    metric_value_problems,
    metric_value_reopen,
    metric_value_return,
    metric_value_save,
    metric_value_submit,
    metric_value_validate,
)
from metrics.sources import metric_source_choices, metric_source_get

# The spend register's admin lives beside its code; importing it registers it.
from metrics.spend import admin as _spend_admin  # noqa: F401
from metrics.spend import admin_exclusions as _spend_exclusions_admin  # noqa: F401
from metrics.templatetags.metric_format import metric_value_format
from metrics.workflows import EDITABLE, REOPEN, RETURN, SUBMIT, VALIDATE, VALUE_WORKFLOW

HISTORY_FIELDS_SHOWN = ("value", "evidence", "status", "return_comment")


@admin.register(Foundation)
class FoundationAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order"]
    search_fields = ["name", "code"]


# --- Metrics ---------------------------------------------------------------------------------


class MetricForm(forms.ModelForm):
    class Meta:
        model = Metric
        fields = [
            "code",
            "name",
            "foundation",
            "unit",
            "better",
            "method",
            "owning_department",
            "frequency",
            "baseline",
            "baseline_period",
            "target",
            "target_period",
            "by_neighbourhood",
            "computed",
            "source",
            "order",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        decimals_as_typed(self)
        if "source" in self.fields:
            keys = ", ".join(key for key, _ in metric_source_choices())
            self.fields["source"].help_text += f" Registered sources: {keys}."

    def clean(self):
        cleaned = super().clean()
        computed, source = cleaned.get("computed"), cleaned.get("source", "")
        if computed and not source:
            self.add_error("source", "Enter the source that computes this metric")
        elif computed and metric_source_get(source) is None:
            self.add_error("source", "Enter one of the registered sources")
        elif source and not computed:
            self.add_error("computed", "Tick computed, or leave the source empty")
        return cleaned


@admin.register(Metric)
class MetricAdmin(admin.ModelAdmin):
    form = MetricForm
    list_display = [
        "name",
        "code",
        "foundation",
        "unit",
        "better",
        "frequency",
        "by_neighbourhood",
        "computed",
        "is_active",
    ]
    list_filter = [
        ("foundation", admin.RelatedOnlyFieldListFilter),
        "unit",
        "computed",
        "by_neighbourhood",
        "is_active",
    ]
    search_fields = ["name", "code", "method", "owning_department"]
    list_select_related = ["foundation"]

    def view_on_site(self, obj):
        return reverse("metrics:detail", args=[obj.code])

    # On a page that only shows a metric (a viewer's), its baseline and target read in its unit
    # (12.0%, 500), not as the column holds them (12.0000).
    FIGURES_SHOWN = {"baseline": "baseline_shown", "target": "target_shown"}

    def _only_shown(self, request, obj) -> bool:
        return obj is not None and not self.has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        # The reference data file finds a metric by its code: it stays as made.
        if self._only_shown(request, obj):
            return ["code", *self.FIGURES_SHOWN.values()]
        return ["code"] if obj else []

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if not self._only_shown(request, obj):
            return fields
        shown = self.FIGURES_SHOWN
        return [shown.get(f, f) for f in fields if f not in shown.values()]

    @admin.display(description="Baseline")
    def baseline_shown(self, metric):
        return metric_value_format(metric.baseline, metric.unit) or "\u2013"

    @admin.display(description="Target")
    def target_shown(self, metric):
        return metric_value_format(metric.target, metric.unit) or "\u2013"

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj else {"code": ["name"]}


# --- Metric values ----------------------------------------------------------------------------


class MetricValueForm(forms.ModelForm):
    class Meta:
        model = MetricValue
        fields = ["metric", "period_start", "period_end", "neighbourhood", "value", "evidence"]
        widgets = {
            "value": forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            "evidence": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "period_start": "Annual metrics: 1 April, the start of a financial year.",
            "period_end": "Annual metrics: 31 March, the end of the financial year.",
            "value": "A number only: 18.2 for 18.2%, 1250000 for £1,250,000.",
            "evidence": "Where the figure comes from: a report, a file, a system.",
        }
        error_messages = {
            "value": {"required": "Enter the value", "invalid": "Enter the value as a number"},
            "metric": {"required": "Choose the metric"},
            "period_start": {
                "required": "Enter the date the period starts",
                "invalid": "Enter the start date as a real date",
            },
            "period_end": {
                "required": "Enter the date the period ends",
                "invalid": "Enter the end date as a real date",
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        decimals_as_typed(self)
        if "metric" in self.fields:
            # Officers type values only for metrics the system does not compute.
            self.fields["metric"].queryset = Metric.objects.filter(
                is_active=True, computed=False
            ).order_by("foundation__order", "order", "name")
        if "neighbourhood" in self.fields:
            self.fields["neighbourhood"].empty_label = "The whole borough"

    def _field(self, name):
        if name in self.fields:
            return self.cleaned_data.get(name)
        return getattr(self.instance, name, None)

    def clean(self):
        cleaned = super().clean()
        metric = self._field("metric")
        if metric is None:
            return cleaned
        if self.instance.pk is None and metric.computed:
            self.add_error(
                "metric",
                "This metric is computed by the system, not typed in: its values appear as "
                "drafts when the metrics are computed",
            )
            return cleaned
        problems = metric_value_problems(
            metric=metric,
            period_start=self._field("period_start"),
            period_end=self._field("period_end"),
            neighbourhood=self._field("neighbourhood"),
            value=self._field("value"),
        )
        for name, message in problems.items():
            if name == "value" and "value" in self.fields and self.has_error("value"):
                continue  # the field's own message already says it
            self.add_error(name if name in self.fields else None, message)
        return cleaned


def _as_typed(key: str, text):
    """A stored figure as a person would type it (4990, not 4990.0000); anything else as it is."""
    number = formatting.as_decimal(text) if key == "value" else None
    return text if number is None else f"{number.normalize():f}"


def _what_changed(before: dict, after: dict) -> str:
    parts = []
    for key in HISTORY_FIELDS_SHOWN:
        old, new = _as_typed(key, before.get(key)), _as_typed(key, after.get(key))
        if old == new:
            continue
        if not before:
            if new:
                parts.append(f"{key.replace('_', ' ')}: {new}")
        else:
            parts.append(f"{key.replace('_', ' ')}: {old or '(empty)'} → {new or '(empty)'}")
    return "; ".join(parts) or "—"


class MetricValueChangeInline(ReadOnlyTabularInline):
    """The history kept before the audit trail existed: read only, shown where a value has it."""

    model = MetricValueChange
    verbose_name = "change"
    verbose_name_plural = "History before the audit trail (read only)"
    fields = ["changed_at", "action", "changed_by", "what_changed", "comment"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")

    @admin.display(description="what changed")
    def what_changed(self, obj: MetricValueChange) -> str:
        return _what_changed(obj.before or {}, obj.after or {})


@admin.register(MetricValue)
class MetricValueAdmin(WorkflowActionsMixin, admin.ModelAdmin):
    # The page's Submit, Validate, Return and Reopen buttons (metrics.admin_actions).
    workflow = VALUE_WORKFLOW
    detail_actions = VALUE_DETAIL_ACTIONS
    form = MetricValueForm
    list_display = [
        "metric",
        "period",
        "area",
        "value_display",
        "status",
        "submitted_by",
        "validated_by",
        "updated_at",
    ]
    list_filter = [
        "status",
        ("metric", admin.RelatedOnlyFieldListFilter),
        ("metric__foundation", admin.RelatedOnlyFieldListFilter),
        ("neighbourhood", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["metric__name", "metric__code", "evidence"]
    search_help_text = "Search by metric name or code, or the evidence."
    list_select_related = ["metric", "neighbourhood", "submitted_by", "validated_by"]
    ordering = ["-period_start", "metric__foundation__order", "metric__order", "neighbourhood"]
    inlines = [MetricValueChangeInline]
    actions = ["submit_selected", "validate_selected", "return_selected", "reopen_selected"]
    STATE_FIELDS = [
        "status",
        "return_comment",
        "created_by",
        "submitted_by",
        "submitted_at",
        "validated_by",
        "validated_at",
        "created_at",
        "updated_at",
    ]
    IDENTITY_FIELDS = ["metric", "period_start", "period_end", "neighbourhood"]

    def _value_only_shown(self, request, obj) -> bool:
        return obj is not None and (
            obj.metric.computed
            or obj.status not in EDITABLE
            or not self.has_change_permission(request, obj)
        )

    def get_fields(self, request, obj=None):
        history = ["history"] if obj is not None else []
        # A value shown, not edited, reads in its unit (18.8%), not as stored (18.7585).
        value = "value_display" if self._value_only_shown(request, obj) else "value"
        return [*self.IDENTITY_FIELDS, value, "evidence", *self.STATE_FIELDS, *history]

    def get_inlines(self, request, obj):
        # Only values older than the audit trail have a history of the old kind.
        return self.inlines if obj is not None and obj.changes.exists() else []

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.STATE_FIELDS
        readonly = [*self.IDENTITY_FIELDS, *self.STATE_FIELDS, "history"]
        if self._value_only_shown(request, obj):
            readonly.append("value_display")
        if obj.status not in EDITABLE:
            readonly.append("evidence")
        return readonly

    @admin.display(description="period", ordering="period_start")
    def period(self, obj: MetricValue) -> str:
        return period_label(obj.period_start, obj.period_end)

    def workflow_item_label(self, obj: MetricValue) -> str:
        return f"{obj.metric}: {self.value_display(obj)} ({self.period(obj)}, {self.area(obj)})"

    @admin.display(description="History")
    def history(self, obj: MetricValue) -> str:
        """The value's audit trail: each step, who, when, what changed, the comment."""
        rows = [
            (
                f"{change.changed_at:%d %b %Y %H:%M}",
                change.action,
                change.changed_by or "—",
                _what_changed(change.before, change.after),
                change.comment or "—",
            )
            for change in metric_value_history(metric_value=obj)
        ]
        return format_html(
            "<table><thead><tr><th>When</th><th>Step</th><th>By</th><th>What changed</th>"
            "<th>Comment</th></tr></thead><tbody>{}</tbody></table>",
            format_html_join(
                "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows
            ),
        )

    @admin.display(description="area", ordering="neighbourhood__name")
    def area(self, obj: MetricValue) -> str:
        return obj.neighbourhood.name if obj.neighbourhood else "Whole borough"

    @admin.display(description="value", ordering="value")
    def value_display(self, obj: MetricValue) -> str:
        return metric_value_format(obj.value, obj.metric.unit)

    def has_change_permission(self, request, obj=None):
        # Submitted and validated values are read-only: they change through the actions.
        if obj is not None and obj.status not in EDITABLE:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_validate_permission(self, request) -> bool:
        return is_cwb_group_member(request.user) and super().has_change_permission(request)

    def save_model(self, request, obj, form, change):
        saved = metric_value_save(
            actor=request.user,
            metric=obj.metric,
            period_start=obj.period_start,
            period_end=obj.period_end,
            neighbourhood=obj.neighbourhood,
            value=obj.value,
            evidence=obj.evidence,
        )
        obj.pk = saved.pk
        obj.refresh_from_db()

    # The workflow's actions.

    def _confirmation_page(self, request, queryset, **page):
        queryset = queryset.select_related("metric", "neighbourhood")
        return confirmation_page(self, request, queryset, **page)

    def _apply(self, request, values, service, **kwargs) -> int:
        """Run a workflow service over values, all or nothing; returns how many changed. Each
        person told about the values is emailed once, about them all."""
        try:
            with transaction.atomic(), metric_value_notifications_batched():
                for value in values:
                    service(metric_value=value, actor=request.user, **kwargs)
        except (ValidationError, PermissionDenied) as error:
            message = "; ".join(getattr(error, "messages", [str(error)]))
            self.message_user(request, f"Nothing was changed: {message}", messages.ERROR)
            return 0
        return len(values)

    def _left_alone(self, request, count: int, why: str) -> None:
        if count > 0:
            self.message_user(
                request,
                counted(
                    f"%(count)d selected value {why}, so it was left alone.",
                    f"%(count)d selected values: each {why}, so they were left alone.",
                    count,
                ),
                messages.WARNING,
            )

    @staticmethod
    def _ids(queryset) -> list[MetricValue]:
        return list(queryset.select_related(None).order_by("pk").only("pk"))

    @admin.action(description="Submit selected values for validation", permissions=["change"])
    def submit_selected(self, request, queryset):
        chosen = queryset.count()
        values = self._ids(queryset.filter(status__in=VALUE_WORKFLOW.states_from(SUBMIT)))
        done = self._apply(request, values, metric_value_submit)
        if done:
            self.message_user(
                request,
                counted(
                    "Submitted %(count)d value for validation.",
                    "Submitted %(count)d values for validation.",
                    done,
                ),
                messages.SUCCESS,
            )
        self._left_alone(request, chosen - len(values), "was not a draft or returned value")

    @admin.action(description="Validate selected values (CWB Group)…", permissions=["validate"])
    def validate_selected(self, request, queryset):
        if confirmation_data(request) is None:
            # Validating makes values public: the validator sees what they validate first.
            return self._confirmation_page(
                request,
                queryset,
                action="validate_selected",
                form=NoFieldsForm(),
                title="Validate values",
                intro="These values become public once validated. Check each value and its "
                "evidence first. Only values waiting for validation, submitted by someone else, "
                "are validated.",
                submit="Validate values",
            )
        chosen = queryset.count()
        submitted = queryset.filter(status__in=VALUE_WORKFLOW.states_from(VALIDATE))
        values = self._ids(submitted.exclude(submitted_by=request.user))
        own = submitted.filter(submitted_by=request.user).count()
        done = self._apply(request, values, metric_value_validate)
        if done:
            self.message_user(
                request,
                counted(
                    "Validated %(count)d value: it is now public.",
                    "Validated %(count)d values: they are now public.",
                    done,
                ),
                messages.SUCCESS,
            )
        self._left_alone(request, own, "was submitted by you and needs another member to validate")
        self._left_alone(request, chosen - len(values) - own, "was not waiting for validation")

    @admin.action(description="Return selected values with comments…", permissions=["validate"])
    def return_selected(self, request, queryset):
        form = return_form(confirmation_data(request))
        if form.is_bound and form.is_valid():
            chosen = queryset.count()
            values = self._ids(queryset.filter(status__in=VALUE_WORKFLOW.states_from(RETURN)))
            done = self._apply(
                request, values, metric_value_return, comment=form.cleaned_data["comment"]
            )
            if done:
                self.message_user(
                    request,
                    counted(
                        "Returned %(count)d value to the officers.",
                        "Returned %(count)d values to the officers.",
                        done,
                    ),
                    messages.SUCCESS,
                )
            self._left_alone(request, chosen - len(values), "was not waiting for validation")
            return None
        return self._confirmation_page(
            request,
            queryset,
            action="return_selected",
            form=form,
            title="Return values with comments",
            intro="These values go back to the officers with your comment. Only values waiting "
            "for validation are returned.",
            submit="Return values",
        )

    @admin.action(
        description="Reopen selected validated values for correction…", permissions=["change"]
    )
    def reopen_selected(self, request, queryset):
        form = reopen_form(confirmation_data(request))
        if form.is_bound and form.is_valid():
            chosen = queryset.count()
            values = self._ids(queryset.filter(status__in=VALUE_WORKFLOW.states_from(REOPEN)))
            done = self._apply(
                request, values, metric_value_reopen, reason=form.cleaned_data["comment"]
            )
            if done:
                self.message_user(
                    request,
                    counted(
                        "Reopened %(count)d value as a draft.",
                        "Reopened %(count)d values as drafts.",
                        done,
                    ),
                    messages.SUCCESS,
                )
            self._left_alone(request, chosen - len(values), "was not validated")
            return None
        return self._confirmation_page(
            request,
            queryset,
            action="reopen_selected",
            form=form,
            title="Reopen validated values for correction",
            intro="These validated values become drafts again: they leave the public pages until "
            "they are corrected, submitted and validated again.",
            submit="Reopen values",
        )


# --- LM3 studies ------------------------------------------------------------------------------


class LM3StudyForm(forms.ModelForm):
    class Meta:
        model = LM3Study
        fields = [
            "name",
            "organisation",
            "period_start",
            "period_end",
            "round1_income",
            "round2_from_spend_data",
            "round2_local_suppliers",
            "round2_local_staff",
            "supplier_respend_rate",
            "staff_respend_rate",
            "notes",
        ]
        widgets = {
            name: forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
            for name in (
                "round1_income",
                "round2_local_suppliers",
                "round2_local_staff",
                "supplier_respend_rate",
                "staff_respend_rate",
            )
        }
        labels = {"round2_from_spend_data": "Draw round 2 supplier spend from the spend data"}
        help_texts = {
            "round2_from_spend_data": "Tick to fill in round 2 supplier spend from the imported "
            "spend: payments in the period to suppliers in the borough.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A reader (the CWB Group) gets a form without the fields it may not change.
        if "round2_local_suppliers" in self.fields:
            field = self.fields["round2_local_suppliers"]
            field.required = False
            field.help_text = "Leave empty when it is drawn from the spend data."

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The end of the period must be on or after its start")
            start = end = None
        if cleaned.get("round2_from_spend_data"):
            if start and end:
                drawn = lm3_round2_suppliers_from_spend(period_start=start, period_end=end)
                if drawn > 0:
                    cleaned["round2_local_suppliers"] = drawn
                    self.instance.round2_local_suppliers = drawn
                else:
                    self.add_error(
                        "round2_from_spend_data",
                        "No spend with suppliers in the borough is held for this period: "
                        "enter round 2 supplier spend instead",
                    )
        elif cleaned.get("round2_local_suppliers") is None and not self.has_error(
            "round2_local_suppliers"
        ):
            self.add_error("round2_local_suppliers", "Enter the spend with local suppliers")
        income = cleaned.get("round1_income")
        if income is not None and income <= 0:
            self.add_error("round1_income", "Enter an income of more than £0")
        for name in ("round2_local_suppliers", "round2_local_staff"):
            amount = cleaned.get(name)
            if amount is not None and amount < 0 and not self.has_error(name):
                self.add_error(name, "Enter an amount of £0 or more")
        suppliers = cleaned.get("round2_local_suppliers")
        staff = cleaned.get("round2_local_staff")
        if (
            income is not None
            and income > 0
            and suppliers is not None
            and staff is not None
            and suppliers >= 0
            and staff >= 0
            and suppliers + staff > income
        ):
            self.add_error(
                "round2_local_staff",
                "Round 2 (local suppliers and local staff together) cannot be more than the "
                "round 1 income",
            )
        for name in ("supplier_respend_rate", "staff_respend_rate"):
            rate = cleaned.get(name)
            if rate is not None and not 0 <= rate <= 1 and not self.has_error(name):
                self.add_error(name, "Enter the rate as a fraction from 0 to 1, like 0.45 for 45%")
        return cleaned


def _lm3_label(name: str) -> str:
    return capfirst(LM3Study._meta.get_field(name).verbose_name)


@admin.register(LM3Study)
class LM3StudyAdmin(admin.ModelAdmin):
    form = LM3StudyForm
    list_display = [
        "name",
        "organisation",
        "period",
        "lm3",
        "round2_from_spend_data",
        "created_by",
    ]
    list_filter = ["round2_from_spend_data"]
    search_fields = ["name", "organisation", "notes"]
    list_select_related = ["created_by"]
    readonly_fields = ["lm3", "created_by", "created_at"]
    # For those who only view a study: pounds and re-spend rates as people read them (£118,000,
    # 38%), not as the columns hold them (118000.00, 0.3800).
    FIGURES_SHOWN = {
        "round1_income": "round1_income_shown",
        "round2_local_suppliers": "round2_local_suppliers_shown",
        "round2_local_staff": "round2_local_staff_shown",
        "supplier_respend_rate": "supplier_respend_rate_shown",
        "staff_respend_rate": "staff_respend_rate_shown",
    }

    def _only_shown(self, request, obj) -> bool:
        return obj is not None and not self.has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if self._only_shown(request, obj):
            return [*self.readonly_fields, *self.FIGURES_SHOWN.values()]
        return self.readonly_fields

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if not self._only_shown(request, obj):
            return fields
        shown = self.FIGURES_SHOWN
        return [shown.get(f, f) for f in fields if f not in shown.values()]

    def _pounds(self, value) -> str:
        return formatting.pounds(value)

    def _rate(self, value) -> str:
        return formatting.percentage(None if value is None else value * 100, places=0)

    @admin.display(description=_lm3_label("round1_income"))
    def round1_income_shown(self, study):
        return self._pounds(study.round1_income)

    @admin.display(description=_lm3_label("round2_local_suppliers"))
    def round2_local_suppliers_shown(self, study):
        return self._pounds(study.round2_local_suppliers)

    @admin.display(description=_lm3_label("round2_local_staff"))
    def round2_local_staff_shown(self, study):
        return self._pounds(study.round2_local_staff)

    @admin.display(description=_lm3_label("supplier_respend_rate"))
    def supplier_respend_rate_shown(self, study):
        return self._rate(study.supplier_respend_rate)

    @admin.display(description=_lm3_label("staff_respend_rate"))
    def staff_respend_rate_shown(self, study):
        return self._rate(study.staff_respend_rate)

    def view_on_site(self, obj):
        return reverse("metrics:lm3_detail", args=[obj.pk])

    @admin.display(description="period", ordering="period_start")
    def period(self, obj: LM3Study) -> str:
        return period_label(obj.period_start, obj.period_end)

    @admin.display(description="LM3")
    def lm3(self, obj: LM3Study) -> str:
        if obj.pk is None:
            return "Worked out when the study is saved"
        try:
            return str(lm3_for_study(obj).lm3)
        except (ValueError, TypeError):
            return "—"

    def save_model(self, request, obj, form, change):
        lm3_study_save(study=obj, actor=request.user)
