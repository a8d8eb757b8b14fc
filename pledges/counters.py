"""Running counts spread over shards, so concurrent increments never queue on one hot row."""

import secrets

from django.db import connection
from django.db.models import Sum

from pledges.models import PledgeCounterShard

SHARDS = 16
PUBLISHED = "published"
SUBMITTED = "submitted"
CONFIRMED = "confirmed"


def counter_add(*, name: str, delta: int = 1) -> None:
    """Add `delta` to one shard of the named count, chosen at random. One statement, no lock."""
    if not delta:
        return
    table = PledgeCounterShard._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (name, shard, value) VALUES (%s, %s, %s) "  # noqa: S608
            f"ON CONFLICT (name, shard) DO UPDATE SET value = {table}.value + EXCLUDED.value",
            [name, secrets.randbelow(SHARDS), delta],
        )


def counter_total(*, name: str) -> int:
    return PledgeCounterShard.objects.filter(name=name).aggregate(total=Sum("value"))["total"] or 0
