"""Figures on staff pages read as people read them: a metric value's name (admin titles, lists
and messages) in its unit and period, and an indicator without a proxy says so in words."""

import datetime
from decimal import Decimal

from metrics.models import Metric, ValueStatus
from tests.balancesheets.factories import officer
from tests.charter_portal.test_figures_crawl import visible_text
from tests.metrics.factories import MetricValueFactory
from tests.signin import sign_in_verified


def test_a_metric_values_name_is_written_in_its_unit(council):
    share = Metric.objects.get(code="spend-borough-share")
    value = MetricValueFactory(
        metric=share,
        period_start=datetime.date(2025, 4, 1),
        period_end=datetime.date(2026, 3, 31),
        value=Decimal("18.7585"),
    )
    assert str(value) == (
        "Share of spend with suppliers in the borough: 18.8% (2025/26, whole borough)"
    )


def test_an_indicator_without_a_proxy_says_so_in_words(client, council):
    sign_in_verified(client, officer(username="officer-ann"))
    page = client.get("/balance-sheets/manage/indicators/").content.decode()
    assert "No proxy: counted in units only" in page
    assert "None:" not in page


def test_a_metric_shown_to_an_officer_in_admin_reads_in_its_unit(client, council):
    share = Metric.objects.get(code="spend-borough-share")  # 12.0 in 2019/20, 20.0 by 2027/28
    sign_in_verified(client, officer(username="officer-ann"))
    response = client.get(f"/admin/metrics/metric/{share.pk}/change/")
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert "Baseline: 12.0%" in text
    assert "Target: 20.0%" in text
    assert "12.0000" not in text


def test_a_validated_value_in_admin_reads_in_its_unit(client, council):
    share = Metric.objects.get(code="spend-borough-share")
    value = MetricValueFactory(
        metric=share,
        period_start=datetime.date(2025, 4, 1),
        period_end=datetime.date(2026, 3, 31),
        value=Decimal("18.7585"),
        status=ValueStatus.VALIDATED,
    )
    sign_in_verified(client, officer(username="officer-ann"))
    response = client.get(f"/admin/metrics/metricvalue/{value.pk}/change/")
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert "18.8%" in text
    assert "Value: 18.8%" in text
    assert "Value: 18.7585" not in text


def test_an_lm3_study_shown_to_the_cwb_group_reads_in_pounds_and_percentages(client, council):
    from tests.balancesheets.factories import validator
    from tests.metrics.factories import LM3StudyFactory

    study = LM3StudyFactory(
        round1_income=Decimal("500000.00"),
        round2_local_suppliers=Decimal("118000.00"),
        round2_local_staff=Decimal("90000.00"),
        supplier_respend_rate=Decimal("0.3800"),
        staff_respend_rate=Decimal("0.4500"),
    )
    sign_in_verified(client, validator(username="validator-val"))
    response = client.get(f"/admin/metrics/lm3study/{study.pk}/change/")
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert "£118,000" in text
    assert "38%" in text
    assert "118000.00" not in text
    assert "0.3800" not in text


def test_a_draft_value_in_admin_starts_as_a_person_would_type_it(client, council):
    metric = Metric.objects.get(code="placements-delivered")  # a count, typed in
    value = MetricValueFactory(
        metric=metric,
        period_start=datetime.date(2025, 4, 1),
        period_end=datetime.date(2026, 3, 31),
        value=Decimal("4990.0000"),
        status=ValueStatus.DRAFT,
    )
    value.refresh_from_db()
    sign_in_verified(client, officer(username="officer-ann"))
    page = client.get(f"/admin/metrics/metricvalue/{value.pk}/change/").content.decode()
    assert 'value="4990"' in page
    assert "4990.0000" not in page
