"""Open data: published pledges as records for JSON, and spreadsheet-safe CSV.

A record holds only what the public pledge wall shows; the name is always `public_name`.
"""

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from core.csv import csv_lines
from pledges.models import Pledge, PledgerType

CSV_HEADER = (
    "reference",
    "url",
    "name",
    "pledger_type",
    "pledger_type_label",
    "organisation_size",
    "neighbourhood_slug",
    "neighbourhood_name",
    "commitment_codes",
    "commitments",
    "foundations",
    "text",
    "target",
    "published_at",
)
LIST_SEPARATOR = "; "


def pledge_record(*, pledge: Pledge, url: str) -> dict[str, Any]:
    """One published pledge as open data: public fields only."""
    neighbourhood = pledge.neighbourhood
    return {
        "reference": pledge.reference,
        "url": url,
        "name": pledge.public_name,
        "pledger_type": pledge.pledger_type,
        "pledger_type_label": pledge.get_pledger_type_display(),
        "organisation_size": (
            (pledge.organisation_size or None)
            if pledge.pledger_type == PledgerType.BUSINESS
            else None
        ),
        "neighbourhood": (
            {"slug": neighbourhood.slug, "name": neighbourhood.name} if neighbourhood else None
        ),
        "commitments": [
            {"code": c.code, "title": c.title, "foundation": c.foundation.code}
            for c in pledge.commitments.all()
        ],
        "text": pledge.text,
        "target": pledge.target,
        "published_at": pledge.published_at.isoformat() if pledge.published_at else None,
    }


def pledge_csv_row(record: dict[str, Any]) -> list[Any]:
    """A pledge record flattened into the cells of CSV_HEADER."""
    neighbourhood = record["neighbourhood"] or {}
    commitments = record["commitments"]
    foundations = dict.fromkeys(c["foundation"] for c in commitments)
    return [
        record["reference"],
        record["url"],
        record["name"],
        record["pledger_type"],
        record["pledger_type_label"],
        record["organisation_size"] or "",
        neighbourhood.get("slug", ""),
        neighbourhood.get("name", ""),
        LIST_SEPARATOR.join(c["code"] for c in commitments),
        LIST_SEPARATOR.join(c["title"] for c in commitments),
        LIST_SEPARATOR.join(foundations),
        record["text"],
        record["target"],
        record["published_at"] or "",
    ]


def pledges_csv_lines(*, pledges: Iterable[Pledge], url_for: Callable[[str], str]) -> Iterator[str]:
    """The open-data CSV of these pledges, line by line."""
    return csv_lines(
        header=CSV_HEADER,
        rows=(
            pledge_csv_row(pledge_record(pledge=pledge, url=url_for(pledge.reference)))
            for pledge in pledges
        ),
    )
