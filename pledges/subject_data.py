"""The pledges' part of a data subject's data (audit.subjects): the pledges made with the
address, their progress updates, their history, consent changes and who saw their details.

Erasing it erases each pledge's personal data (the same service as every other erasure path,
which also clears the outbox and the trail of those pledges) and removes the address wherever
a pledger typed it into the words of a pledge or an update. The search vector is generated from
those words, so the database rebuilds it without the address.
"""

import re
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q

from audit.access import views_of
from audit.models import ConsentChange
from audit.subjects import subject_data_part_register
from pledges.models import ModerationEvent, Pledge, PledgeUpdate
from pledges.selectors import pledges_moderation_history
from pledges.services import erase_personal_data_of

REDACTED = "[email address removed]"


def _pledges_of(address: str):
    return Pledge.objects.filter(email__iexact=address.strip())


def pledges_export(address: str) -> list[dict[str, Any]]:
    """Every pledge made with the address, with everything attached: nine queries."""
    pledges = list(
        _pledges_of(address)
        .defer("search_vector")
        .select_related("neighbourhood")
        .prefetch_related(
            "commitments",
            Prefetch("updates", queryset=PledgeUpdate.objects.order_by("created_at")),
            Prefetch("events", queryset=ModerationEvent.objects.select_related("actor")),
        )
        .order_by("created_at")
    )
    ids = [pledge.pk for pledge in pledges]
    moderation = pledges_moderation_history(ids) if ids else {}
    consent: dict[int, list[ConsentChange]] = {}
    for change in ConsentChange.objects.filter(
        object_type=ContentType.objects.get_for_model(Pledge), object_id__in=ids
    ).select_related("actor"):
        consent.setdefault(change.object_id, []).append(change)
    seen: dict[int, list[dict]] = {}
    for view in views_of(model=Pledge, ids=ids) if ids else []:
        for pk in set(view.object_ids) & set(ids):
            seen.setdefault(pk, []).append(
                {
                    "by": view.viewer.get_username(),
                    "when": view.viewed_at,
                    "how": view.how,
                    "what": view.what,
                }
            )
    return [
        {
            "reference": pledge.reference,
            "pledging_as": pledge.get_pledger_type_display(),
            "organisation_size": pledge.get_organisation_size_display(),
            "name": pledge.display_name,
            "show_name": pledge.show_name,
            "contact_name": pledge.contact_name,
            "email": pledge.email,
            "postcode": pledge.postcode,
            "contact_consent": pledge.contact_consent,
            "ip_address_hash_held": bool(pledge.ip_hash),
            "neighbourhood": pledge.neighbourhood.name if pledge.neighbourhood else "Whole area",
            "commitments": [commitment.title for commitment in pledge.commitments.all()],
            "pledge": pledge.text,
            "target": pledge.target,
            "status": pledge.get_status_display(),
            "source": pledge.get_source_display(),
            "created_at": pledge.created_at,
            "confirmed_at": pledge.confirmed_at,
            "published_at": pledge.published_at,
            "withdrawn_at": pledge.withdrawn_at,
            "updates": [
                {
                    "progress": update.text,
                    "hours_volunteered": update.hours_volunteered,
                    "people_supported": update.people_supported,
                    "placements_offered": update.placements_offered,
                    "spent_locally": update.spent_locally,
                    "status": update.get_status_display(),
                    "created_at": update.created_at,
                }
                for update in pledge.updates.all()
            ],
            # The history kept before the audit trail, then the trail's.
            "history": [
                {
                    "action": event.get_action_display(),
                    "by": event.actor.get_username() if event.actor else "",
                    "note": event.note,
                    "when": event.created_at,
                }
                for event in pledge.events.all()
            ]
            + [
                {
                    "action": step.action_label,
                    "by": step.by.get_username() if step.by else "",
                    "status": f"{step.status_before} → {step.status_after}".strip(" →"),
                    "reason": step.reason,
                    "note": step.note,
                    "when": step.at,
                }
                for step in moderation.get(pledge.pk, [])
            ],
            "consent_changes": [
                {
                    "changes": change.changes,
                    "reason": change.reason,
                    "by": change.actor.get_username(),
                    "when": change.changed_at,
                }
                for change in consent.get(pledge.pk, [])
            ],
            "seen_by": seen.get(pledge.pk, []),
        }
        for pledge in pledges
    ]


def _redact(text: str, pattern: re.Pattern) -> str:
    return pattern.sub(REDACTED, text)


def pledges_erase(address: str, actor) -> int:
    """Erase the pledges made with the address, and the address from any pledge's or update's
    words. Returns how many pledges and updates changed."""
    address = address.strip()
    ids = list(_pledges_of(address).values_list("pk", flat=True))
    changed = erase_personal_data_of(
        pledge_ids=ids, actor=actor, note="Erased on request: everything held about an address"
    )
    pattern = re.compile(re.escape(address), re.IGNORECASE)
    in_words = Q(text__icontains=address) | Q(target__icontains=address)
    in_words |= Q(display_name__icontains=address) | Q(contact_name__icontains=address)
    for pledge in Pledge.objects.filter(in_words).defer("search_vector"):
        for name in ("text", "target", "display_name", "contact_name"):
            setattr(pledge, name, _redact(getattr(pledge, name), pattern))
        pledge.save(update_fields=["text", "target", "display_name", "contact_name"])
        changed += 1
    for update in PledgeUpdate.objects.filter(text__icontains=address):
        update.text = _redact(update.text, pattern)
        update.save(update_fields=["text"])
        changed += 1
    # The history from before the audit trail (the trail is pseudonymised by the erasure).
    for event in ModerationEvent.objects.filter(note__icontains=address):
        event.note = _redact(event.note, pattern)
        event.save(update_fields=["note"])
    return changed


def subject_data_parts_register() -> None:
    subject_data_part_register(
        "pledges",
        label="Pledges, progress updates and their history",
        export=pledges_export,
        erase=pledges_erase,
        order=10,
    )
