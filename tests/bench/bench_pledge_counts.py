"""The published-pledge count and the campaign count read straight from the database, at
100,000 pledges: is a COUNT fast enough for the home page, or does a council need a counter?

    make bench   (or: .venv/bin/python -m pytest tests/bench -q -p no:xdist -s -k pledge)

PLEDGE_BENCH_ROWS changes the size. The pledges are written in one INSERT … SELECT (the
database fills each search vector as it goes), then vacuumed and analysed as autovacuum would.
"""

import datetime
import os
import statistics
import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pledges.models import Campaign, Pledge, PledgeStatus
from pledges.selectors import campaign_progress, pledge_published_total

ROWS = int(os.environ.get("PLEDGE_BENCH_ROWS", "100000"))
REPEATS = 25
# The home page is read by everyone: its count should cost a few milliseconds, not a page's
# worth. Generous, so a busy machine does not fail the run; the figure printed is the point.
COUNT_BUDGET_SECONDS = 0.1

# One in eight pledges is in a state the public does not see, as in the demo's mix.
STATUSES = [PledgeStatus.PUBLISHED] * 7 + [PledgeStatus.CONFIRMED]


def _pledges_insert(rows: int) -> None:
    """`rows` pledges spread over five years, most published, in one statement."""
    table = Pledge._meta.db_table
    statuses = "ARRAY[" + ", ".join(f"'{s}'" for s in STATUSES) + "]"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (
                reference, pledger_type, organisation_size, display_name, show_name,
                contact_name, email, postcode, contact_consent, ip_hash, text, target, status,
                source, hold_reason, duplicate_fingerprint, confirmation_nonce, created_at,
                confirmed_at, published_at
            )
            SELECT
                lpad(to_hex(n), 8, '0'), 'resident', '', 'Pledger ' || n, n %% 3 = 0,
                '', '', '', false, '', 'We will buy from Stevenage firms, pledge ' || n, '',
                status, 'online', '', '', '', stamp, stamp,
                CASE WHEN status = 'published' THEN stamp END
            FROM (
                SELECT n, ({statuses})[1 + n %% {len(STATUSES)}] AS status,
                       now() - (n %% 1826) * interval '1 day' AS stamp
                FROM generate_series(1, %s) AS n
            ) AS generated
            """,  # noqa: S608 (our own table name and constants)
            [rows],
        )
        cursor.execute(f"VACUUM ANALYZE {table}")


def _median_seconds(read) -> float:
    timings = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        read()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) {sql}")
        return "\n".join(f"    {row[0]}" for row in cursor.fetchall())


@pytest.mark.django_db(transaction=True)
def test_the_published_count_is_fast_enough_without_a_counter(council):
    # VACUUM cannot run inside a transaction block, hence transaction=True and autocommit here.
    started = time.perf_counter()
    _pledges_insert(ROWS)
    inserted = time.perf_counter() - started
    today = timezone.localdate()
    Campaign.objects.create(
        name="First year",
        target=ROWS,
        starts_on=today - datetime.timedelta(days=365),
        ends_on=today,
        description="in the first year",
    )
    published = Pledge.objects.filter(status=PledgeStatus.PUBLISHED).count()
    assert pledge_published_total() == published
    assert campaign_progress().count > 0

    count_seconds = _median_seconds(pledge_published_total)
    campaign_seconds = _median_seconds(campaign_progress)
    client = Client()
    assert client.get("/").status_code == 200
    home_seconds = _median_seconds(lambda: client.get("/"))

    with CaptureQueriesContext(connection) as queries:
        pledge_published_total()
    print(
        f"\nPledge count benchmark: {ROWS:,} pledges, {published:,} published "
        f"(inserted in {inserted:.1f} s), median of {REPEATS}\n"
        f"  published count (home page):    {count_seconds * 1000:7.2f} ms\n"
        f"  campaign count (home page):     {campaign_seconds * 1000:7.2f} ms\n"
        f"  whole home page (test client):  {home_seconds * 1000:7.2f} ms\n"
        f"  plan of the published count:\n" + _plan(queries[0]["sql"])
    )
    assert count_seconds < COUNT_BUDGET_SECONDS
