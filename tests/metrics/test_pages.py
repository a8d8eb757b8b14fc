"""The public pages: /metrics/, a metric's history and CSV, /lm3/ and a study; the selectors the
impact report uses. Only validated values are public; query counts do not grow with the data."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.periods import FinancialYear
from metrics.models import Better, Metric, Unit, ValueStatus
from metrics.selectors import OnTrack, lm3_studies_for, metric_report
from tests.metrics.factories import LM3StudyFactory, MetricValueFactory


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def _values(metric, years, *, neighbourhoods=(), status=ValueStatus.VALIDATED, base=10):
    for year in years:
        start, end = FinancialYear(year).dates
        for area in [None, *neighbourhoods]:
            MetricValueFactory(
                metric=metric,
                period_start=start,
                period_end=end,
                neighbourhood=area,
                value=Decimal(base + year - 2000),
                status=status,
            )


@pytest.fixture
def spend_share(council):
    return Metric.objects.get(code="spend-borough-share")


@pytest.fixture
def starts(council):
    return Metric.objects.get(code="stevenage-works-starts")


# /metrics/


def test_the_metrics_page_lists_every_active_metric_by_foundation(council, client):
    page = _text(client.get("/metrics/"))
    assert '<h1 class="govuk-heading-xl">Community Wealth Building metrics</h1>' in page
    for metric in Metric.objects.filter(is_active=True).select_related("foundation"):
        assert metric.name.replace("'", "&#x27;") in page
        assert metric.foundation.name in page


def test_only_validated_values_are_public(spend_share, client):
    start, end = FinancialYear(2023).dates
    MetricValueFactory(metric=spend_share, value=Decimal("17.3"))
    for status, figure in [
        (ValueStatus.DRAFT, "91.1"),
        (ValueStatus.SUBMITTED, "92.2"),
        (ValueStatus.RETURNED, "93.3"),
    ]:
        MetricValueFactory(
            metric=spend_share, period_start=start, period_end=end, value=figure, status=status
        )
        start, end = FinancialYear(start.year - 1).dates
    for path in ["/metrics/", "/metrics/spend-borough-share/", "/metrics/spend-borough-share.csv"]:
        response = client.get(path)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        text = content.decode()
        assert "17.3" in text
        for hidden in ("91.1", "92.2", "93.3"):
            assert hidden not in text, f"{hidden} is not validated but shows on {path}"


def test_a_metric_shows_its_latest_value_target_baseline_and_progress(spend_share, client):
    _values(spend_share, [2022, 2023, 2024], base=-8)  # 14.0, 15.0, 16.0 (%)
    page = _text(client.get("/metrics/"))
    assert "<strong>16.0%</strong> in 2024/25" in page
    assert "Up 1.0 percentage point (from 15.0%): better" in page
    assert "20.0% by 2027/28" in page  # the target
    assert "12.0% in 2019/20" in page  # the baseline
    assert "Higher is better" in page
    # On the line from 12% (2019/20) to 20% (2027/28), 2024/25 expects 17%: 16% is behind it.
    assert "Not on track" in page
    assert '<th scope="row" class="govuk-table__header">2022/23</th>' in page


def test_a_metric_page_has_its_history_by_borough_and_neighbourhood(starts, council, client):
    neighbourhoods = list(council.neighbourhoods.order_by("order"))
    _values(starts, [2023, 2024], neighbourhoods=neighbourhoods[:2], base=20)
    page = _text(client.get("/metrics/stevenage-works-starts/"))
    assert "Residents into jobs or apprenticeships through Stevenage Works" in page
    assert "Whole borough" in page
    assert "By neighbourhood" in page
    assert neighbourhoods[0].name in page
    assert neighbourhoods[1].name in page
    assert "Up 1 (better)" in page
    assert 'href="/metrics/stevenage-works-starts.csv"' in page
    assert page.index("2024/25") < page.index("2023/24")  # newest first


def test_the_csv_has_every_validated_value_and_is_spreadsheet_safe(starts, council, client):
    starts.name = "=HYPERLINK(1)"
    starts.save()
    neighbourhood = council.neighbourhoods.order_by("order").first()
    _values(starts, [2023, 2024], neighbourhoods=[neighbourhood], base=20)
    MetricValueFactory(
        metric=starts,
        period_start=FinancialYear(2022).start,
        period_end=FinancialYear(2022).end,
        status=ValueStatus.DRAFT,
    )
    response = client.get("/metrics/stevenage-works-starts.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="metric-stevenage-works-starts.csv"' in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [(r["period"], r["area"], r["value"]) for r in rows] == [
        ("2023/24", "Stevenage", "43"),
        ("2023/24", neighbourhood.name, "43"),
        ("2024/25", "Stevenage", "44"),
        ("2024/25", neighbourhood.name, "44"),
    ]
    assert {r["metric_name"] for r in rows} == {"'=HYPERLINK(1)"}


@pytest.mark.parametrize(
    "path", ["/metrics/no-such-metric/", "/metrics/no-such-metric.csv", f"/metrics/{'a' * 61}/"]
)
def test_an_unknown_metric_is_not_found(council, client, path):
    assert client.get(path).status_code == 404


def test_a_retired_metric_keeps_its_page_but_leaves_the_list(starts, client):
    _values(starts, [2024])
    starts.is_active = False
    starts.save()
    assert starts.name not in _text(client.get("/metrics/"))
    assert "no longer reported" in _text(client.get("/metrics/stevenage-works-starts/"))


def test_posting_to_the_metrics_pages_is_refused(council, client):
    assert client.post("/metrics/").status_code == 405


@pytest.mark.parametrize(
    "path",
    ["/metrics/", "/metrics/stevenage-works-starts/", "/metrics/stevenage-works-starts.csv"],
)
def test_metric_pages_run_the_same_queries_for_few_or_many_values(starts, council, client, path):
    neighbourhoods = list(council.neighbourhoods.all())
    spend = Metric.objects.get(code="spend-borough-share")
    _values(starts, [2024], neighbourhoods=neighbourhoods)
    _values(spend, [2024])
    client.get(path)  # warm caches
    few = _queries(client, path)
    _values(starts, range(2010, 2024), neighbourhoods=neighbourhoods)
    _values(spend, range(2010, 2024))
    assert _queries(client, path) == few
    assert few <= 4


def test_the_navigation_links_to_the_metrics(council, client):
    assert '<a class="govuk-service-navigation__link" href="/metrics/"' in _text(client.get("/"))


# /lm3/


def test_the_lm3_list_shows_each_study_and_its_multiplier(council, client):
    study = LM3StudyFactory(name="Council spending")
    page = _text(client.get("/lm3/"))
    assert f'href="/lm3/{study.pk}/"' in page
    assert "LM3 1.71" in page
    assert "every £1 of income is worth £1.71 to the local economy" in page


def test_an_lm3_study_shows_its_breakdown(council, client):
    study = LM3StudyFactory(name="Council spending", notes="From the 2023 survey.")
    page = _text(client.get(f"/lm3/{study.pk}/"))
    for expected in [
        "£1,000,000",
        "£300,000",
        "£200,000",
        "£500,000",
        "£120,000 (40% of £300,000)",
        "£90,000 (45% of £200,000)",
        "£210,000",
        "£1,710,000",
        "<strong>1.71</strong> (£1,710,000 divided by £1,000,000)",
        "every £1 of income is worth £1.71 to the local economy",
        "From the 2023 survey.",
    ]:
        assert expected in page


@pytest.mark.parametrize("path", ["/lm3/999999/", "/lm3/99999999999999999999999/", "/lm3/x/"])
def test_an_unknown_study_is_not_found(council, client, path):
    assert client.get(path).status_code == 404


def test_the_lm3_list_is_paginated(council, client):
    LM3StudyFactory.create_batch(21)
    page = _text(client.get("/lm3/"))
    assert "Showing 1 to 20 of 21 studies" in page
    assert "Showing 21 to 21 of 21 studies" in _text(client.get("/lm3/?page=2"))
    assert client.get("/lm3/?page=nonsense").status_code == 200


@pytest.mark.parametrize("path", ["/lm3/", "lm3-detail"])
def test_lm3_pages_run_the_same_queries_for_few_or_many_studies(council, client, path):
    first = LM3StudyFactory()
    path = f"/lm3/{first.pk}/" if path == "lm3-detail" else path
    client.get(path)
    few = _queries(client, path)
    LM3StudyFactory.create_batch(30)
    assert _queries(client, path) == few


# The selectors for /impact/<year>/.


def test_metric_report_gives_each_metric_its_value_previous_value_and_progress(
    council, django_assert_max_num_queries
):
    emissions = Metric.objects.get(code="council-emissions")  # lower is better, target 0
    spend = Metric.objects.get(code="spend-borough-share")
    _values(emissions, [2022, 2023, 2024], base=5000)  # 5022, 5023, 5024: getting worse
    _values(spend, [2021, 2023], base=-2)  # 2021: 19, 2023: 21 (target 20: met)
    MetricValueFactory(
        metric=spend,
        period_start=FinancialYear(2024).start,
        period_end=FinancialYear(2024).end,
        value=Decimal("50"),
        status=ValueStatus.SUBMITTED,
    )
    start, end = FinancialYear(2023).dates
    with django_assert_max_num_queries(3):
        report = metric_report(period_start=start, period_end=end)
    rows = {row.metric.code: row for group in report for row in group.metrics}
    assert [group.foundation.code for group in report] == [
        "procurement-social-value",
        "training-skills",
        "cooperative-social-economy",
        "climate",
    ]
    assert len(rows) == Metric.objects.filter(is_active=True).count()
    assert rows["council-emissions"].value.value == Decimal("5023")
    assert rows["council-emissions"].previous.value == Decimal("5022")
    assert rows["council-emissions"].improved is False
    assert rows["council-emissions"].metric.better == Better.LOWER
    assert rows["spend-borough-share"].value.value == Decimal("21")
    assert rows["spend-borough-share"].previous.value == Decimal("19")  # the latest before
    assert rows["spend-borough-share"].target == Decimal("20")
    assert rows["spend-borough-share"].on_track == OnTrack.MET
    assert rows["pledges-made"].value is None
    assert rows["pledges-made"].on_track == OnTrack.NO_VALUE


def test_metric_report_queries_do_not_grow_with_the_values(council, django_assert_num_queries):
    start, end = FinancialYear(2023).dates
    for metric in Metric.objects.all():
        _values(metric, range(2015, 2025), base=1)
    with django_assert_num_queries(3):
        metric_report(period_start=start, period_end=end)


def test_lm3_studies_for_a_year_are_those_overlapping_it(council, django_assert_num_queries):
    inside = LM3StudyFactory(
        period_start=FinancialYear(2023).start, period_end=FinancialYear(2023).end
    )
    LM3StudyFactory(period_start=FinancialYear(2021).start, period_end=FinancialYear(2021).end)
    start, end = FinancialYear(2023).dates
    with django_assert_num_queries(1):
        studies = lm3_studies_for(period_start=start, period_end=end)
    assert studies == [inside]
    assert studies[0].breakdown.lm3 == Decimal("1.71")


def test_unit_formats(council):
    from metrics.templatetags.metric_format import metric_change_format, metric_value_format

    assert metric_value_format(Decimal("18.2000"), Unit.PERCENT) == "18.2%"
    assert metric_value_format(Decimal("1250000.0000"), Unit.POUNDS) == "£1.3m"
    assert metric_value_format(Decimal("265000.0000"), Unit.POUNDS) == "£265,000"
    assert metric_value_format(Decimal("12.5"), Unit.POUNDS) == "£12.50"
    assert metric_value_format(Decimal("1234"), Unit.COUNT) == "1,234"
    assert metric_value_format(Decimal("1"), Unit.HOURS) == "1 hour"
    assert metric_value_format(Decimal("5200"), Unit.TONNES_CO2E) == "5,200 tCO2e"
    assert metric_value_format(Decimal("4321.55"), Unit.TONNES_CO2E) == "4,321.6 tCO2e"
    assert metric_value_format(None, Unit.COUNT) == ""
    assert metric_change_format(Decimal("-2.5"), Unit.PERCENT) == "Down 2.5 percentage points"
    assert metric_change_format(Decimal("500"), Unit.POUNDS) == "Up £500"
    assert metric_change_format(Decimal("0"), Unit.COUNT) == "No change"
