"""The officers' admin for the Charter's pledges.

Statuses change only through actions that call the services (publish, reject with a reason,
erase), so every decision is recorded as a moderation event and the pledger is emailed. Officers
may correct a pledge's public wording through the change form. Paper pledges are imported from a
spreadsheet through the same service as online pledges. Pledges are never deleted: they are
withdrawn by the pledger or have their personal data erased.
"""

from django.contrib import admin, messages
from django.contrib.admin.views.main import SEARCH_VAR
from django.contrib.contenttypes.admin import GenericTabularInline
from django.db import transaction
from django.db.models import Case, Value, When
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.text import Truncator
from import_export.admin import ImportMixin
from import_export.formats.base_formats import CSV
from import_export.results import RowResult

from core.admin import (
    ReadOnlyAdminMixin,
    ReadOnlyTabularInline,
    confirmation_data,
    confirmation_page,
    counted,
    only_ids,
)
from outbox.models import OutboundEmail
from pledges.forms_admin import ActionConfirmationForm, PledgeCorrectionForm
from pledges.models import (
    Campaign,
    ModerationEvent,
    Pledge,
    PledgeUpdate,
    RejectionReason,
    UpdateStatus,
)
from pledges.resources import PaperPledgeResource
from pledges.services import (
    MODERATABLE,
    pledge_erase_personal_data,
    pledge_publish,
    pledge_reject,
    pledge_updates_moderate,
)


def _confirmation_form(request, **kwargs) -> ActionConfirmationForm:
    return ActionConfirmationForm(confirmation_data(request), **kwargs)


class NeedsModerationFilter(admin.SimpleListFilter):
    """The moderation queue (confirmed or held pledges), shown by default.

    The default applies only while browsing: a search or any other filter looks at all pledges
    unless this filter is chosen too.
    """

    title = "needs moderation"
    parameter_name = "needs_moderation"

    def __init__(self, request, params, model, model_admin):
        browsing = not params and not request.GET.get(SEARCH_VAR)
        self.default = "yes" if browsing else "all"
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No"), ("all", "All")]

    def value(self):
        return super().value() or self.default

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(status__in=MODERATABLE)
        if self.value() == "no":
            return queryset.exclude(status__in=MODERATABLE)
        return queryset


