"""The officers' admin for spend: uploading spending files, the supplier register, payments.

An upload is stored and imported in the background (metrics.spend.uploads), through the same
service as `manage.py import_spend`: the officer is sent to the batch's page, which refreshes
itself while the import runs (how many rows read, how much of the file) and then shows the
result, or every bad row. An imported batch waits in review: its page previews what publishing
it changes (rows, total, the shares before and after) and offers Publish and Discard, then
Withdraw (with a reason) once published, each with a confirmation (core.admin's
WorkflowActionsMixin). A file already held is refused at upload, naming the batch that holds
it. Import batches and payments are otherwise read-only. A supplier's locality is
changed only with a reason, through `supplier_locality_override`; SME / VCSE flags come from a
spreadsheet through `supplier_flags_import`.
"""

import csv
import io
from decimal import Decimal
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from core.admin import DetailAction, ReadOnlyAdminMixin, WorkflowActionsMixin
from core.formatting import pounds
from core.forms import GovukErrorsMixin
from core.tabular import header_key
from metrics.spend.importer import header_map_parse
from metrics.spend.models import (
    ImportBatch,
    Locality,
    LocalitySource,
    SpendColumnMapping,
    SpendTransaction,
    Supplier,
)
from metrics.spend.reference import spend_reference
from metrics.spend.selectors import import_batch_preview
from metrics.spend.services import (
    SpendFileHeld,
    import_batch_discard,
    import_batch_publish,
    import_batch_withdraw,
)
from metrics.spend.suppliers import (
    SupplierFlagsImportError,
    supplier_flags_import,
    supplier_localities_refresh,
    supplier_locality_override,
    supplier_locality_override_clear,
)
from metrics.spend.uploads import spend_batches_stale_fail, spend_upload_queue
from metrics.spend.workflows import BATCH_WORKFLOW, REVIEW_PERMISSION
from neighbourhoods.postcodes import normalise_postcode
from neighbourhoods.selectors import council_current

UPLOAD_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm")
UPLOAD_MAX_BYTES = 200_000_000
# How often the page of a batch being imported reloads itself (a meta refresh: no JavaScript).
PROGRESS_REFRESH_SECONDS = 3


class SpendUploadForm(GovukErrorsMixin, forms.Form):
    file = forms.FileField(
        label="Spending file",
        help_text="A “spending over £500” file, CSV or XLSX.",
        error_messages={"required": "Choose a spending file to upload"},
    )
    body_name = forms.CharField(
        label="Body name",
        required=False,
        max_length=200,
        help_text="For rows that do not name the body that paid.",
    )
    header_map = forms.CharField(
        label="Extra column names",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text='One per line, as "Column Header=field" (e.g. "Cost Centre=department", or '
        '"VAT=ignore"). Most councils\' headers are recognised without this. A column the file '
        "lacks is an error. Once the file imports, these are saved for the body it is from "
        "(the body name above, else the file's body-name column) and applied to its next "
        "files: see Spend column mappings.",
    )
    leave_out_trivial = forms.BooleanField(
        label="Leave out trivial lines",
        required=False,
        help_text="Lines that fail only because they name no supplier and their amount is under "
        "£1.00 (such as £0.01 “Difference A/c” lines) are left out and listed on the batch's "
        "page, instead of stopping the import. They count in no figure.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        trivial = spend_reference(council=council_current()).trivial_amount
        field = self.fields["leave_out_trivial"]
        field.help_text = field.help_text.replace("£1.00", pounds(trivial, pence=True))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.casefold() not in UPLOAD_SUFFIXES:
            raise ValidationError("The file must be a CSV or an XLSX file")
        if upload.size > UPLOAD_MAX_BYTES:
            raise ValidationError(
                "The file is too large to upload: import it with `manage.py import_spend`"
            )
        return upload

    def clean_header_map(self):
        lines = [line.strip() for line in self.cleaned_data["header_map"].splitlines()]
        try:
            return header_map_parse([line for line in lines if line])
        except ValueError as error:
            raise ValidationError(str(error)) from error


def _report_html(report: list[dict]):
    if not report:
        return "-"
    # A workbook's problems say which sheet each line is on.
    if any(item.get("sheet") for item in report):
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    item.get("sheet", ""),
                    item.get("line") or "",
                    item.get("column", ""),
                    item.get("value", ""),
                    item["reason"],
                )
                for item in report
            ),
        )
        head = mark_safe("<th>Sheet</th>")  # a constant
    else:
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    item.get("line") or "",
                    item.get("column", ""),
                    item.get("value", ""),
                    item["reason"],
                )
                for item in report
            ),
        )
        head = ""
    return format_html(
        "<table><thead><tr>{}<th>Line</th><th>Column</th><th>Value</th><th>Problem</th></tr>"
        "</thead><tbody>{}</tbody></table>",
        head,
        rows,
    )


