"""The officers' admin for the Charter's pledges.

Statuses change only through actions that call the services (publish, reject with a reason,
erase), so every decision is recorded as a moderation event and the pledger is emailed. Officers
may correct a pledge's public wording through the change form. Pledges received on paper, by
phone or by email are typed in one at a time ("Add pledge", pledges.admin_by_hand) or imported from
a spreadsheet, through the same service as online pledges. Pledges are never deleted: they are
withdrawn by the pledger or have their personal data erased.

Contact details (email, contact name, postcode, IP hash, a name not agreed to be shown, the
emails sent) are shown, searched and listed only for the officers of the pledge's neighbourhood
and the data-protection staff (`pledges_with_visible_contacts`), and each view of them is logged.
Consent (show name, contact consent) changes only through the reasoned consent page.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import SEARCH_VAR
from django.contrib.contenttypes.admin import GenericTabularInline
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, Q, Value, When
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from import_export.admin import ImportMixin
from import_export.formats.base_formats import CSV
from import_export.results import RowResult

from audit.access import personal_data_viewed
from audit.models import PersonalDataView
from core.admin import (
    ReadOnlyAdminMixin,
    ReadOnlyTabularInline,
    WorkflowActionsMixin,
    confirmation_data,
    confirmation_page,
    counted,
    only_ids,
)
from neighbourhoods.selectors import StaffAccess, staff_access
from outbox.models import OutboundEmail
from pledges.admin_actions import PLEDGE_DETAIL_ACTIONS, UPDATE_DETAIL_ACTIONS
from pledges.admin_by_hand import import_guide_context, import_template_urls, pledge_by_hand_view
from pledges.emails import rejection_previews
from pledges.forms_admin import ActionConfirmationForm, ConsentChangeForm, PledgeCorrectionForm
from pledges.models import (
    Campaign,
    ModerationEvent,
    Pledge,
    PledgeUpdate,
    RejectionReason,
    UpdateStatus,
)
from pledges.resources import PaperPledgeResource
from pledges.selectors import pledge_moderation_history, pledges_with_visible_contacts
from pledges.services import (
    MODERATABLE,
    ConsentChangeRefused,
    pledge_consent_change,
    pledge_erase_personal_data,
    pledge_publish,
    pledge_reject,
    pledge_updates_moderate,
)
from pledges.workflows import PLEDGE_WORKFLOW, UPDATE_WORKFLOW


def _rejection_preview(pledge: Pledge | None) -> dict:
    """The rejection page's preview: the email each reason sends (pledges.emails)."""
    return {
        "preview_template": "admin/pledges/_rejection_preview.html",
        "rejection_previews": rejection_previews(pledge=pledge),
    }


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
    """The history kept before the audit trail existed: read only, shown where a pledge has it."""

    model = ModerationEvent
    verbose_name = "moderation event"
    verbose_name_plural = "History before the audit trail (read only)"
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

    template = ReadOnlyTabularInline.template
    model = OutboundEmail
    ct_field, ct_fk_field = "about_type", "about_id"
    extra = 0
    can_delete = False
    verbose_name_plural = "Emails to the pledger"
    fields = ["to", "subject", "kind", "status", "attempts", "sent_at"]
    readonly_fields = fields


