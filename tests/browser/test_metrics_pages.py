"""The CWB metrics and LM3 pages in a real browser: WCAG 2.2 AA by axe, no JavaScript, 320 px."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from core.periods import FinancialYear
from metrics.models import LM3Study, Metric, MetricValue, ValueStatus
from tests.browser.fixtures import assert_no_axe_violations, horizontal_overflow


@pytest.fixture
def published(council):
    """Validated values for five years of every metric (borough and neighbourhoods), a draft
    that must not show, and two LM3 studies."""
    validator, _ = get_user_model().objects.get_or_create(username="browser-validator")
    neighbourhoods = list(council.neighbourhoods.order_by("order"))
    now = timezone.now()
    values = []
    for index, metric in enumerate(Metric.objects.order_by("pk")):
        for year in range(2020, 2025):
            areas = [None, *neighbourhoods] if metric.by_neighbourhood else [None]
            start, end = FinancialYear(year).dates
            for area in areas:
                values.append(
                    MetricValue(
                        metric=metric,
                        period_start=start,
                        period_end=end,
                        neighbourhood=area,
                        value=Decimal(10 + index + year - 2020) * (1000 if index % 5 == 4 else 1),
                        status=ValueStatus.VALIDATED,
                        validated_by=validator,
                        validated_at=now,
                    )
                )
    MetricValue.objects.bulk_create(values)
    MetricValue.objects.create(
        metric=Metric.objects.get(code="council-emissions"),
        period_start=FinancialYear(2025).start,
        period_end=FinancialYear(2025).end,
        value=Decimal("987654"),
        status=ValueStatus.DRAFT,
    )
    example = LM3Study.objects.create(
        name="Council spending: the worked example",
        organisation="Stevenage Borough Council",
        period_start=datetime.date(2023, 4, 1),
        period_end=datetime.date(2024, 3, 31),
        round1_income=Decimal("1000000"),
        round2_local_suppliers=Decimal("300000"),
        round2_local_staff=Decimal("200000"),
        supplier_respend_rate=Decimal("0.40"),
        staff_respend_rate=Decimal("0.45"),
        round2_from_spend_data=True,
        notes="Illustrative figures.",
    )
    LM3Study.objects.create(
        name="Town centre market traders with a rather long name to wrap at 320 pixels",
        organisation="Stevenage town centre market traders",
        period_start=datetime.date(2024, 4, 1),
        period_end=datetime.date(2025, 3, 31),
        round1_income=Decimal("420000"),
        round2_local_suppliers=Decimal("96000"),
        round2_local_staff=Decimal("118000"),
        supplier_respend_rate=Decimal("0.38"),
        staff_respend_rate=Decimal("0.52"),
    )
    return example


def _paths(study):
    return [
        "/metrics/",
        "/metrics/stevenage-works-starts/",
        "/metrics/social-value-committed/",
        "/lm3/",
        f"/lm3/{study.pk}/",
    ]


PAGE_NAMES = ["metrics", "metric by neighbourhood", "metric in pounds", "lm3 list", "lm3 study"]


@pytest.mark.parametrize("index", range(5), ids=PAGE_NAMES)
def test_the_metrics_pages_have_no_accessibility_violations(published, page, index):
    page.goto(_paths(published)[index])
    assert page.locator("h1").count() == 1
    assert_no_axe_violations(page)


def test_the_empty_metrics_pages_have_no_accessibility_violations(council, page):
    for path in ("/metrics/", "/metrics/pledges-made/", "/lm3/"):
        page.goto(path)
        assert_no_axe_violations(page)


def test_the_metrics_work_without_javascript(published, page_without_javascript):
    page = page_without_javascript
    page.goto("/")
    page.get_by_role("link", name="Metrics", exact=True).click()
    assert page.locator("h1").inner_text() == "Community Wealth Building metrics"
    assert page.get_by_text("987,654").count() == 0  # a draft is never public
    page.get_by_role(
        "link", name="Residents into jobs or apprenticeships through Stevenage Works"
    ).first.click()
    expect(page.get_by_role("heading", name="By neighbourhood")).to_be_visible()
    expect(page.get_by_role("table").first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="every validated figure (CSV)").click()
    assert download.value.suggested_filename == "metric-stevenage-works-starts.csv"


def test_an_lm3_study_works_without_javascript(published, page_without_javascript):
    page = page_without_javascript
    page.goto("/lm3/")
    page.get_by_role("link", name="Council spending: the worked example").click()
    page.wait_for_url("**/lm3/*/")
    lead = page.locator("p.govuk-body-l").inner_text()
    assert lead == "LM3 is 1.71: every £1 of income is worth £1.71 to the local economy."
    expect(page.get_by_role("term").filter(has_text="Round 3 in total")).to_be_visible()


@pytest.mark.parametrize("index", range(5), ids=PAGE_NAMES)
def test_the_metrics_pages_do_not_scroll_sideways_at_320_pixels(published, narrow_page, index):
    narrow_page.goto(_paths(published)[index])
    assert horizontal_overflow(narrow_page) == 0
