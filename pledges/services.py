from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from metrics.models import Foundation
from pledges.models import Commitment


@transaction.atomic
def commitments_load(*, commitments: Sequence[Mapping[str, Any]]) -> list[Commitment]:
    """Create or update the Charter's commitments by code, in the order given. Idempotent.

    Each item names its foundation by code, so foundations must be loaded first.
    """
    foundations = {f.code: f for f in Foundation.objects.all()}
    loaded = []
    for order, data in enumerate(commitments, start=1):
        commitment = Commitment.objects.filter(code=data["code"]).first()
        commitment = commitment or Commitment(code=data["code"])
        commitment.title = data["title"]
        commitment.benefit = data["benefit"]
        commitment.foundation = foundations[data["foundation"]]
        commitment.help_text = data.get("help_text", "")
        commitment.order = data.get("order", order)
        commitment.full_clean()
        commitment.save()
        loaded.append(commitment)
    return loaded