def _sheets_html(sheets: list[dict]):
    """What each sheet of a workbook gave, and which sheets were not read and why."""
    if not sheets or not any(sheet.get("name") for sheet in sheets):
        return "-"
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                sheet.get("name", ""),
                sheet.get("header_line") or "",
                f"{sheet.get('rows', 0):,}"
                + (f" ({sheet['left_out']:,} left out)" if sheet.get("left_out") else ""),
                sheet.get("skipped", "") or "read",
            )
            for sheet in sheets
        ),
    )
    return format_html(
        "<table><thead><tr><th>Sheet</th><th>Header row</th><th>Lines</th><th>Read</th></tr>"
        "</thead><tbody>{}</tbody></table>",
        rows,
    )


def _left_out_html(count: int, report: list[dict]):
    """The lines left out on purpose (footers; trivial lines, when the officer chose so)."""
    if not count:
        return "-"
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                item.get("sheet", ""),
                item.get("line") or "",
                "" if item.get("amount") is None else pounds(Decimal(item["amount"]), pence=True),
                item.get("text", ""),
                item.get("reason", ""),
            )
            for item in report
        ),
    )
    more = count - len(report)
    return format_html(
        "<p>{} line{} left out.{}</p><table><thead><tr><th>Sheet</th><th>Line</th><th>Amount</th>"
        "<th>Line as written</th><th>Why</th></tr></thead><tbody>{}</tbody></table>",
        f"{count:,}",
        "" if count == 1 else "s",
        f" The first {len(report):,} are listed; {more:,} more." if more > 0 else "",
        rows,
    )


class WithdrawForm(GovukErrorsMixin, forms.Form):
    reason = forms.CharField(
        label="Why the batch is being withdrawn",
        max_length=2000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text="Kept with the batch and in its audit trail, for example “the wrong "
        "quarter's file” or “the council replaced this file with a corrected one”.",
        error_messages={"required": "Enter why the batch is being withdrawn"},
    )


def _publish(request, batch, data) -> int:
    import_batch_publish(batch=batch, actor=request.user)
    return 1


def _discard(request, batch, data) -> int:
    import_batch_discard(batch=batch, actor=request.user)
    return 1


def _withdraw(request, batch, data) -> int:
    import_batch_withdraw(batch=batch, actor=request.user, reason=data["reason"])
    return 1


BATCH_ACTIONS = (
    DetailAction(
        name="publish",
        title="Publish this import batch",
        intro="Its payments will count at once in every public figure: /spend/ and its "
        "downloads, the spend metrics, the impact report and the dashboards. You can withdraw "
        "it later, with a reason.",
        submit="Publish the batch",
        done="The batch is published: its payments now count in the public figures.",
        run=_publish,
        permission="publish",
    ),
    DetailAction(
        name="discard",
        title="Discard this import batch",
        intro="Its payments, never public, will be deleted. The batch stays, with its counts "
        "and its history; the same file can be uploaded again.",
        submit="Discard the batch",
        done="The batch is discarded: its payments were deleted and were never public.",
        run=_discard,
        permission="publish",
    ),
    DetailAction(
        name="withdraw",
        title="Withdraw this published import batch",
        intro="Its payments will be deleted and every public figure will go back to what it "
        "was without them. The batch stays, with your reason and its history; the same file "
        "can be uploaded again.",
        submit="Withdraw the batch",
        done="The batch is withdrawn: the public figures no longer count its payments.",
        run=_withdraw,
        form=WithdrawForm,
        permission="publish",
    ),
)