@admin.register(Pledge)
class PledgeAdmin(WorkflowActionsMixin, ImportMixin, admin.ModelAdmin):
    # The page's Publish and Reject buttons (pledges.admin_actions), each with its confirmation.
    workflow = PLEDGE_WORKFLOW
    detail_actions = PLEDGE_DETAIL_ACTIONS
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
    # Searched by get_search_results: private fields only within what the user may see.
    search_fields = ["reference"]
    search_help_text = (
        "Search by reference or name; by email address or postcode for the pledges whose "
        "contact details you may see."
    )
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
        "show_name",
        "consent",
        "name_withheld",
        "created_at",
        "confirmed_at",
        "published_at",
        "moderated_at",
        "withdrawn_at",
        "personal_data_erased_at",
        "moderation_history",
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
                "with the buttons at the top of this page.",
                "fields": [
                    "pledger_type",
                    "organisation_size",
                    "display_name",
                    "consent",
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
        ("History", {"fields": ["moderation_history"]}),
    ]
    inlines = [ModerationEventInline, PledgeUpdateInline, OutboundEmailInline]
    actions = ["publish_selected", "reject_selected", "erase_selected"]

    # Paper pledges: import only. Exporting personal data from admin is not wanted.
    resource_classes = [PaperPledgeResource]
    import_formats = [CSV]
    import_template_name = "admin/pledges/pledge/import.html"

    @admin.display(description="public name", ordering="display_name")
    def public_name(self, obj: Pledge) -> str:
        return obj.public_name

    def get_queryset(self, request):
        # The search vector is the service's business and never shown: don't read it.
        return super().get_queryset(request).defer("search_vector")

    # Officers add a pledge by hand (paper, phone, email) through `pledge_submit`, like the
    # journey and the paper import; ModelAdmin's has_add_permission asks for pledges.add_pledge.

    def add_view(self, request, form_url="", extra_context=None):
        """One pledge received on paper, by phone or by email, typed in by an officer."""
        if not self.has_add_permission(request):
            raise PermissionDenied("Only officers may enter a pledge.")
        return pledge_by_hand_view(self, request)

    # Least privilege for contact details.

    def _access(self, request) -> StaffAccess:
        if not hasattr(request, "_staff_access"):
            request._staff_access = staff_access(user=request.user)
        return request._staff_access

    def _sees_contacts(self, request, obj: Pledge | None) -> bool:
        return obj is not None and self._access(request).sees_contacts(obj.neighbourhood)

    def get_fieldsets(self, request, obj=None):
        if self._sees_contacts(request, obj):
            return self.fieldsets
        fieldsets = [
            (name, options) for name, options in self.fieldsets if name != "Private details"
        ]
        if obj is not None and not obj.show_name:
            # The name the pledger did not agree to show is contact data too.
            fieldsets = [
                (
                    name,
                    {
                        **options,
                        "fields": [
                            "name_withheld" if field == "display_name" else field
                            for field in options["fields"]
                        ],
                    },
                )
                for name, options in fieldsets
            ]
        return fieldsets

    def get_inlines(self, request, obj):
        inlines = self.inlines
        if obj is None or not obj.events.exists():
            # Only pledges older than the audit trail have a history of the old kind.
            inlines = [inline for inline in inlines if inline is not ModerationEventInline]
        if self._sees_contacts(request, obj):
            return inlines
        # The emails show the pledger's address.
        return [inline for inline in inlines if inline is not OutboundEmailInline]

    @admin.display(description="moderation history")
    def moderation_history(self, obj: Pledge) -> str:
        """The pledge's moderation from its audit trail: when, what, who, status, reason."""
        if obj.pk is None:
            return "—"
        rows = [
            (
                f"{timezone.localtime(step.at):%d %b %Y %H:%M}",
                step.action_label,
                step.by.get_username() if step.by else "—",
                f"{step.status_before or '(new)'} → {step.status_after}",
                step.reason or "—",
                step.note or "—",
            )
            for step in pledge_moderation_history(obj)
        ]
        return format_html(
            "<table><thead><tr><th>When</th><th>Step</th><th>By</th><th>Status</th>"
            "<th>Reason</th><th>Note</th></tr></thead><tbody>{}</tbody></table>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                rows,
            ),
        )

    @admin.display(description="name")
    def name_withheld(self, obj: Pledge) -> str:
        return "Not shown: the pledger did not agree to show their name."

    @admin.display(description="consent")
    def consent(self, obj: Pledge) -> str:
        shown = "Name shown publicly" if obj.show_name else "Name not shown"
        contact = "may be contacted" if obj.contact_consent else "not to be contacted"
        if obj.pk is None or obj.personal_data_erased_at is not None:
            return f"{shown}; {contact}."
        url = reverse("admin:pledges_pledge_consent", args=[obj.pk])
        return format_html(
            '{}; {}. <a href="{}">Change consent as the pledger asked…</a>', shown, contact, url
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        pledge = getattr(response, "context_data", {}).get("original")
        if (
            request.method == "GET"
            and response.status_code == 200
            and pledge is not None
            and pledge.personal_data_erased_at is None
            and self._sees_contacts(request, pledge)
        ):
            personal_data_viewed(
                viewer=request.user,
                how=PersonalDataView.How.VIEWED,
                what=f"Pledge {pledge.reference}",
                model=Pledge,
                ids=[pledge.pk],
            )
        return response

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        visible = pledges_with_visible_contacts(access=self._access(request))
        public = Q(reference__icontains=term) | Q(show_name=True, display_name__icontains=term)
        private = visible & (
            Q(display_name__icontains=term)
            | Q(contact_name__icontains=term)
            | Q(email__icontains=term)
            | Q(postcode__iexact=term)
        )
        # A search that found people by their private details is a view of them: logged.
        found = list(
            queryset.filter(private).exclude(public).order_by().values_list("pk", flat=True)[:1000]
        )
        if found:
            personal_data_viewed(
                viewer=request.user,
                how=PersonalDataView.How.SEARCHED,
                what="Search of pledges by contact details",
                model=Pledge,
                ids=found,
                search_term=term,
            )
        return queryset.filter(public | private), False

    def get_urls(self):
        consent = path(
            "<path:object_id>/consent/",
            self.admin_site.admin_view(self.consent_view),
            name="pledges_pledge_consent",
        )
        return [consent, *import_template_urls(self), *super().get_urls()]

    def consent_view(self, request, object_id):
        """Change a pledger's consent for them, with a reason they are emailed."""
        pledge = self.get_object(request, unquote(object_id))
        if pledge is None:
            raise Http404("No such pledge.")
        if not self.has_change_permission(request, pledge) or not self._sees_contacts(
            request, pledge
        ):
            raise PermissionDenied("Only the officers of the pledge's neighbourhood may.")
        if pledge.personal_data_erased_at is not None:
            raise Http404("This pledge's personal data is erased.")
        initial = {"show_name": pledge.show_name, "contact_consent": pledge.contact_consent}
        form = ConsentChangeForm(request.POST or None, initial=initial)
        change_url = reverse("admin:pledges_pledge_change", args=[pledge.pk])
        if request.method == "POST" and form.is_valid():
            try:
                change = pledge_consent_change(
                    pledge=pledge,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    show_name=form.cleaned_data["show_name"],
                    contact_consent=form.cleaned_data["contact_consent"],
                )
            except ConsentChangeRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                if change is None:
                    self.message_user(request, "Nothing changed.", messages.WARNING)
                else:
                    self.message_user(
                        request,
                        "Consent changed and the reason recorded."
                        + (" The pledger has been emailed." if pledge.email else ""),
                        messages.SUCCESS,
                    )
                return HttpResponseRedirect(change_url)
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request,
            "admin/pledges/consent_change.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Change consent for pledge {pledge.reference}",
                "opts": self.opts,
                "original": pledge,
                "form": form,
                "change_url": change_url,
            },
        )

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
            extra_context=_rejection_preview(queryset.first()),
        )

    def workflow_action_context(self, request, obj, detail, form) -> dict:
        # The pledge page's Reject button: the same preview as the list's action.
        return _rejection_preview(obj) if detail.name == "reject" else {}

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

    def get_import_context_data(self, **kwargs):
        # The columns, the values each coded column allows and the template's links.
        return {**super().get_import_context_data(**kwargs), **import_guide_context()}

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
class PledgeUpdateAdmin(WorkflowActionsMixin, admin.ModelAdmin):
    workflow = UPDATE_WORKFLOW
    detail_actions = UPDATE_DETAIL_ACTIONS
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
    """The moderation history from before the audit trail (no longer written): read only for
    everyone. Newer history is on each pledge's page and in the audit trail."""

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
