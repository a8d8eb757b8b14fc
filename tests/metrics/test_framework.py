"""The CWB framework: the metrics seeded from the reference data, the roles' permissions,
periods, whether a metric is on track, and the demo data."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from charter_portal.reference_data import DEFAULT_REFERENCE_FILE, reference_data_load
from core.periods import FinancialYear
from core.roles import CWB_GROUP, OFFICERS
from metrics.demo import demo_metrics_ensure
from metrics.models import Better, LM3Study, Metric, MetricValue, Unit, ValueStatus
from metrics.periods import (
    period_fits,
    period_label,
)
from metrics.selectors import OnTrack, metric_on_track, metric_value_history
from metrics.services import metrics_load
from tests.metrics.factories import MetricFactory, MetricValueFactory

STARTING_SET = {
    "spend-borough-share": ("procurement-social-value", Unit.PERCENT, True),
    "spend-county-share": ("procurement-social-value", Unit.PERCENT, True),
    "spend-borough-share-influenceable": ("procurement-social-value", Unit.PERCENT, True),
    "spend-sme-share": ("procurement-social-value", Unit.PERCENT, True),
    "spend-vcse-share": ("procurement-social-value", Unit.PERCENT, True),
    "social-value-committed": ("procurement-social-value", Unit.POUNDS, False),
    "placements-pledged": ("training-skills", Unit.COUNT, True),
    "placements-delivered": ("training-skills", Unit.COUNT, False),
    "stevenage-works-starts": ("training-skills", Unit.COUNT, False),
    "real-living-wage-pledgers": ("training-skills", Unit.COUNT, False),
    "pledges-made": ("cooperative-social-economy", Unit.COUNT, True),
    "volunteer-hours": ("cooperative-social-economy", Unit.HOURS, True),
    "council-emissions": ("climate", Unit.TONNES_CO2E, False),
}


def test_the_starting_set_of_metrics_is_seeded(council):
    metrics = {m.code: m for m in Metric.objects.select_related("foundation")}
    assert set(metrics) == set(STARTING_SET)
    for code, (foundation, unit, computed) in STARTING_SET.items():
        metric = metrics[code]
        assert (metric.foundation.code, metric.unit, metric.computed) == (
            foundation,
            unit,
            computed,
        ), code
        assert metric.method
        assert metric.owning_department
    assert metrics["council-emissions"].better == Better.LOWER
    assert metrics["pledges-made"].by_neighbourhood
    borough = metrics["spend-borough-share"]
    assert (borough.baseline, borough.target) == (Decimal("12"), Decimal("20"))
    assert "illustrative until the CWB Group agrees" in borough.method


def test_loading_the_metrics_twice_changes_nothing_and_keeps_a_retirement(council):
    Metric.objects.filter(code="real-living-wage-pledgers").update(is_active=False)
    reference_data_load(path=DEFAULT_REFERENCE_FILE)
    assert Metric.objects.count() == len(STARTING_SET)
    assert not Metric.objects.get(code="real-living-wage-pledgers").is_active


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"foundation": "no-such-foundation"}, "no foundation"),
        ({"computed": True, "source": "no.such.source"}, "no metric source"),
        ({"unit": "furlongs"}, "furlongs"),
    ],
)
def test_a_bad_metric_in_the_reference_data_is_refused(council, changes, message):
    metric = {
        "code": "new-metric",
        "name": "A new metric",
        "foundation": "climate",
        "unit": "count",
        "method": "Counted.",
        "owning_department": "Climate Change",
        **changes,
    }
    with pytest.raises(ValidationError, match=message):
        metrics_load(metrics=[metric])


def test_the_roles_have_their_permissions_on_metrics(council):
    officers = set(
        Group.objects.get(name=OFFICERS)
        .permissions.filter(content_type__app_label="metrics")
        .values_list("codename", flat=True)
    )
    cwb = set(
        Group.objects.get(name=CWB_GROUP)
        .permissions.filter(content_type__app_label="metrics")
        .values_list("codename", flat=True)
    )
    assert {"add_metricvalue", "change_metricvalue", "view_metric", "add_lm3study"} <= officers
    assert {"view_metricvaluechange", "view_spendtransaction", "change_supplier"} <= officers
    assert {"view_metricvalue", "change_metricvalue", "view_lm3study"} <= cwb
    assert "add_lm3study" not in cwb
    assert not any(codename.startswith("delete_metricvalue") for codename in officers | cwb)


# Periods.


@pytest.mark.parametrize(
    ("start", "end", "label", "annual", "quarterly"),
    [
        ("2024-04-01", "2025-03-31", "2024/25", True, False),
        ("2024-04-01", "2024-06-30", "April to June 2024", False, True),
        ("2025-01-01", "2025-03-31", "January to March 2025", False, True),
        ("2024-11-01", "2025-01-31", "November 2024 to January 2025", False, False),
        ("2024-05-01", "2024-05-31", "May 2024", False, False),
        ("2024-05-03", "2024-06-07", "3 May 2024 to 7 June 2024", False, False),
    ],
)
def test_period_labels_and_fits(start, end, label, annual, quarterly):
    start, end = datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
    assert period_label(start, end) == label
    assert period_fits(frequency="annual", start=start, end=end) is annual
    assert period_fits(frequency="quarterly", start=start, end=end) is quarterly


# On track.


@pytest.mark.parametrize(
    ("better", "baseline", "target", "value", "expected"),
    [
        ("higher", None, None, "5", OnTrack.NO_TARGET),
        ("higher", None, "20", "20", OnTrack.MET),
        ("lower", None, "0", "0", OnTrack.MET),
        # No baseline, so no line: short of the target is not on track, however it moved.
        ("higher", None, "20", "15", OnTrack.OFF_TRACK),
        ("lower", None, "0", "4000", OnTrack.OFF_TRACK),
        # From 12 (2019/20) to 20 (2027/28): 2024/25 expects 17.
        ("higher", "12", "20", "17", OnTrack.ON_TRACK),
        ("higher", "12", "20", "16.9999", OnTrack.OFF_TRACK),  # as stored, not as rounded
        # From 5200 (2019/20) to 0 (2029/30): 2024/25 expects 2600.
        ("lower", "5200", "0", "2600", OnTrack.ON_TRACK),
        ("lower", "5200", "0", "2500", OnTrack.ON_TRACK),
        ("lower", "5200", "0", "2600.01", OnTrack.OFF_TRACK),
    ],
)
def test_whether_a_metric_is_on_track(db, better, baseline, target, value, expected):
    metric = MetricFactory.build(
        better=better,
        baseline=Decimal(baseline) if baseline else None,
        baseline_period="2019/20",
        target=Decimal(target) if target else None,
        target_period="2029/30" if better == "lower" else "2027/28",
    )
    start, end = FinancialYear(2024).dates
    current = MetricValueFactory.build(
        metric=metric, period_start=start, period_end=end, value=Decimal(value)
    )
    assert metric_on_track(metric=metric, value=current) == expected


def test_no_value_is_not_on_track_or_off_it(db):
    metric = MetricFactory.build(target=Decimal(1))
    assert metric_on_track(metric=metric, value=None) == OnTrack.NO_VALUE


# The demo data.


def test_the_demo_data_covers_every_state_and_is_idempotent(council):
    from charter_portal.demo import demo_users_ensure

    demo_users_ensure(council=council)
    first = demo_metrics_ensure(council=council)
    counts = MetricValue.objects.count(), LM3Study.objects.count()
    again = demo_metrics_ensure(council=council)
    assert (MetricValue.objects.count(), LM3Study.objects.count()) == counts
    assert first.studies == again.studies == 2

    statuses = set(MetricValue.objects.values_list("status", flat=True))
    assert statuses == {
        ValueStatus.DRAFT,
        ValueStatus.SUBMITTED,
        ValueStatus.VALIDATED,
        ValueStatus.RETURNED,
    }
    for metric in Metric.objects.filter(computed=False):
        validated = MetricValue.objects.filter(metric=metric, status=ValueStatus.VALIDATED)
        assert validated.filter(neighbourhood=None).count() == 4, metric.code
        if metric.by_neighbourhood:
            assert validated.exclude(neighbourhood=None).count() == 4 * 6, metric.code
    # Pledge counts are computed (there are no pledges here: zero, validated for past years).
    assert MetricValue.objects.filter(
        metric__code="pledges-made", status=ValueStatus.VALIDATED
    ).exists()
    assert not MetricValue.objects.filter(metric__code="spend-borough-share").exists()
    example = LM3Study.objects.get(name="Council spending: the worked example")
    from metrics.lm3 import lm3_for_study

    assert lm3_for_study(example).lm3 == Decimal("1.71")
    # Every validated value has a validator, and a history that ends in its validation.
    for value in MetricValue.objects.filter(status=ValueStatus.VALIDATED)[:20]:
        assert value.validated_by is not None
        assert metric_value_history(metric_value=value)[-1].action == "validated"
