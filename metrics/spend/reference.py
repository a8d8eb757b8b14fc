"""The council's spend facts, read from the `[spend]` table of its reference data file.

Council facts are data, not code: the county's districts (for the "county" locality) and extra
header spellings of the council's spending files live in data/councils/<slug>.toml beside the
rest of its reference data, with the council's own catch-all payee names (`withheld_payees`,
beside metrics.spend.names.DEFAULT_WITHHELD_PAYEES) and the amount under which a line with no
supplier is trivial (`trivial_amount`, for the officer's choice to leave such lines out). The
file is `settings.CHARTER_REFERENCE_FILE` when that is set, otherwise
data/councils/<council slug>.toml.
"""

import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from neighbourhoods.models import Council

# A line with no supplier whose amount is under this (either sign) is trivial: "Difference A/c"
# lines of £0.01. Left out only when the officer chooses so for an import.
DEFAULT_TRIVIAL_AMOUNT = Decimal("1.00")


@dataclass(frozen=True)
class SpendReference:
    county_lad_codes: frozenset[str] = frozenset()
    header_aliases: dict[str, str] = field(default_factory=dict)
    withheld_payees: tuple[str, ...] = ()
    trivial_amount: Decimal = DEFAULT_TRIVIAL_AMOUNT


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
        withheld_payees=tuple(str(name) for name in data.get("withheld_payees", [])),
        trivial_amount=Decimal(str(data.get("trivial_amount", DEFAULT_TRIVIAL_AMOUNT))),
    )