@admin.register(ImportBatch)
class ImportBatchAdmin(WorkflowActionsMixin, admin.ModelAdmin):
    workflow = BATCH_WORKFLOW
    detail_actions = BATCH_ACTIONS
    list_display = ["file_name", "status", "rows", "added", "imported_by", "imported_at"]
    list_filter = ["status", "imported_at"]
    search_fields = ["file_name", "sha256"]
    list_select_related = ["imported_by"]
    fields = [
        "file_name",
        "status",
        "rows",
        "added",
        "value_added",
        "leave_out_trivial",
        "left_out_lines",
        "sheets_read",
        "sha256",
        "imported_by",
        "imported_at",
        "finished_at",
        "reviewed_by",
        "reviewed_at",
        "withdrawn_by",
        "withdrawn_at",
        "withdrawal_reason",
    ]
    readonly_fields = [*fields, "problems"]
    change_list_template = "admin/metrics/importbatch/change_list.html"
    change_form_template = "admin/metrics/importbatch/change_form.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("imported_by", "reviewed_by", "withdrawn_by")
        )

    def get_fields(self, request, obj=None):
        fields = [
            name
            for name in self.fields
            if obj is None
            or not name.startswith(("reviewed_", "withdraw"))
            or getattr(obj, name, None)
        ]
        if obj is None or not any(sheet.get("name") for sheet in obj.sheets):
            fields.remove("sheets_read")  # a CSV file is one sheet with no name
        if obj is None or not obj.left_out:
            fields.remove("left_out_lines")
        return [*fields, "problems"] if obj and obj.error_report else fields

    @admin.display(description="Total value of the payments added")
    def value_added(self, obj):
        return pounds(obj.total_value, pence=True)

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm(REVIEW_PERMISSION)

    def workflow_item_label(self, obj) -> str:
        payments = f"{obj.added:,} payment{'' if obj.added == 1 else 's'}"
        return f"{obj.file_name} (batch {obj.pk}): {payments}, {pounds(obj.total_value)}"

    def workflow_action_context(self, request, obj, detail, form) -> dict:
        if detail.name == "publish":
            return {
                "preview": import_batch_preview(obj),
                "batch": obj,
                "preview_template": "admin/metrics/importbatch/_preview.html",
            }
        return {}

    @admin.display(description="Sheets")
    def sheets_read(self, obj):
        return _sheets_html(obj.sheets)

    @admin.display(description="Lines left out (in no figure)")
    def left_out_lines(self, obj):
        return _left_out_html(obj.left_out, obj.left_out_report)

    @admin.display(description="Problems (nothing was imported)")
    def problems(self, obj):
        return _report_html(obj.error_report)

    def changelist_view(self, request, extra_context=None):
        spend_batches_stale_fail()
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # A batch whose worker has gone is ended here, so its page never waits for ever.
        spend_batches_stale_fail()
        extra_context = {**(extra_context or {}), "refresh_seconds": PROGRESS_REFRESH_SECONDS}
        return super().change_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if (
            change
            and obj is not None
            and obj.status
            in (
                ImportBatch.Status.REVIEW,
                ImportBatch.Status.PUBLISHED,
            )
        ):
            context["preview"] = import_batch_preview(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "upload/",
                self.admin_site.admin_view(self.upload_view),
                name="metrics_importbatch_upload",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("admin:metrics_importbatch_upload"))

    def _context(self, request, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Upload a spending file",
            **extra,
        }

    def upload_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        posted = request.method == "POST"
        form = SpendUploadForm(request.POST if posted else None, request.FILES if posted else None)
        if request.method != "POST" or not form.is_valid():
            return TemplateResponse(
                request, "admin/metrics/importbatch/upload.html", self._context(request, form=form)
            )
        upload = form.cleaned_data["file"]
        try:
            batch = spend_upload_queue(
                chunks=upload.chunks(),
                file_name=upload.name,
                suffix=Path(upload.name).suffix.casefold(),
                actor=request.user,
                options={
                    "header_map": form.cleaned_data["header_map"],
                    "body_name": form.cleaned_data["body_name"],
                    "leave_out_trivial": form.cleaned_data["leave_out_trivial"],
                },
            )
        except SpendFileHeld as held:
            form.add_error("file", f"{held}. To import it again, first discard or withdraw it")
            context = self._context(request, form=form, held_batch=held.batch)
            return TemplateResponse(request, "admin/metrics/importbatch/upload.html", context)
        messages.info(
            request,
            f"{batch.file_name} is uploaded and will be imported in the background: this page "
            "shows how far it has got, then the result. You may leave it and come back.",
        )
        return HttpResponseRedirect(reverse("admin:metrics_importbatch_change", args=[batch.pk]))


