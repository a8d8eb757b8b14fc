"""The outbox in admin: read-only, with a retry for the emails the worker gave up on."""

from django.contrib import admin, messages

from core.admin import ReadOnlyAdminMixin, counted, only_ids
from outbox.models import OutboundEmail
from outbox.services import emails_retry


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The outbox, read-only; its bodies hold pledgers' private links, so they are not shown."""

    list_display = ["created_at", "to", "subject", "kind", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to", "subject"]
    fields = [
        "to",
        "subject",
        "kind",
        "about_record",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
    ]
    readonly_fields = fields
    actions = ["retry_sending"]

    @admin.display(description="about")
    def about_record(self, email: OutboundEmail) -> str:
        return str(email.about) if email.about_id else ""

    # Retrying changes no data the officer could not see: those who may read the outbox may.
    @admin.action(description="Retry sending", permissions=["view"])
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
                    "%(count)d selected email had not failed, so it was left alone.",
                    "%(count)d selected emails had not failed, so they were left alone.",
                    skipped,
                ),
                messages.WARNING,
            )
