"""Data subject rights: what each app holds about an email address, exported and erased.

A registry, like metrics' sources: each app registers the part it holds in its
`AppConfig.ready()` (pledges: pledges, updates, their history and who saw them; outbox: the
emails; audit itself: sessions, searches and requests, the trail), so this base layer never
imports the apps above it. `audit.services` runs every part for one address and records it.

A part's `export(address)` returns JSON-ready records (dicts); its `erase(address, actor)`
removes or pseudonymises them and returns how many records it changed. Both match the address
case-insensitively. Parts run in `order`; the trail is last, so it also scrubs what the other
parts' erasures wrote.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Export = Callable[[str], list[dict[str, Any]]]
Erase = Callable[[str, Any], int]


@dataclass(frozen=True)
class SubjectDataPart:
    key: str
    label: str
    export: Export
    erase: Erase | None = None
    order: int = 100


_PARTS: dict[str, SubjectDataPart] = {}


def subject_data_part_register(
    key: str, *, label: str, export: Export, erase: Erase | None = None, order: int = 100
) -> SubjectDataPart:
    """Register (or replace) the part `key`. Call from an AppConfig.ready()."""
    part = SubjectDataPart(key=key, label=label, export=export, erase=erase, order=order)
    _PARTS[key] = part
    return part


def subject_data_parts() -> list[SubjectDataPart]:
    return sorted(_PARTS.values(), key=lambda part: (part.order, part.key))