class SpendColumnMappingForm(forms.ModelForm):
    """The mapping as the upload page takes it: one "Column Header=field" a line."""

    columns_text = forms.CharField(
        label="Columns",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 60}),
        help_text='One per line, as "Column Header=field" (the header as the body\'s files spell '
        'it; the field by its name or label, e.g. "Payee=supplier_name", "Net=Amount", or '
        '"VAT=ignore"). Applied to the next file from this body; a column a file lacks is '
        "passed over.",
    )

    class Meta:
        model = SpendColumnMapping
        fields = ["body_name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        columns = self.instance.columns or {}
        self.fields["columns_text"].initial = "\n".join(
            f"{column}={name}" for column, name in columns.items()
        )

    def clean_columns_text(self):
        lines = [line.strip() for line in self.cleaned_data["columns_text"].splitlines()]
        try:
            return header_map_parse([line for line in lines if line])
        except ValueError as error:
            raise ValidationError(str(error)) from error

    def clean_body_name(self):
        name = " ".join(self.cleaned_data["body_name"].split())
        clash = SpendColumnMapping.objects.filter(body_key=header_key(name)[:200]).exclude(
            pk=self.instance.pk
        )
        if clash.exists():
            raise ValidationError("This body has a saved column mapping already: change that one")
        return name

    def save(self, commit=True):
        self.instance.columns = self.cleaned_data["columns_text"]
        return super().save(commit)


@admin.register(SpendColumnMapping)
class SpendColumnMappingAdmin(admin.ModelAdmin):
    """Saved column mappings per publishing body (metrics.spend.mappings), audited."""

    form = SpendColumnMappingForm
    list_display = ["body_name", "columns_listed", "updated_by", "updated_at"]
    search_fields = ["body_name"]
    list_select_related = ["updated_by"]
    fields = ["body_name", "columns_text", "updated_by", "updated_at"]
    readonly_fields = ["updated_by", "updated_at"]

    @admin.display(description="Columns")
    def columns_listed(self, obj):
        return "; ".join(f"{column} → {name}" for column, name in (obj.columns or {}).items())

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


class SupplierForm(forms.ModelForm):
    """Changing a supplier's locality needs a reason: the officer's decision then stands."""

    class Meta:
        model = Supplier
        fields = [
            "name",
            "supplier_ref",
            "postcode",
            "company_number",
            "charity_number",
            "is_sme",
            "is_vcse",
            "locality",
            "locality_override_reason",
        ]
        labels = {"locality_override_reason": "Why the locality is changed"}
        help_texts = {
            "locality": "Change this only when the postcode gives the wrong answer, e.g. a "
            "registered office far from where the work is done.",
            "locality_override_reason": "Needed when you change the locality.",
        }

    def clean_postcode(self):
        raw = self.cleaned_data.get("postcode", "").strip()
        if not raw:
            return ""
        postcode = normalise_postcode(raw)
        if postcode is None:
            raise ValidationError("Enter a full UK postcode, like SG1 1HN")
        return postcode

    def clean(self):
        cleaned = super().clean()
        if (
            "locality" in self.changed_data
            and not cleaned.get("locality_override_reason", "").strip()
        ):
            self.add_error(
                "locality_override_reason", "Enter why the supplier's locality is being changed"
            )
        return cleaned


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    form = SupplierForm
    list_display = [
        "name",
        "locality",
        "locality_source",
        "postcode",
        "neighbourhood",
        "is_sme",
        "is_vcse",
        "supplier_ref",
    ]
    list_filter = [
        "locality",
        "locality_source",
        "is_sme",
        "is_vcse",
        "is_redacted",
        ("neighbourhood", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = [
        "name",
        "normalised_name",
        "supplier_ref",
        "postcode",
        "company_number",
        "charity_number",
    ]
    list_select_related = ["neighbourhood"]
    readonly_fields = ["normalised_name", "locality_source", "neighbourhood", "is_redacted"]
    actions = ["use_postcode_again"]
    change_list_template = "admin/metrics/supplier/change_list.html"
    fieldsets = [
        (None, {"fields": ["name", "normalised_name", "supplier_ref", "is_redacted"]}),
        (
            "Where the supplier is",
            {
                "fields": [
                    "postcode",
                    "locality",
                    "locality_source",
                    "locality_override_reason",
                    "neighbourhood",
                ]
            },
        ),
        (
            "Kind of organisation",
            {"fields": ["is_sme", "is_vcse", "company_number", "charity_number"]},
        ),
    ]

    def has_add_permission(self, request):
        # Suppliers come from the spending files.
        return False

    def has_delete_permission(self, request, obj=None):
        # Payments keep their suppliers.
        return False

    def save_model(self, request, obj, form, change):
        override = "locality" in form.changed_data or (
            obj.locality_source == LocalitySource.OFFICER
            and "locality_override_reason" in form.changed_data
        )
        locality, reason = obj.locality, obj.locality_override_reason
        if override:
            obj.locality = form.initial.get("locality", Locality.UNKNOWN)
            obj.locality_override_reason = form.initial.get("locality_override_reason", "")
        obj.save()
        if override:
            supplier_locality_override(
                supplier=obj, locality=locality, reason=reason, actor=request.user
            )
        elif "postcode" in form.changed_data:
            supplier_localities_refresh(supplier_ids=[obj.pk])

    @admin.action(description="Let the postcode decide where the selected suppliers are")
    def use_postcode_again(self, request, queryset):
        suppliers = list(queryset.filter(locality_source=LocalitySource.OFFICER))
        for supplier in suppliers:
            supplier_locality_override_clear(supplier=supplier, actor=request.user)
        messages.success(
            request, f"{len(suppliers)} supplier(s) now placed by their postcode again."
        )

    def get_urls(self):
        return [
            path(
                "import-flags/",
                self.admin_site.admin_view(self.import_flags_view),
                name="metrics_supplier_import_flags",
            ),
            *super().get_urls(),
        ]

    def import_flags_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        posted = request.method == "POST"
        form = SupplierFlagsForm(
            request.POST if posted else None, request.FILES if posted else None
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import SME and VCSE flags",
            "form": form,
        }
        if request.method == "POST" and form.is_valid():
            try:
                result = supplier_flags_import(rows=form.cleaned_data["rows"], actor=request.user)
            except SupplierFlagsImportError as error:
                context["errors"] = error.errors
            else:
                messages.success(
                    request,
                    f"Read {result.rows} row(s): {result.updated} supplier(s) changed.",
                )
                return HttpResponseRedirect(reverse("admin:metrics_supplier_changelist"))
        return TemplateResponse(request, "admin/metrics/supplier/import_flags.html", context)


class SupplierFlagsForm(GovukErrorsMixin, forms.Form):
    file = forms.FileField(
        label="Spreadsheet (CSV)",
        help_text="Columns: Supplier ID and/or Supplier name, then any of SME, VCSE (yes, no "
        "or unknown), Postcode, Company number, Charity number. An empty cell changes nothing.",
        error_messages={"required": "Choose a CSV file to upload"},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        raw = upload.read(10_000_001)
        if len(raw) > 10_000_000:
            raise ValidationError("The file is too large: split it into smaller files")
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:  # pragma: no cover - cp1252 decodes nearly anything
            raise ValidationError("The file is not text: save it as CSV")
        try:
            self.cleaned_data["rows"] = list(csv.DictReader(io.StringIO(text, newline="")))
        except csv.Error as error:
            raise ValidationError(f"Not a readable CSV file: {error}") from error
        return upload


@admin.register(SpendTransaction)
class SpendTransactionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "payment_date",
        "supplier",
        "amount",
        "department",
        "expense_type",
        "transaction_number",
    ]
    list_filter = ["batch__status", "supplier__locality", "supplier__is_redacted"]
    search_fields = ["supplier__name", "transaction_number", "department", "description"]
    list_select_related = ["supplier"]
    date_hierarchy = "payment_date"
    show_full_result_count = False
    raw_id_fields = ["supplier", "batch"]
    readonly_fields = [
        "batch",
        "body_name",
        "payment_date",
        "transaction_number",
        "amount",
        "irrecoverable_vat",
        "supplier",
        "department",
        "expense_type",
        "description",
        "line_hash",
    ]
