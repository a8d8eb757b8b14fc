from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from metrics.models import Foundation


@transaction.atomic
def foundations_load(*, foundations: Sequence[Mapping[str, Any]]) -> list[Foundation]:
    """Create or update foundations by code, in the order given. Idempotent."""
    loaded = []
    for order, data in enumerate(foundations, start=1):
        foundation = Foundation.objects.filter(code=data["code"]).first()
        foundation = foundation or Foundation(code=data["code"])
        foundation.name = data["name"]
        foundation.summary = data.get("summary", "")
        foundation.order = data.get("order", order)
        foundation.full_clean()
        foundation.save()
        loaded.append(foundation)
    return loaded
