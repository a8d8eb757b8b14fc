"""The outbox's part of a data subject's data (audit.subjects): the emails sent to the address.

The export leaves out each email's body: it holds the pledger's private manage link, which is
theirs to keep, not to be shown to staff."""

from typing import Any

from audit.subjects import subject_data_part_register
from outbox.erasure import emails_erase_to, emails_to


def emails_export(address: str) -> list[dict[str, Any]]:
    return [
        {
            "to": email.to,
            "subject": email.subject,
            "kind": email.kind,
            "status": email.get_status_display(),
            "queued": email.created_at,
            "sent": email.sent_at,
        }
        for email in emails_to(address=address)
    ]


def emails_erase(address: str, actor) -> int:
    return emails_erase_to(address=address)


def subject_data_parts_register() -> None:
    subject_data_part_register(
        "outbox",
        label="Emails sent to the address",
        export=emails_export,
        erase=emails_erase,
        order=20,
    )
