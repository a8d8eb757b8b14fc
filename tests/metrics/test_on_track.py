"""One rule for "on track", on the value as stored, in the metric's direction, written on every
page that shows a judgement (/metrics/ and the impact report)."""

import html
import re
from decimal import Decimal

import pytest

from core.periods import FinancialYear
from metrics.models import Metric, ValueStatus
from metrics.selectors import OnTrack, metric_on_track
from tests.metrics.factories import MetricValueFactory

RULE = "How we decide whether a figure is on track"


def _validated(metric, value, year=2025):
    start, end = FinancialYear(year).dates
    return MetricValueFactory(
        metric=metric,
        period_start=start,
        period_end=end,
        value=Decimal(value),
        status=ValueStatus.VALIDATED,
    )


def _progress(client, metric) -> str:
    """The text of a metric's "Progress" row on /metrics/."""
    page = re.sub(r"<[^>]+>", " ", client.get("/metrics/").content.decode())
    page = html.unescape(re.sub(r"\s+", " ", page))
    block = page.split(metric.name, 1)[1].split("How this is measured", 1)[0]
    return block.split("Progress", 1)[1].strip()


@pytest.fixture
def metrics(council):
    return {metric.code: metric for metric in Metric.objects.all()}


def test_63_pledges_behind_the_line_to_500_are_not_on_track(client, metrics):
    pledges = metrics["pledges-made"]  # 500 by 2026/27
    pledges.baseline, pledges.baseline_period = Decimal(0), "2022/23"
    pledges.save()
    value = _validated(pledges, "63")  # 2025/26: the line from 0 to 500 expects 375
    assert metric_on_track(metric=pledges, value=value) == OnTrack.OFF_TRACK
    assert _progress(client, pledges) == "Not on track Expected 375 in 2025/26."


def test_without_a_baseline_a_figure_short_of_its_target_is_not_on_track(client, metrics):
    for code, value in (("pledges-made", "63"), ("spend-vcse-share", "3.6")):
        _validated(metrics[code], value)  # 500 pledges; a VCSE share of 5.0%; neither has a line
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get("/impact/2025-26/").text))
    assert "Charter pledges made 63 Not validated 500 Not on track" in page
    assert "(VCSE) organisations 3.6% Not validated 5.0% Not on track" in page


def test_a_figure_exactly_on_the_line_is_on_track(client, metrics):
    share = metrics["spend-borough-share"]  # 12.0% in 2019/20 to 20.0% by 2027/28
    _validated(share, "18.0")  # 2025/26 expects 12 + 8 * 6/8 = 18
    assert _progress(client, share) == "On track Expected 18.0% in 2025/26."


def test_a_figure_rounded_up_to_the_line_is_judged_as_stored_and_says_so(client, metrics):
    share = metrics["spend-borough-share"]
    _validated(share, "17.969")  # shown as 18.0%, short of 18
    assert _progress(client, share) == "Not on track Expected 18.00% in 2025/26; recorded 17.97%."


def test_a_figure_exactly_on_its_target_has_met_it(client, metrics):
    _validated(metrics["spend-vcse-share"], "5.0")
    assert _progress(client, metrics["spend-vcse-share"]).startswith("Target met")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2080", OnTrack.ON_TRACK), ("1500", OnTrack.ON_TRACK), ("2081", OnTrack.OFF_TRACK)],
)
def test_lower_is_better_turns_the_rule_round(client, metrics, value, expected):
    emissions = metrics["council-emissions"]  # 5,200 in 2019/20 to 0 by 2029/30
    assert emissions.better == "lower"
    judged = _validated(emissions, value)  # 2025/26 expects 5200 * 4/10 = 2,080
    assert metric_on_track(metric=emissions, value=judged) == expected
    assert _progress(client, emissions) == f"{expected.label} Expected 2,080 tCO2e in 2025/26."


def test_no_target_or_no_value_makes_no_judgement(client, metrics):
    _validated(metrics["volunteer-hours"], "1200")  # no target
    assert _progress(client, metrics["volunteer-hours"]) == "No target set"
    assert _progress(client, metrics["placements-pledged"]) == "Not yet measured"


@pytest.mark.parametrize("path", ["/metrics/", "/impact/2025-26/"])
def test_the_rule_is_written_beside_the_judgements(client, metrics, path):
    _validated(metrics["spend-borough-share"], "18.0")
    page = client.get(path).content.decode()
    assert RULE in page
    assert "before it is rounded for this page" in page
