"""Production mail: GOV.UK Notify or SMTP chosen by the environment, the development backend by
default, and an email sent through Notify's backend (its API client stubbed: nothing leaves)."""

import uuid

import pytest
from django.core import mail

from outbox.models import OutboundEmail
from outbox.services import email_send_now
from tests.charter_portal.test_settings import PRODUCTION, _manage

NOTIFY_KEY = f"charter_test-{uuid.uuid4()}-{uuid.uuid4()}"
NOTIFY_TEMPLATE = str(uuid.uuid4())
NOTIFY = {
    "GOVUK_NOTIFY_API_KEY": NOTIFY_KEY,
    "GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID": NOTIFY_TEMPLATE,
}
SMTP = {"EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.org:587"}
UNSET = {"GOVUK_NOTIFY_API_KEY": "", "GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID": "", "EMAIL_URL": ""}


def _mail_settings(**env) -> list[str]:
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.EMAIL_BACKEND, getattr(s, 'EMAIL_HOST', ''), getattr(s, 'EMAIL_PORT', ''), "
        "getattr(s, 'EMAIL_USE_TLS', ''))",
        **{**UNSET, **env},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()[-1].split()


def test_development_mail_is_written_under_var_mail_by_default():
    assert _mail_settings()[0] == "outbox.backends.DevelopmentEmailBackend"


def test_a_notify_api_key_sends_through_govuk_notify():
    assert _mail_settings(**NOTIFY)[0] == "django_gov_notify.backends.NotifyEmailBackend"


def test_an_email_url_sends_through_smtp():
    assert _mail_settings(**SMTP) == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.org",
        "587",
        "True",
    ]


def test_notify_without_its_template_refuses_to_start():
    result = _manage("check", **{**UNSET, "GOVUK_NOTIFY_API_KEY": NOTIFY_KEY})
    assert result.returncode != 0
    assert "GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID" in result.stderr


def test_notify_and_smtp_together_refuse_to_start():
    result = _manage("check", **{**UNSET, **NOTIFY, **SMTP})
    assert result.returncode != 0
    assert "not both" in result.stderr


def test_check_deploy_reports_nothing_with_notify():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION, **NOTIFY)
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_an_outbox_email_goes_to_notify_as_its_plain_template(settings, monkeypatch):
    from notifications_python_client.notifications import NotificationsAPIClient

    settings.EMAIL_BACKEND = "django_gov_notify.backends.NotifyEmailBackend"
    settings.GOVUK_NOTIFY_API_KEY = NOTIFY_KEY
    settings.GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID = NOTIFY_TEMPLATE
    calls = []
    monkeypatch.setattr(
        NotificationsAPIClient,
        "send_email_notification",
        lambda self, **kwargs: calls.append(kwargs) or {"id": str(uuid.uuid4())},
    )
    email = OutboundEmail.objects.create(
        to="pledger@private.example.org", subject="Confirm your pledge", body="Hello.\n", kind="x"
    )
    assert email_send_now(email_id=email.pk)
    assert calls == [
        {
            "email_address": "pledger@private.example.org",
            "template_id": NOTIFY_TEMPLATE,
            "personalisation": {"subject": "Confirm your pledge", "body": "Hello.\n"},
        }
    ]
    assert mail.outbox == []  # Notify's backend, not the test mailbox, sent it
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
