"""The audit app's own parts of a data subject's data (registered from AuditConfig.ready()):
journey sessions that hold the address, the searches and requests made for it (they hold only
a keyed hash), and the audit trail (audit.trail)."""

import json
from typing import Any

from django.contrib.sessions.models import Session
from django.utils import timezone

from audit.access import address_hash
from audit.models import PersonalDataView, SubjectRequest
from audit.subjects import subject_data_part_register

SESSION_CHUNK = 500


def _sessions_holding(address: str) -> list[Session]:
    """Every stored session whose data mentions the address (decoded: the data is signed and
    encoded, so no query can look inside it). One pass over the session table."""
    from django.contrib.sessions.backends.db import SessionStore

    needle = address.strip().casefold()
    store = SessionStore()
    holding = []
    for session in Session.objects.order_by().iterator(chunk_size=SESSION_CHUNK):
        data = store.decode(session.session_data)
        if needle in json.dumps(data, default=str).casefold():
            holding.append(session)
    return holding


def sessions_export(address: str) -> list[dict[str, Any]]:
    now = timezone.now()
    return [
        {
            "kind": "A browser session holding answers typed into the site",
            "expires": session.expire_date,
            "expired": session.expire_date <= now,
        }
        for session in _sessions_holding(address)
    ]


def sessions_erase(address: str, actor) -> int:
    keys = [session.session_key for session in _sessions_holding(address)]
    Session.objects.filter(session_key__in=keys).delete()
    return len(keys)


def records_export(address: str) -> list[dict[str, Any]]:
    hashed = address_hash(address)
    searches = PersonalDataView.objects.filter(search_term_hash=hashed).select_related("viewer")
    requests = SubjectRequest.objects.filter(address_hash=hashed).select_related("actor")
    return [
        *(
            {
                "record": "A search for the address",
                "by": view.viewer.get_username(),
                "when": view.viewed_at,
                "found": view.people,
            }
            for view in searches
        ),
        *(
            {
                "record": request.get_kind_display(),
                "by": request.actor.get_username(),
                "when": request.created_at,
                "counts": request.counts,
            }
            for request in requests
        ),
    ]


def trail_export(address: str) -> list[dict[str, Any]]:
    from audit.trail import trail_mentions

    return trail_mentions(email=address)


def trail_erase(address: str, actor) -> int:
    from audit.trail import trail_pseudonymise

    return trail_pseudonymise(email=address)


def subject_data_parts_register() -> None:
    subject_data_part_register(
        "sessions",
        label="Browser sessions (unfinished pledge journeys)",
        export=sessions_export,
        erase=sessions_erase,
        order=50,
    )
    subject_data_part_register(
        "audit_records",
        label="Searches and requests recorded about the address",
        export=records_export,
        order=60,
    )
    subject_data_part_register(
        "trail",
        label="The audit trail of changes",
        export=trail_export,
        erase=trail_erase,
        order=1000,
    )
