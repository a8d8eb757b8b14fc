from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Lower


class AddressKey(models.Func):
    """An address as the per-address cap counts it: lower case, without a "+tag" (which most
    mail services deliver to the same mailbox), so name+1@… and Name@… count together."""

    function = "regexp_replace"
    output_field = models.CharField()

    def __init__(self, expression, **extra):
        super().__init__(Lower(expression), models.Value(r"\+[^@]*@"), models.Value("@"), **extra)


class OutboundEmail(models.Model):
    """An email waiting to go, written in the same transaction as what it is about.

    The background worker sends it and retries, so a confirmation is never lost while the mail
    server is down. `about` is the record the email concerns (a pledge, say), whatever its app.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENT = "sent", "Sent"
        FAILED = "failed", "Gave up after retries"
        CAPPED = "capped", "Not sent: too many to this address"

    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    kind = models.CharField(max_length=40, help_text="Which email this is, e.g. confirmation.")
    about_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    about_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("about_type", "about_id")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Set (and committed) before the mail server is called: a claim older than
    # OUTBOX_SEND_CLAIM_TIMEOUT on a pending email means its worker died mid-send.
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="outbox_email_status_idx"),
            models.Index(fields=["about_type", "about_id"], name="outbox_email_about_idx"),
            models.Index(AddressKey("to"), "created_at", name="outbox_email_address_idx"),
            models.Index(
                fields=["claimed_at"],
                condition=models.Q(status="pending", claimed_at__isnull=False),
                name="outbox_email_claimed_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(about_type__isnull=True, about_id__isnull=True)
                | models.Q(about_type__isnull=False, about_id__isnull=False),
                name="outbox_email_about_whole",
            ),
            # A capped email was never sent, nor will be, and keeps no body (no private link).
            models.CheckConstraint(
                condition=~models.Q(status="capped")
                | models.Q(body="", sent_at__isnull=True, claimed_at__isnull=True),
                name="outbox_email_capped_unsent",
            ),
        ]

    def __str__(self) -> str:
        # Never the address: admin shows this to people who may not see it (actions, history).
        return f"{self.kind} email {self.pk} ({self.get_status_display()})"
