"""The admin for Community Balance Sheets.

The indicator library and its proxy values are edited here and imported from the council's own
spreadsheet. Sheets and their lines go through the same services as the officers' editor (the
workflow steps are actions), so the history records every change and the rules hold: lines
change only on a draft or returned sheet, only the CWB Group validates, only validated sheets
are published, and a published sheet is restated, never edited.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX

from balancesheets import services
from balancesheets.models import (
    BalanceSheet,
    BalanceSheetEvent,
    BalanceSheetLine,
    Capital,
    Indicator,
    ProxyValue,
)
from balancesheets.resources import IndicatorResource, ProxyValueResource
from balancesheets.workflows import EDIT, EDITABLE_STATUSES, SHEET_WORKFLOW
from core import formatting
from core.admin import (
    NoFieldsForm,
    ReadOnlyAdminMixin,
    ReadOnlyTabularInline,
    confirmation_data,
    confirmation_page,
)
from core.forms import GovukErrorsMixin

SPREADSHEET_FORMATS = [CSV, XLSX]


@admin.register(Capital)
class CapitalAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order"]
    search_fields = ["name", "code"]


class ProxyValueInline(admin.TabularInline):
    model = ProxyValue
    extra = 0
    fields = ["price_year", "value_per_unit", "source", "is_illustrative", "notes"]


@admin.register(Indicator)
class IndicatorAdmin(ImportExportModelAdmin):
    list_display = ["name", "code", "capital", "side", "unit", "order", "is_active"]
    list_filter = [("capital", admin.RelatedOnlyFieldListFilter), "side", "is_active"]
    search_fields = ["name", "code", "description"]
    list_select_related = ["capital"]
    readonly_fields = []
    inlines = [ProxyValueInline]
    resource_classes = [IndicatorResource]
    formats = SPREADSHEET_FORMATS

    def get_readonly_fields(self, request, obj=None):
        # Reference data and imports find an indicator by its code: it stays as made.
        return ["code"] if obj else self.readonly_fields


@admin.register(ProxyValue)
class ProxyValueAdmin(ImportExportModelAdmin):
    list_display = ["indicator", "price_year", "value_per_unit", "source", "is_illustrative"]
    list_filter = [
        "price_year",
        "is_illustrative",
        ("indicator__capital", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["indicator__name", "indicator__code", "source"]
    list_select_related = ["indicator"]
    readonly_fields = ["updated_at"]
    resource_classes = [ProxyValueResource]
    formats = SPREADSHEET_FORMATS


class LineAdminForm(forms.ModelForm):
    """A line in the sheet's inline: the £ value is the proxy's unless entered with a reason."""

    entered_value = forms.DecimalField(
        label="£ value, if not quantity times the proxy",
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
    )

    class Meta:
        model = BalanceSheetLine
        fields = ["indicator", "quantity", "entered_value", "override_reason", "evidence", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.value_overridden:
            self.initial["entered_value"] = self.instance.value

    def clean(self):
        cleaned = super().clean()
        indicator, quantity = cleaned.get("indicator"), cleaned.get("quantity")
        sheet = getattr(self, "sheet", None)
        if indicator is None or quantity is None or sheet is None or cleaned.get("DELETE"):
            return cleaned
        try:
            services.line_price(
                line=BalanceSheetLine(quantity=quantity),
                proxy=services.proxy_applicable(indicator=indicator, year=sheet.year),
                entered_value=cleaned.get("entered_value"),
                override_reason=cleaned.get("override_reason", ""),
            )
        except ValidationError as error:
            for field, errors in error.error_dict.items():
                for message in errors:
                    self.add_error(field if field in self.fields else None, message)
        return cleaned


class LineInline(admin.TabularInline):
    model = BalanceSheetLine
    form = LineAdminForm
    extra = 0
    fields = [
        "indicator",
        "quantity",
        "unit_value",
        "value",
        "entered_value",
        "override_reason",
        "evidence",
        "note",
    ]
    autocomplete_fields = ["indicator"]
    # Figures shown rather than edited read in the house style (£3,400.00, 1,065), not as the
    # column holds them (3400.00, 1065.00), and no "None" for a £ value that was not entered.
    SHOWN = {
        "quantity": "quantity_shown",
        "unit_value": "unit_value_shown",
        "value": "value_shown",
        "entered_value": "entered_value_shown",
    }

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        shown = self.get_readonly_fields(request, obj)
        return [self.SHOWN[f] if self.SHOWN.get(f) in shown else f for f in fields]

    def get_readonly_fields(self, request, obj=None):
        if self._editable(request, obj):
            return ["unit_value_shown", "value_shown"]
        return list(self.SHOWN.values())

    @admin.display(description="Quantity")
    def quantity_shown(self, line):
        return formatting.quantity(line.quantity)

    @admin.display(description="£ per unit")
    def unit_value_shown(self, line):
        return formatting.pounds(line.unit_value, pence=True)

    @admin.display(description="£ value")
    def value_shown(self, line):
        return formatting.pounds(line.value, pence=True)

    @admin.display(description="£ value entered")
    def entered_value_shown(self, line):
        return formatting.pounds(line.value, pence=True) if line.value_overridden else "\u2013"

    def _editable(self, request, obj) -> bool:
        # Asked for each line's form: only the edit step's own check, not the whole table's.
        return obj is not None and SHEET_WORKFLOW.offers(EDIT, obj, request.user)

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(request, obj)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class SheetFormset(formset):
            def _construct_form(self, i, **form_kwargs):
                form = super()._construct_form(i, **form_kwargs)
                form.sheet = obj
                return form

            @property
            def empty_form(self):
                form = super().empty_form
                form.sheet = obj
                return form

        return SheetFormset

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("indicator")


class EventInline(ReadOnlyTabularInline):
    model = BalanceSheetEvent
    verbose_name_plural = "History"
    fields = ["created_at", "action", "actor", "indicator", "before", "after", "comment"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "indicator")


class SheetAddForm(GovukErrorsMixin, forms.ModelForm):
    class Meta:
        model = BalanceSheet
        fields = ["council", "neighbourhood", "year"]

    def clean(self):
        cleaned = super().clean()
        council, year = cleaned.get("council"), cleaned.get("year")
        if (
            council
            and year
            and BalanceSheet.objects.filter(
                council=council, neighbourhood=cleaned.get("neighbourhood"), year=year
            ).exists()
        ):
            raise ValidationError("That area already has a balance sheet for that year.")
        return cleaned


WORKFLOW_FIELDS = [
    "status",
    "version",
    "restates",
    "restatement_reason",
    "created_at",
    "created_by",
    "submitted_at",
    "submitted_by",
    "returned_at",
    "returned_by",
    "return_comments",
    "validated_at",
    "validated_by",
    "validation_comments",
    "published_at",
    "published_by",
]


@admin.register(BalanceSheet)
class BalanceSheetAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "year_label",
        "area",
        "version",
        "status",
        "submitted_at",
        "validated_by",
        "published_at",
    ]
    list_filter = ["status", "year", ("neighbourhood", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["neighbourhood__name", "restatement_reason", "return_comments"]
    list_select_related = ["council", "neighbourhood", "validated_by"]
    ordering = ["-year", "neighbourhood__order", "-version"]
    inlines = [LineInline, EventInline]
    actions = ["submit_selected", "validate_selected", "publish_selected"]
    # The sheet's page links to the steps the workflow offers this user now; each is taken on
    # the balance-sheet editor's confirmation page (balancesheets.views.manage).
    change_form_template = "admin/workflow_change_form.html"
    EDITOR_STEPS = ("submit", "validate", "return", "publish", "restate")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = SheetAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["council", "neighbourhood", "year"]
        return ["council", "neighbourhood", "year", "editor_link", *WORKFLOW_FIELDS]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["council", "neighbourhood", "year", "editor_link", *WORKFLOW_FIELDS]

    @admin.display(description="financial year", ordering="year")
    def year_label(self, obj: BalanceSheet) -> str:
        return obj.year_label

    @admin.display(description="area", ordering="neighbourhood__order")
    def area(self, obj: BalanceSheet) -> str:
        return obj.area_name

    @admin.display(description="editor")
    def editor_link(self, obj: BalanceSheet) -> str:
        url = reverse("balancesheets:manage_sheet", args=[obj.pk])
        return format_html('<a href="{}">Open the sheet in the balance sheet editor</a>', url)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None:
            offered = {action.name for action in SHEET_WORKFLOW.available(obj, request.user)}
            context["workflow_state_label"] = obj.get_status_display()
            context["workflow_actions"] = [
                {
                    "name": name,
                    "label": SHEET_WORKFLOW[name].label,
                    "url": reverse(f"balancesheets:manage_{name}", args=[obj.pk]),
                }
                for name in self.EDITOR_STEPS
                if name in offered
            ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def has_delete_permission(self, request, obj=None):
        # Only a sheet never submitted may go; the rest is the record.
        if obj is not None and (obj.submitted_at or obj.status not in EDITABLE_STATUSES):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            return  # every field is read-only: the lines are saved through the services
        try:
            created = services.balance_sheet_create(
                council=obj.council, neighbourhood=obj.neighbourhood, year=obj.year,
                actor=request.user,
            )  # fmt: skip
        except ValidationError as error:
            raise PermissionDenied(" ".join(error.messages)) from error
        obj.pk = created.pk
        obj.refresh_from_db()

    def save_formset(self, request, form, formset, change):
        if formset.model is not BalanceSheetLine:
            return super().save_formset(request, form, formset, change)
        sheet = form.instance
        # What the admin's change message reads; the services wrote the history itself.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        with transaction.atomic():
            for line_form in formset.forms:
                if not line_form.has_changed() and not line_form.cleaned_data.get("DELETE"):
                    continue
                data = line_form.cleaned_data
                line = line_form.instance
                if data.get("DELETE"):
                    if line.pk:
                        services.balance_sheet_line_remove(line=line, actor=request.user)
                    continue
                entry = services.LineInput(
                    quantity=data["quantity"],
                    value=data.get("entered_value"),
                    override_reason=data.get("override_reason", ""),
                    evidence=data.get("evidence", ""),
                    note=data.get("note", ""),
                )
                if line.pk:
                    services.balance_sheet_line_change(line=line, data=entry, actor=request.user)
                else:
                    services.balance_sheet_line_add(
                        sheet=sheet, indicator=data["indicator"], data=entry, actor=request.user
                    )
        return None

    def _each(self, request, queryset, step, done: str) -> None:
        changed = 0
        for sheet in queryset:
            try:
                step(sheet=sheet, actor=request.user)
                changed += 1
            except (ValidationError, PermissionDenied) as error:
                text = " ".join(getattr(error, "messages", [str(error)]))
                self.message_user(request, f"{sheet}: {text}", messages.WARNING)
        if changed:
            self.message_user(request, f"{done} {changed} sheet(s).", messages.SUCCESS)

    @admin.action(description="Submit selected sheets for validation", permissions=["submit"])
    def submit_selected(self, request, queryset):
        self._each(request, queryset, services.balance_sheet_submit, "Submitted")

    def _asked_first(self, request, queryset, *, action, title, intro, submit):
        """Steps that make sheets count or public are confirmed on the intermediate page."""
        if confirmation_data(request) is not None:
            return None
        return confirmation_page(
            self,
            request,
            queryset.select_related("council", "neighbourhood"),
            action=action,
            form=NoFieldsForm(),
            title=title,
            intro=intro,
            submit=submit,
        )

    @admin.action(description="Validate selected sheets (CWB Group)…", permissions=["validate"])
    def validate_selected(self, request, queryset):
        page = self._asked_first(
            request,
            queryset,
            action="validate_selected",
            title="Validate balance sheets",
            intro="Check each sheet's lines and evidence first: validated sheets can be "
            "published, and count in the borough sheet. Only sheets submitted by someone else "
            "are validated.",
            submit="Validate sheets",
        )
        if page is None:
            self._each(request, queryset, services.balance_sheet_validate, "Validated")
        return page

    @admin.action(description="Publish selected sheets…", permissions=["publish"])
    def publish_selected(self, request, queryset):
        page = self._asked_first(
            request,
            queryset,
            action="publish_selected",
            title="Publish balance sheets",
            intro="These sheets appear on the public pages, with their CSV, JSON and PDF. A "
            "published sheet cannot be changed, only restated. Only validated sheets are "
            "published.",
            submit="Publish sheets",
        )
        if page is None:
            self._each(request, queryset, services.balance_sheet_publish, "Published")
        return page

    def has_submit_permission(self, request):
        return services.user_can_submit(request.user)

    def has_validate_permission(self, request):
        return services.user_is_validator(request.user)

    def has_publish_permission(self, request):
        return services.user_can_publish(request.user)


@admin.register(BalanceSheetLine)
class BalanceSheetLineAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every line of every sheet, to search; lines are changed on their sheet."""

    list_display = ["sheet", "indicator", "quantity", "unit_value", "value", "value_overridden"]
    list_filter = [
        "value_overridden",
        "sheet__year",
        "sheet__status",
        ("indicator__capital", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["indicator__name", "evidence", "note", "override_reason"]
    list_select_related = ["sheet", "sheet__neighbourhood", "sheet__council", "indicator"]
    fields = [
        "sheet",
        "indicator",
        "quantity",
        "proxy",
        "unit_value",
        "value",
        "value_overridden",
        "override_reason",
        "evidence",
        "note",
        "updated_at",
    ]
    readonly_fields = fields


@admin.register(BalanceSheetEvent)
class BalanceSheetEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The history of every sheet: read-only for everyone."""

    list_display = ["created_at", "sheet", "action", "actor", "indicator"]
    list_filter = ["action", ("actor", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["comment", "indicator__name"]
    list_select_related = ["sheet", "sheet__neighbourhood", "sheet__council", "actor", "indicator"]
    fields = ["sheet", "action", "actor", "indicator", "before", "after", "comment", "created_at"]
    readonly_fields = fields
    ordering = ["-created_at", "-pk"]
