from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from balancesheets.models import Capital


@transaction.atomic
def capitals_load(*, capitals: Sequence[Mapping[str, Any]]) -> list[Capital]:
    """Create or update capitals by code, in the order given. Idempotent."""
    loaded = []
    for order, data in enumerate(capitals, start=1):
        capital = Capital.objects.filter(code=data["code"]).first() or Capital(code=data["code"])
        capital.name = data["name"]
        capital.description = data.get("description", "")
        capital.order = data.get("order", order)
        capital.full_clean()
        capital.save()
        loaded.append(capital)
    return loaded
