"""The outbox in admin: read-only, with a retry for the emails the worker gave up on or that
are stuck (their worker stopped mid-send), and counts of each status, capped ones included.
Each email's text is shown with its private links masked."""

from django.contrib import admin, messages
from django.template.defaultfilters import linebreaksbr

from audit.access import personal_data_viewed, sees_all_personal_data
from audit.models import PersonalDataView
from core.admin import ReadOnlyAdminMixin, counted, only_ids
from outbox.models import OutboundEmail
from outbox.services import email_body_masked, emails_retry, emails_stuck


class StuckFilter(admin.SimpleListFilter):
    """Emails whose worker stopped while sending them (the worker requeues them by itself
    within a minute or so while it runs; these are the ones waiting for it)."""

    title = "stuck sending"
    parameter_name = "stuck"

    def lookups(self, request, model_admin):
        return [("yes", "Stuck: its worker stopped mid-send")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(pk__in=emails_stuck().values("pk"))
        return queryset


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The outbox, read-only; its bodies hold pledgers' private links (manage and confirmation
    links, which let whoever holds them act as the pledger), so a body is shown with those masked.

    Least privilege: the addresses are shown, and searched, only for the data-protection staff
    (each email they open is logged as a view of personal data); a neighbourhood's officers see
    their pledgers' emails on each pledge's page instead."""

    list_display = ["created_at", "recipient", "subject", "kind", "status", "attempts", "sent_at"]
    list_filter = ["status", StuckFilter, "kind"]
    show_facets = admin.ShowFacets.ALWAYS  # how many of each status, capped ones included
    search_fields = ["subject"]
    fields = [
        "recipient",
        "subject",
        "kind",
        "about_record",
        "text",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "claimed_at",
        "sent_at",
    ]
    readonly_fields = fields
    actions = ["retry_sending"]

    def _recipient_field(self, request) -> str:
        return "to" if sees_all_personal_data(request.user) else "recipient"

    def get_list_display(self, request):
        return ["created_at", self._recipient_field(request), *self.list_display[2:]]

    def get_search_fields(self, request):
        return ["to", "subject"] if sees_all_personal_data(request.user) else self.search_fields

    def get_fields(self, request, obj=None):
        return [self._recipient_field(request), *self.fields[1:]]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description="to")
    def recipient(self, email: OutboundEmail) -> str:
        return "(hidden)" if email.to else ""

    @admin.display(description="about")
    def about_record(self, email: OutboundEmail) -> str:
        return str(email.about) if email.about_id else ""

    @admin.display(description="text")
    def text(self, email: OutboundEmail) -> str:
        if email.status == OutboundEmail.Status.CAPPED:
            return "(not kept: this email was never sent)"
        return linebreaksbr(email_body_masked(email.body), autoescape=True)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        email = getattr(response, "context_data", {}).get("original")
        if (
            request.method == "GET"
            and response.status_code == 200
            and email is not None
            and email.to
            and sees_all_personal_data(request.user)
        ):
            personal_data_viewed(
                viewer=request.user,
                how=PersonalDataView.How.VIEWED,
                what=f"Outbox email {email.pk}",
                model=OutboundEmail,
                ids=[email.pk],
            )
        return response

    # Retrying changes no data the officer could not see: those who may read the outbox may.
    @admin.action(description="Retry sending (failed or stuck emails)", permissions=["view"])
    def retry_sending(self, request, queryset):
        selection = only_ids(queryset)
        retried = emails_retry(emails=selection)
        self.message_user(
            request,
            counted(
                "%(count)d email will be sent again.",
                "%(count)d emails will be sent again.",
                retried,
            ),
            messages.SUCCESS,
        )
        skipped = len(selection) - retried
        if skipped:
            self.message_user(
                request,
                counted(
                    "%(count)d selected email had neither failed nor stuck, so it was left alone.",
                    "%(count)d selected emails had neither failed nor stuck, so they were left "
                    "alone.",
                    skipped,
                ),
                messages.WARNING,
            )
