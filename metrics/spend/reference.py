"""The council's spend facts, read from the `[spend]` table of its reference data file.

Council facts are data, not code: the county's districts (for the "county" locality) and extra
header spellings of the council's spending files live in data/councils/<slug>.toml beside the
rest of its reference data. The file is `settings.CHARTER_REFERENCE_FILE` when that is set,
otherwise data/councils/<council slug>.toml.
"""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from neighbourhoods.models import Council


@dataclass(frozen=True)
class SpendReference:
    county_lad_codes: frozenset[str] = frozenset()
    header_aliases: dict[str, str] = field(default_factory=dict)


def spend_reference_path(*, council: Council | None) -> Path | None:
    configured = getattr(settings, "CHARTER_REFERENCE_FILE", None)
    if configured:
        return Path(configured)
    if council is None:
        return None
    return Path(settings.BASE_DIR) / "data" / "councils" / f"{council.slug}.toml"


def spend_reference(*, council: Council | None) -> SpendReference:
    """The `[spend]` table of the council's reference file; empty when there is none."""
    path = spend_reference_path(council=council)
    if path is None or not path.is_file():
        return SpendReference()
    with path.open("rb") as handle:
        data = tomllib.load(handle).get("spend", {})
    return SpendReference(
        county_lad_codes=frozenset(
            code.strip().upper() for code in data.get("county_lad_codes", [])
        ),
        header_aliases={str(k): str(v) for k, v in data.get("header_aliases", {}).items()},
    )
