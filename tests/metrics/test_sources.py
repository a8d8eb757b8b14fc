"""Computed metrics: the registry, the spend shares (the single definition), the pledge sources,
and `metric_values_compute`, whose values are still validated before they are public."""

import datetime
import io
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from core.periods import FinancialYear
from metrics.models import Metric, MetricValue, ValueStatus
from metrics.selectors import metric_value_history
from metrics.services import (
    metric_value_submit,
    metric_value_validate,
    metric_values_compute,
)
from metrics.sources import metric_source_get, metric_source_register
from metrics.spend.models import Locality
from metrics.spend.sources import (
    spend_share_borough,
    spend_share_county,
    spend_share_sme,
    spend_share_vcse,
    spend_shares,
)
from pledges.models import PledgeStatus, PledgeUpdate, UpdateStatus
from tests.factories import PledgeFactory
from tests.metrics.factories import (
    MetricValueFactory,
    SpendTransactionFactory,
    SupplierFactory,
    officer_user,
    validator_user,
)

FY = FinancialYear(2023).dates


def test_sources_are_registered_by_key(council):
    for key in [
        "metrics.spend_borough_share",
        "metrics.spend_county_share",
        "metrics.spend_sme_share",
        "metrics.spend_vcse_share",
        "pledges.published",
        "pledges.placements_pledged",
        "pledges.volunteer_hours",
    ]:
        assert metric_source_get(key) is not None, key
    assert metric_source_get("no.such.source") is None
    for metric in Metric.objects.filter(computed=True):
        assert metric_source_get(metric.source) is not None, metric.code


def test_metrics_never_imports_pledges():
    from pathlib import Path

    from django.conf import settings

    for path in Path(settings.BASE_DIR, "metrics").rglob("*.py"):
        imports = re.findall(r"^\s*(?:from|import)\s+(\w+)", path.read_text(), re.MULTILINE)
        assert not {"pledges", "balancesheets", "charter_portal"} & set(imports), path


# Spend shares.


@pytest.fixture
def spend(db):
    """Payments of every kind around 2023/24, and the rows an independent sum should count."""
    borough_sme = SupplierFactory(locality=Locality.BOROUGH, is_sme=True)
    borough_vcse = SupplierFactory(locality=Locality.BOROUGH, is_vcse=True, is_sme=True)
    county = SupplierFactory(locality=Locality.COUNTY, is_sme=False)
    elsewhere = SupplierFactory(locality=Locality.ELSEWHERE, is_sme=None)
    unknown = SupplierFactory(locality=Locality.UNKNOWN, is_vcse=True)
    redacted = SupplierFactory(name="Redacted Personal Data", is_redacted=True)
    rows = [
        (borough_sme, "2023-04-01", "1200.00"),
        (borough_sme, "2024-03-31", "-200.00"),  # a credit note
        (borough_vcse, "2023-09-12", "800.50"),
        (county, "2023-10-01", "3000.00"),
        (elsewhere, "2023-11-30", "9000.00"),
        (unknown, "2024-01-15", "999.50"),
        (redacted, "2023-05-05", "5000.00"),  # never counted
        (borough_sme, "2023-03-31", "7777.00"),  # the year before
        (elsewhere, "2024-04-01", "8888.00"),  # the year after
    ]
    return [
        SpendTransactionFactory(
            supplier=supplier,
            payment_date=datetime.date.fromisoformat(day),
            amount=Decimal(amount),
        )
        for supplier, day, amount in rows
    ]


def _independent_share(transactions, include):
    """The share worked out in Python from the rows, as the definition says."""
    start, end = FY
    scope = [
        t for t in transactions if start <= t.payment_date <= end and not t.supplier.is_redacted
    ]
    total = sum((t.amount for t in scope), Decimal(0))
    part = sum((t.amount for t in scope if include(t.supplier)), Decimal(0))
    return (part * 100 / total).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def test_spend_shares_equal_an_independent_calculation(spend):
    start, end = FY
    assert spend_share_borough(start, end) == _independent_share(
        spend, lambda s: s.locality == Locality.BOROUGH
    )
    assert spend_share_county(start, end) == _independent_share(
        spend, lambda s: s.locality in (Locality.BOROUGH, Locality.COUNTY)
    )
    assert spend_share_sme(start, end) == _independent_share(spend, lambda s: s.is_sme is True)
    assert spend_share_vcse(start, end) == _independent_share(spend, lambda s: s.is_vcse is True)
    # By hand: £14,800 in scope; £1,800.50 in the borough is 12.1655%.
    assert spend_share_borough(start, end) == Decimal("12.1655")


def test_spend_shares_are_two_queries_and_keep_their_sums(spend, django_assert_num_queries):
    # The exclusion rules read, then one aggregate.
    with django_assert_num_queries(2):
        shares = spend_shares(period_start=FY[0], period_end=FY[1])
    assert shares.total == Decimal("14800.00")
    assert shares.borough == Decimal("1800.50")
    assert shares.county == Decimal("4800.50")
    assert shares.transactions == 6


