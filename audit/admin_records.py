"""The personal-data records in admin, for the data-protection role: who saw personal data
(read-only), consent changed for a pledger (read-only), and the data subject requests with the
two pages that act on them: export everything held about an email address (a readable page
and JSON), and erase it everywhere. Imported by AuditConfig.ready().

The pages run every part registered in audit.subjects, so this base layer names no app above.
The address is typed into a form and POSTed, never put in a URL (URLs are logged).
"""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from audit.access import sees_all_personal_data
from audit.models import ConsentChange, PersonalDataView, SubjectRequest
from audit.services import subject_data_erase, subject_data_export
from core.admin import ReadOnlyAdminMixin
from core.forms import GovukErrorsMixin


class DataProtectionOnlyMixin(ReadOnlyAdminMixin):
    """Read-only, and only for the data-protection staff (whatever else a user may view)."""

    def has_view_permission(self, request, obj=None):
        return sees_all_personal_data(request.user) and super().has_view_permission(request, obj)

    def has_module_permission(self, request):
        return sees_all_personal_data(request.user) and super().has_module_permission(request)


@admin.register(PersonalDataView)
class PersonalDataViewAdmin(DataProtectionOnlyMixin, admin.ModelAdmin):
    list_display = ["viewed_at", "viewer", "how", "what", "people"]
    list_filter = ["how", ("viewer", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["what", "viewer__username"]
    list_select_related = ["viewer"]
    fields = ["viewed_at", "viewer", "how", "what", "object_type", "object_ids", "people"]
    readonly_fields = fields
    date_hierarchy = "viewed_at"


@admin.register(ConsentChange)
class ConsentChangeAdmin(DataProtectionOnlyMixin, admin.ModelAdmin):
    list_display = ["changed_at", "actor", "object_type", "object_id", "changes"]
    list_select_related = ["actor", "object_type"]
    fields = ["changed_at", "actor", "object_type", "object_id", "changes", "reason"]
    readonly_fields = fields


class SubjectAddressForm(GovukErrorsMixin, forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter the email address the request is about",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    reason = forms.CharField(
        label="Reason",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="E.g. the request's reference. Recorded with the request.",
        error_messages={"required": "Enter the reason, such as the request's reference"},
    )


class SubjectErasureForm(SubjectAddressForm):
    confirm = forms.BooleanField(
        label="I have checked the requester's identity: erase everything held about this "
        "address. This cannot be undone.",
        error_messages={"required": "Confirm that everything held about the address is erased"},
    )


@admin.register(SubjectRequest)
class SubjectRequestAdmin(DataProtectionOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "kind", "actor", "counts"]
    list_filter = ["kind"]
    list_select_related = ["actor"]
    fields = ["created_at", "kind", "actor", "address_hash", "counts", "reason"]
    readonly_fields = fields
    change_list_template = "admin/audit/subjectrequest/change_list.html"

    def get_urls(self):
        return [
            path(
                "export/",
                self.admin_site.admin_view(self.export_view),
                name="audit_subjectrequest_export",
            ),
            path(
                "erase/",
                self.admin_site.admin_view(self.erase_view),
                name="audit_subjectrequest_erase",
            ),
            *super().get_urls(),
        ]

    def _page(self, request, template, **context):
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request,
            template,
            {**self.admin_site.each_context(request), "opts": self.opts, **context},
        )

    def export_view(self, request):
        if not request.user.has_perm("audit.export_subject_data"):
            raise PermissionDenied("Exports are for the data-protection staff.")
        form = SubjectAddressForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            export = subject_data_export(
                address=form.cleaned_data["email"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
            if "json" in request.POST:
                response = HttpResponse(
                    json.dumps(export, cls=DjangoJSONEncoder, indent=2),
                    content_type="application/json; charset=utf-8",
                )
                stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
                response["Content-Disposition"] = (
                    f'attachment; filename="subject-access-export-{stamp}.json"'
                )
                response["Cache-Control"] = "no-store"
                return response
            return self._page(
                request,
                "admin/audit/subjectrequest/export_result.html",
                title="Everything held about the address",
                export=export,
                form=form,
            )
        return self._page(
            request,
            "admin/audit/subjectrequest/subject_form.html",
            title="Export everything held about an email address",
            intro="Shows every record held about the address, to send to the person who asked "
            "(a subject access request). Each export is recorded.",
            form=form,
            submit="Show what is held",
        )

    def erase_view(self, request):
        if not request.user.has_perm("audit.erase_subject_data"):
            raise PermissionDenied("Erasure is for the data-protection staff.")
        form = SubjectErasureForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            record = subject_data_erase(
                address=form.cleaned_data["email"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
            total = sum(record.counts.values())
            # The message names no address: messages can be kept in the session.
            self.message_user(
                request,
                f"Erased {total} record(s) holding the address: "
                + ", ".join(f"{key} {count}" for key, count in record.counts.items())
                + ".",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(
                reverse("admin:audit_subjectrequest_change", args=[record.pk])
            )
        return self._page(
            request,
            "admin/audit/subjectrequest/subject_form.html",
            title="Erase everything held about an email address",
            intro="Erases the address and the personal data that goes with it from the pledges, "
            "the outbox, browser sessions and the audit trail. Pledges stay, without their "
            "personal data. The erasure is recorded without the address.",
            form=form,
            submit="Erase everything held",
        )