class ModerationEventInline(ReadOnlyTabularInline):
    model = ModerationEvent
    verbose_name = "moderation event"
    verbose_name_plural = "History"
    fields = ["action", "actor", "reason", "note", "created_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "reason")


class PledgeUpdateInline(ReadOnlyTabularInline):
    model = PledgeUpdate
    verbose_name_plural = "Progress updates"
    fields = [
        "text",
        "hours_volunteered",
        "people_supported",
        "placements_offered",
        "spent_locally",
        "status",
        "rejection_reason",
        "created_at",
        "moderated_by",
    ]
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("rejection_reason", "moderated_by")


class OutboundEmailInline(ReadOnlyAdminMixin, GenericTabularInline):
    """The emails sent to the pledger; their bodies hold private links, so they are not shown."""

    model = OutboundEmail
    ct_field, ct_fk_field = "about_type", "about_id"
    extra = 0
    can_delete = False
    verbose_name_plural = "Emails to the pledger"
    fields = ["to", "subject", "kind", "status", "attempts", "sent_at"]
    readonly_fields = fields


@admin.register(Pledge)
class PledgeAdmin(ImportMixin, admin.ModelAdmin):
    form = PledgeCorrectionForm
    list_display = [
        "reference",
        "public_name",
        "pledger_type",
        "neighbourhood",
        "status",
        "source",
        "created_at",
        "confirmed_at",
    ]
    list_filter = [
        NeedsModerationFilter,
        "status",
        "pledger_type",
        "source",
        ("neighbourhood", admin.RelatedOnlyFieldListFilter),
        "commitments",
    ]
    search_fields = ["reference", "display_name", "email"]
    search_help_text = "Search by reference, name or email address."
    list_select_related = ["neighbourhood"]
    ordering = ["-created_at"]
    readonly_fields = [
        "reference",
        "status",
        "source",
        "hold_reason",
        "rejection_reason",
        "pledger_type",
        "organisation_size",
        "contact_name",
        "email",
        "postcode",
        "contact_consent",
        "ip_hash",
        "created_at",
        "confirmed_at",
        "published_at",
        "moderated_at",
        "withdrawn_at",
        "personal_data_erased_at",
    ]
    exclude = [
        "submission_key",
        "duplicate_fingerprint",
        "confirmation_nonce",
        "manage_token_hash",
        "search_vector",
    ]
    fieldsets = [
        (None, {"fields": ["reference", "status", "source", "hold_reason", "rejection_reason"]}),
        (
            "The pledge",
            {
                "description": "Officers may correct what the public sees. Change the status "
                "with the actions on the list of pledges.",
                "fields": [
                    "pledger_type",
                    "organisation_size",
                    "display_name",
                    "show_name",
                    "neighbourhood",
                    "commitments",
                    "text",
                    "target",
                ],
            },
        ),
        (
            "Private details",
            {
                "description": "Never shown publicly.",
                "fields": ["contact_name", "email", "postcode", "contact_consent", "ip_hash"],
            },
        ),
        (
            "Dates",
            {
                "fields": [
                    "created_at",
                    "confirmed_at",
                    "published_at",
                    "moderated_at",
                    "withdrawn_at",
                    "personal_data_erased_at",
                ]
            },
        ),
    ]
    inlines = [ModerationEventInline, PledgeUpdateInline, OutboundEmailInline]
    actions = ["publish_selected", "reject_selected", "erase_selected"]

    # Paper pledges: import only. Exporting personal data from admin is not wanted.
    resource_classes = [PaperPledgeResource]
    import_formats = [CSV]

    @admin.display(description="public name", ordering="display_name")
    def public_name(self, obj: Pledge) -> str:
        return obj.public_name

    def get_queryset(self, request):
        # The search vector is the service's business and never shown: don't read it.
        return super().get_queryset(request).defer("search_vector")

    def has_add_permission(self, request):
        # Pledges come from the journey or the paper import, both through `pledge_submit`.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Publish selected pledges", permissions=["change"])
    def publish_selected(self, request, queryset):
        selection = only_ids(queryset)
        published = pledge_publish(pledges=selection, actor=request.user)
        self.message_user(
            request,
            counted("Published %(count)d pledge.", "Published %(count)d pledges.", published),
            messages.SUCCESS,
        )
        self._report_left_alone(
            request, len(selection) - published, "was not waiting for moderation"
        )

    @admin.action(description="Reject selected pledges…", permissions=["change"])
    def reject_selected(self, request, queryset):
        form = _confirmation_form(request)
        if form.is_bound and form.is_valid():
            selection = only_ids(queryset)
            rejected = pledge_reject(
                pledges=selection,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
            self.message_user(
                request,
                counted("Rejected %(count)d pledge.", "Rejected %(count)d pledges.", rejected),
                messages.SUCCESS,
            )
            self._report_left_alone(
                request,
                len(selection) - rejected,
                "was neither waiting for moderation nor published",
            )
            return None
        return confirmation_page(
            self,
            request,
            queryset,
            action="reject_selected",
            form=form,
            title="Reject pledges",
            intro="These pledges will be rejected. Each pledger is emailed the reason's "
            "explanation; published pledges leave the pledge wall.",
            submit="Reject pledges",
        )

    @admin.action(description="Erase personal data of selected pledges…", permissions=["change"])
    def erase_selected(self, request, queryset):
        form = _confirmation_form(request, with_reason=False)
        if form.is_bound and form.is_valid():
            pledges = list(
                queryset.select_related(None).order_by().filter(personal_data_erased_at=None)
            )
            with transaction.atomic():
                for pledge in pledges:
                    pledge_erase_personal_data(
                        pledge=pledge, actor=request.user, note=form.cleaned_data["note"]
                    )
            self.message_user(
                request,
                counted(
                    "Erased the personal data of %(count)d pledge.",
                    "Erased the personal data of %(count)d pledges.",
                    len(pledges),
                ),
                messages.SUCCESS,
            )
            self._report_left_alone(
                request, queryset.count() - len(pledges), "had its personal data erased already"
            )
            return None
        return confirmation_page(
            self,
            request,
            queryset,
            action="erase_selected",
            form=form,
            title="Erase personal data",
            intro="The contact name, email address, postcode and IP hash of these pledges will "
            "be erased, and the name too where it is a resident's or was not to be shown. "
            "This cannot be undone. The pledges themselves stay.",
            submit="Erase personal data",
        )

    def _report_left_alone(self, request, count: int, why: str) -> None:
        if count > 0:
            self.message_user(
                request,
                counted(
                    f"%(count)d selected pledge {why}, so it was left alone.",
                    f"%(count)d selected pledges: each {why}, so they were left alone.",
                    count,
                ),
                messages.WARNING,
            )

    # The paper import.

    def has_import_permission(self, request):
        # Importing makes pledges through the moderation service: for those who moderate.
        return self.has_change_permission(request)

    def get_import_data_kwargs(self, **kwargs):
        # All or nothing, also when the confirmed import meets a row the preview did not.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            messages.error(
                request,
                "Nothing was imported: the file has problems it did not have in the preview. "
                "Import it again to see them.",
            )
            return HttpResponseRedirect(reverse("admin:pledges_pledge_import"))
        return super().process_result(result, request)

    def add_success_message(self, result, request):
        new = result.totals[RowResult.IMPORT_TYPE_NEW]
        skipped = result.totals[RowResult.IMPORT_TYPE_SKIP]
        message = counted(
            "Imported %(count)d paper pledge: it is waiting for moderation.",
            "Imported %(count)d paper pledges: they are waiting for moderation.",
            new,
        )
        if skipped:
            message += " " + counted(
                "%(count)d row was empty or imported before, and was skipped.",
                "%(count)d rows were empty or imported before, and were skipped.",
                skipped,
            )
        messages.success(request, message)


@admin.register(PledgeUpdate)
class PledgeUpdateAdmin(admin.ModelAdmin):
    list_display = [
        "pledge_reference",
        "summary",
        "status",
        "hours_volunteered",
        "people_supported",
        "placements_offered",
        "spent_locally",
        "created_at",
        "moderated_by",
    ]
    list_filter = ["status", ("pledge__neighbourhood", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["pledge__reference", "text"]
    list_select_related = ["pledge", "moderated_by"]
    fields = [
        "pledge",
        "text",
        "hours_volunteered",
        "people_supported",
        "placements_offered",
        "spent_locally",
        "status",
        "rejection_reason",
        "created_at",
        "moderated_at",
        "moderated_by",
    ]
    readonly_fields = fields
    actions = ["publish_selected", "reject_selected"]

    def get_ordering(self, request):
        # Waiting for moderation first, newest first within each.
        return [
            Case(When(status=UpdateStatus.PENDING, then=Value(0)), default=Value(1)).asc(),
            "-created_at",
        ]

    @admin.display(description="pledge", ordering="pledge__reference")
    def pledge_reference(self, obj: PledgeUpdate) -> str:
        return obj.pledge.reference

    @admin.display(description="progress")
    def summary(self, obj: PledgeUpdate) -> str:
        return Truncator(obj.text).chars(80)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Publish selected updates", permissions=["change"])
    def publish_selected(self, request, queryset):
        selection = only_ids(queryset)
        published = pledge_updates_moderate(updates=selection, actor=request.user, publish=True)
        self.message_user(
            request,
            counted("Published %(count)d update.", "Published %(count)d updates.", published),
            messages.SUCCESS,
        )
        self._report_left_alone(request, len(selection) - published)

    @admin.action(description="Reject selected updates…", permissions=["change"])
    def reject_selected(self, request, queryset):
        form = _confirmation_form(request, with_note=False)
        if form.is_bound and form.is_valid():
            selection = only_ids(queryset)
            rejected = pledge_updates_moderate(
                updates=selection,
                actor=request.user,
                publish=False,
                reason=form.cleaned_data["reason"],
            )
            self.message_user(
                request,
                counted("Rejected %(count)d update.", "Rejected %(count)d updates.", rejected),
                messages.SUCCESS,
            )
            self._report_left_alone(request, len(selection) - rejected)
            return None
        form.fields["reason"].help_text = "Recorded in the pledge's history."
        return confirmation_page(
            self,
            request,
            queryset,
            action="reject_selected",
            form=form,
            title="Reject progress updates",
            intro="These progress updates will not be published.",
            submit="Reject updates",
        )

    def _report_left_alone(self, request, count: int) -> None:
        if count > 0:
            self.message_user(
                request,
                counted(
                    "%(count)d selected update was moderated already, so it was left alone.",
                    "%(count)d selected updates were moderated already, so they were left alone.",
                    count,
                ),
                messages.WARNING,
            )


@admin.register(RejectionReason)
class RejectionReasonAdmin(admin.ModelAdmin):
    list_display = ["title", "code", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["title", "code", "explanation"]
    readonly_fields = []

    def get_readonly_fields(self, request, obj=None):
        # The reference data file finds a reason by its code: it stays as made.
        return ["code"] if obj else self.readonly_fields

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj else {"code": ["title"]}


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "target", "starts_on", "ends_on", "description"]
    list_filter = ["starts_on"]
    search_fields = ["name", "description"]
    readonly_fields = []


@admin.register(ModerationEvent)
class ModerationEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit trail: read-only for everyone."""

    list_display = ["created_at", "pledge", "action", "actor", "reason"]
    list_filter = [
        "action",
        ("actor", admin.RelatedOnlyFieldListFilter),
        ("reason", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["pledge__reference", "note"]
    list_select_related = ["pledge", "actor", "reason"]
    fields = ["pledge", "action", "actor", "reason", "note", "created_at"]
    readonly_fields = fields
    ordering = ["-created_at", "-pk"]
