"""The demo balance sheets that `make run` loads."""

import datetime
import io

from django.core.management import call_command

from balancesheets.models import BalanceSheet, BalanceSheetLine, SheetStatus
from balancesheets.selectors import published_years, sheets_published_current


def test_the_demo_publishes_two_years_with_the_next_in_progress(seeded, client):
    sheets = BalanceSheet.objects.all()
    published = sheets.filter(status=SheetStatus.PUBLISHED)
    for year in (2023, 2024):
        areas = published.filter(year=year, neighbourhood__isnull=False)
        assert areas.values("neighbourhood").distinct().count() == 6
    open_statuses = set(sheets.filter(year=2025).values_list("status", flat=True))
    assert open_statuses == {"draft", "submitted", "returned"}
    assert published.filter(year=2024, neighbourhood__isnull=True).exists()
    restated = published.filter(restates__isnull=False).get()
    assert restated.restatement_reason
    capitals = set(
        BalanceSheetLine.objects.filter(sheet=restated).values_list(
            "indicator__capital__code", flat=True
        )
    )
    assert capitals == {"social", "human", "built", "financial", "natural"}
    council = restated.council
    assert [y.year for y in published_years(council=council)] == [2024, 2023]
    assert sheets_published_current(council=council).count() == 6 + 7
    for path in ("/balance-sheets/", "/balance-sheets/2023-24/", "/balance-sheets/2024-25/"):
        assert client.get(path).status_code == 200
    slug = restated.neighbourhood.slug
    assert b"Restated on" in client.get(f"/balance-sheets/2023-24/{slug}/").content


def test_seeding_again_adds_no_sheets(seeded):
    before = BalanceSheet.objects.count(), BalanceSheetLine.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert (BalanceSheet.objects.count(), BalanceSheetLine.objects.count()) == before


def test_the_demo_history_happened_when_its_story_says_not_when_it_was_seeded(seeded):
    from django.db.models import Max
    from django.utils import timezone

    from balancesheets.models import BalanceSheetEvent

    published = BalanceSheet.objects.filter(status=SheetStatus.PUBLISHED)
    latest_step = dict(
        BalanceSheetEvent.objects.filter(sheet__in=published)
        .values_list("sheet")
        .annotate(latest=Max("created_at"))
    )
    for sheet in published:
        assert sheet.created_at < sheet.submitted_at < sheet.validated_at < sheet.published_at
        assert latest_step[sheet.pk] == sheet.published_at
    assert not BalanceSheetEvent.objects.filter(
        created_at__gt=timezone.now() - datetime.timedelta(days=1)
    ).exists()
