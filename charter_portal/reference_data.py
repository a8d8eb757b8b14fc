"""Load a council's reference data file (TOML) into every app, each through its own service."""

import tomllib
from pathlib import Path

from django.conf import settings
from django.db import transaction

from balancesheets.services import capitals_load, indicators_load
from metrics.services import foundations_load, metrics_load
from metrics.spend.exclusions import spend_exclusions_load
from neighbourhoods.models import Council
from neighbourhoods.services import council_load_reference
from pledges.services import campaigns_load, commitments_load, rejection_reasons_load

DEFAULT_REFERENCE_FILE = settings.BASE_DIR / "data" / "councils" / "stevenage.toml"


class ReferenceDataError(ValueError):
    pass


@transaction.atomic
def reference_data_load(*, path: Path) -> Council:
    """Load council, neighbourhoods, wards, foundations, commitments, rejection reasons,
    campaigns and capitals. Idempotent."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ReferenceDataError(f"Cannot read {path}: {error}") from error
    for section in ("council", "neighbourhoods"):
        if section not in data:
            raise ReferenceDataError(f"{path} has no [{section}] section")

    council = council_load_reference(council=data["council"], neighbourhoods=data["neighbourhoods"])
    foundations_load(foundations=data.get("foundations", []))
    metrics_load(metrics=data.get("metrics", []))
    commitments_load(commitments=data.get("commitments", []))
    rejection_reasons_load(rejection_reasons=data.get("rejection_reasons", []))
    campaigns_load(campaigns=data.get("campaigns", []))
    capitals_load(capitals=data.get("capitals", []))
    indicators_load(indicators=data.get("indicators", []))
    spend_exclusions_load(
        public_bodies=data.get("public_bodies", []), rules=data.get("spend_exclusions", [])
    )
    return council
