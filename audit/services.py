"""Data subject rights, run over every registered part (audit.subjects) and recorded."""

import re
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from audit.access import address_hash
from audit.models import SubjectRequest
from audit.subjects import subject_data_parts


def _without_address(text: str, address: str) -> str:
    """The reason as recorded: staff may paste the address into it; the record keeps only
    its hash."""
    return re.sub(re.escape(address), "[the address]", text, flags=re.IGNORECASE).strip()


@transaction.atomic
def subject_data_export(*, address: str, actor: User, reason: str = "") -> dict[str, Any]:
    """Everything held about `address`, part by part, and the export recorded (by hash)."""
    address = address.strip()
    parts = [
        {"key": part.key, "label": part.label, "records": part.export(address)}
        for part in subject_data_parts()
    ]
    SubjectRequest.objects.create(
        kind=SubjectRequest.Kind.EXPORT,
        actor=actor,
        address_hash=address_hash(address),
        counts={part["key"]: len(part["records"]) for part in parts},
        reason=_without_address(reason, address),
    )
    return {"address": address, "exported_at": timezone.now(), "parts": parts}


@transaction.atomic
def subject_data_erase(*, address: str, actor: User, reason: str) -> SubjectRequest:
    """Erase `address` from every part that holds it, in one transaction, and record how many
    records each part changed (by hash: the record does not keep the address)."""
    address = address.strip()
    counts = {
        part.key: part.erase(address, actor)
        for part in subject_data_parts()
        if part.erase is not None
    }
    return SubjectRequest.objects.create(
        kind=SubjectRequest.Kind.ERASURE,
        actor=actor,
        address_hash=address_hash(address),
        counts=counts,
        reason=_without_address(reason, address),
    )