def test_spend_shares_are_none_without_spend_and_borough_wide_only(council, spend):
    start, end = FinancialYear(2010).dates
    assert spend_share_borough(start, end) is None
    assert spend_share_borough(*FY, council.neighbourhoods.first()) is None


# Pledge sources.


def _at(day: str) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.fromisoformat(day))


def test_pledges_made_counts_published_pledges_confirmed_in_the_period(council):
    chells, other = council.neighbourhoods.order_by("order")[1:3]
    made = [
        PledgeFactory(neighbourhood=chells, confirmed_at=_at("2023-04-01T00:30")),
        PledgeFactory(neighbourhood=chells, confirmed_at=_at("2024-03-31T23:30")),
        PledgeFactory(neighbourhood=other, confirmed_at=_at("2023-08-01T12:00")),
        PledgeFactory(neighbourhood=None, confirmed_at=_at("2023-08-01T12:00")),
    ]
    PledgeFactory(neighbourhood=chells, confirmed_at=_at("2023-03-31T23:30"))  # too early
    PledgeFactory(neighbourhood=chells, confirmed_at=_at("2024-04-01T00:30"))  # too late
    PledgeFactory(
        neighbourhood=chells,
        confirmed_at=_at("2023-08-01T12:00"),
        status=PledgeStatus.CONFIRMED,
        published_at=None,
    )
    compute = metric_source_get("pledges.published").compute
    assert compute(*FY, None) == Decimal(len(made))
    assert compute(*FY, chells) == Decimal(2)
    assert compute(*FY, other) == Decimal(1)


def test_volunteer_hours_add_up_published_updates_reported_in_the_period(council):
    chells = council.neighbourhoods.order_by("order")[1]
    pledge = PledgeFactory(neighbourhood=chells)
    town_wide = PledgeFactory(neighbourhood=None)
    withdrawn = PledgeFactory(neighbourhood=chells, status=PledgeStatus.WITHDRAWN)
    for owner, hours, status, day in [
        (pledge, 12, UpdateStatus.PUBLISHED, "2023-06-01T10:00"),
        (town_wide, 30, UpdateStatus.PUBLISHED, "2023-07-01T10:00"),
        (pledge, 500, UpdateStatus.PENDING, "2023-06-01T10:00"),
        (withdrawn, 700, UpdateStatus.PUBLISHED, "2023-06-01T10:00"),
        (pledge, 900, UpdateStatus.PUBLISHED, "2022-06-01T10:00"),
        (pledge, None, UpdateStatus.PUBLISHED, "2023-06-02T10:00"),
    ]:
        update = PledgeUpdate.objects.create(
            pledge=owner, text="Progress", hours_volunteered=hours, status=status
        )
        PledgeUpdate.objects.filter(pk=update.pk).update(created_at=_at(day))
    compute = metric_source_get("pledges.volunteer_hours").compute
    assert compute(*FY, None) == Decimal(42)
    assert compute(*FY, chells) == Decimal(12)
    assert compute(*FinancialYear(2015).dates, None) is None  # nothing reported


# Computing values.


@pytest.fixture
def pledges_2023(council):
    neighbourhoods = list(council.neighbourhoods.order_by("order"))
    for n in range(9):
        PledgeFactory(
            neighbourhood=neighbourhoods[n % 3], confirmed_at=_at(f"2023-0{n % 9 + 1}-15T12:00")
        )
    return neighbourhoods


def test_computing_creates_drafts_that_equal_an_independent_count(council, pledges_2023, spend):
    officer = officer_user()
    result = metric_values_compute(period_start=FY[0], period_end=FY[1], actor=officer)
    pledges_made = Metric.objects.get(code="pledges-made")
    values = MetricValue.objects.filter(metric=pledges_made)
    assert values.count() == 1 + len(pledges_2023)  # the borough and each neighbourhood
    borough = values.get(neighbourhood=None)
    # Independently: the pledges whose confirmation falls between 1 April 2023 and 31 March 2024.
    start = _at("2023-04-01T00:00")
    expected = sum(1 for n in range(9) if _at(f"2023-0{n % 9 + 1}-15T12:00") >= start)
    assert borough.value == Decimal(expected)
    assert borough.status == ValueStatus.DRAFT
    assert "pledges.published" in borough.evidence
    by_neighbourhood = {v.neighbourhood_id: v.value for v in values.exclude(neighbourhood=None)}
    assert sum(by_neighbourhood.values()) == Decimal(expected)
    spend_value = MetricValue.objects.get(metric__code="spend-borough-share")
    assert spend_value.value == Decimal("12.1655")
    # and the five spend shares (the borough's share of influenceable spend among them)
    assert result.created == values.count() + 5
    [change] = metric_value_history(metric_value=borough)
    assert (change.action, change.changed_by, change.before) == ("computed", officer, {})


def test_computed_values_are_public_only_after_validation(council, pledges_2023, client):
    officer, validator = officer_user(), validator_user()
    metric_values_compute(period_start=FY[0], period_end=FY[1], actor=officer)
    borough = MetricValue.objects.get(metric__code="pledges-made", neighbourhood=None)
    assert "2023/24" not in client.get("/metrics/pledges-made/").content.decode()
    metric_value_submit(metric_value=borough, actor=officer)
    metric_value_validate(metric_value=borough, actor=validator)
    assert "2023/24" in client.get("/metrics/pledges-made/").content.decode()


def test_recomputing_refreshes_drafts_and_never_touches_validated_values(council, pledges_2023):
    officer, validator = officer_user(), validator_user()
    metric_values_compute(period_start=FY[0], period_end=FY[1], actor=officer)
    borough = MetricValue.objects.get(metric__code="pledges-made", neighbourhood=None)
    first_neighbourhood = MetricValue.objects.get(
        metric__code="pledges-made", neighbourhood=pledges_2023[0]
    )
    metric_value_submit(metric_value=borough, actor=officer)
    metric_value_validate(metric_value=borough, actor=validator)
    metric_value_submit(metric_value=first_neighbourhood, actor=officer)
    validated_figure = MetricValue.objects.get(pk=borough.pk).value

    PledgeFactory(neighbourhood=pledges_2023[0], confirmed_at=_at("2023-12-01T12:00"))
    again = metric_values_compute(period_start=FY[0], period_end=FY[1], actor=officer)

    borough.refresh_from_db()
    first_neighbourhood.refresh_from_db()
    assert (borough.status, borough.value) == (ValueStatus.VALIDATED, validated_figure)
    assert first_neighbourhood.status == ValueStatus.DRAFT  # a submitted figure went stale
    assert first_neighbourhood.submitted_by is None
    recomputed = metric_value_history(metric_value=first_neighbourhood)[-1]
    assert recomputed.action == "recomputed"
    assert Decimal(recomputed.after["value"]) == Decimal(recomputed.before["value"]) + 1
    assert again.kept_validated == 1
    assert again.updated == 1
    assert again.created == 0


def test_a_metric_with_an_unregistered_source_is_reported_not_fatal(council):
    Metric.objects.filter(code="pledges-made").update(source="pledges.gone")
    result = metric_values_compute(period_start=FY[0], period_end=FY[1])
    assert result.missing_sources == ["pledges.gone"]


def test_a_registered_source_is_used_by_key(council):
    metric = Metric.objects.get(code="volunteer-hours")
    metric_source_register(
        "pledges.volunteer_hours",
        label="Test hours",
        compute=lambda start, end, neighbourhood: Decimal("7") if neighbourhood else Decimal("42"),
    )
    try:
        metric_values_compute(period_start=FY[0], period_end=FY[1])
        values = MetricValue.objects.filter(metric=metric)
        assert values.get(neighbourhood=None).value == Decimal("42")
        assert {v.value for v in values.exclude(neighbourhood=None)} == {Decimal("7")}
    finally:
        from pledges.metric_sources import metric_sources_register

        metric_sources_register()


def test_the_compute_metrics_command_takes_a_financial_year(council, pledges_2023):
    out = io.StringIO()
    call_command("compute_metrics", "--year", "2023", stdout=out)
    assert "Computed metrics for 2023/24" in out.getvalue()
    value = MetricValue.objects.get(metric__code="pledges-made", neighbourhood=None)
    assert (value.period_start, value.period_end) == FY


def test_the_compute_metrics_command_takes_dates(council, pledges_2023):
    call_command(
        "compute_metrics", "--from", "2023-04-01", "--to", "2024-03-31", stdout=io.StringIO()
    )
    assert MetricValue.objects.filter(period_start=FY[0], period_end=FY[1]).exists()


@pytest.mark.parametrize(
    "arguments",
    [
        [],
        ["--year", "2023", "--from", "2023-04-01"],
        ["--from", "2023-04-01"],
        ["--from", "yesterday", "--to", "2024-03-31"],
        ["--from", "2024-03-31", "--to", "2023-04-01"],
        ["--year", "99999"],
        ["--year", "2023", "--user", "nobody"],
    ],
)
def test_the_compute_metrics_command_explains_bad_arguments(council, arguments):
    with pytest.raises(CommandError):
        call_command("compute_metrics", *arguments, stdout=io.StringIO())


def test_computing_keeps_validated_officer_values_apart(council):
    """Officer-entered metrics are not computed, whatever they hold."""
    MetricValueFactory(metric=Metric.objects.get(code="council-emissions"))
    result = metric_values_compute(period_start=FY[0], period_end=FY[1])
    assert not MetricValue.objects.filter(
        metric__code="council-emissions", period_start=FY[0]
    ).exists()
    assert result.kept_validated == 0
