"""Each constraint on the metrics and spend tables refuses the one row it exists to refuse."""

import datetime
from decimal import Decimal

import pytest

from metrics.spend.models import (
    ExclusionMatch,
    PublicBody,
    PublicBodyKind,
    PublicBodyName,
    SpendColumnMapping,
    SpendExclusionRule,
)
from tests.constraints import (
    changed,
    constraint_tests,
    copied,
)
from tests.factories import FoundationFactory
from tests.metrics.factories import (
    FY2023,
    ImportBatchFactory,
    LM3StudyFactory,
    MetricFactory,
    MetricValueFactory,
    SpendTransactionFactory,
    SupplierFactory,
)

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.date(2000, 1, 1)


def _two_values_of_one_metric():
    metric = MetricFactory()
    return (
        MetricValueFactory(metric=metric),
        MetricValueFactory(metric=metric, period_start=FY2023[0], period_end=FY2023[1]),
    )


def _body(name: str) -> PublicBody:
    return PublicBody.objects.create(name=name, kind=PublicBodyKind.values[0])


def _body_name(name: str) -> PublicBodyName:
    return PublicBodyName.objects.create(body=_body(f"{name} body"), name=name)


def _rule(name: str) -> SpendExclusionRule:
    return SpendExclusionRule.objects.create(
        name=name, reason="Owed by law", match=ExclusionMatch.EXPENSE_TYPE_IS, text="Precepts"
    )


def _mapping(body: str) -> SpendColumnMapping:
    return SpendColumnMapping.objects.create(body_name=body, columns={"Paid To": "supplier_name"})


CASES = {
    "metrics.Foundation.code": copied(lambda: FoundationFactory.create_batch(2), "code"),
    "metrics.Foundation.name": copied(lambda: FoundationFactory.create_batch(2), "name"),
    "metrics.Metric.code": copied(lambda: MetricFactory.create_batch(2), "code"),
    "metrics.Metric.name": copied(lambda: MetricFactory.create_batch(2), "name"),
    "metric_unit_valid": changed(MetricFactory, unit="furlongs"),
    "metric_better_valid": changed(MetricFactory, better="sideways"),
    "metric_computed_has_source": changed(MetricFactory, computed=True, source=""),
    "metric_value_unique_period_area": copied(
        _two_values_of_one_metric, "period_start", "period_end"
    ),
    "metric_value_period_order": changed(MetricValueFactory, period_end=LONG_AGO),
    "metric_value_status_valid": changed(MetricValueFactory, status="approved"),
    "metric_value_validated_has_validator": changed(MetricValueFactory, validated_by=None),
    "lm3_income_positive": changed(
        LM3StudyFactory, round1_income=0, round2_local_suppliers=0, round2_local_staff=0
    ),
    "lm3_round2_not_negative": changed(LM3StudyFactory, round2_local_staff=Decimal("-1")),
    "lm3_round2_within_income": changed(LM3StudyFactory, round2_local_suppliers=Decimal("2000000")),
    "lm3_rates_between_0_and_1": changed(LM3StudyFactory, staff_respend_rate=Decimal("1.5")),
    "lm3_period_order": changed(LM3StudyFactory, period_end=LONG_AGO),
    "supplier_locality_valid": changed(SupplierFactory, locality="the-moon"),
    "supplier_override_has_reason": changed(
        SupplierFactory, locality_source="officer", locality_override_reason=""
    ),
    "metrics.Supplier.normalised_name": copied(
        lambda: SupplierFactory.create_batch(2), "normalised_name"
    ),
    "importbatch_status_valid": changed(ImportBatchFactory, status="lost"),
    "importbatch_progress_percent_valid": changed(ImportBatchFactory, progress_percent=101),
    "importbatch_one_holder_per_file": copied(
        lambda: ImportBatchFactory.create_batch(2, status="review"), "sha256"
    ),
    "importbatch_reviewed_has_when": changed(ImportBatchFactory, reviewed_at=None),
    "importbatch_withdrawn_has_reason": changed(
        ImportBatchFactory, status="withdrawn", withdrawn_at=datetime.datetime.now(datetime.UTC)
    ),
    "spendtransaction_locality_valid": changed(SpendTransactionFactory, locality="moon"),
    "metrics.PublicBody.name": copied(lambda: (_body("One"), _body("Two")), "name"),
    "publicbody_kind_valid": changed(lambda: _body("One"), kind="moon"),
    "metrics.PublicBodyName.normalised_name": copied(
        lambda: (_body_name("Alpha Council"), _body_name("Beta Council")), "normalised_name"
    ),
    "metrics.SpendExclusionRule.name": copied(lambda: (_rule("One"), _rule("Two")), "name"),
    "spendexclusion_has_reason": changed(lambda: _rule("One"), reason=""),
    "spendexclusion_fields_match": changed(lambda: _rule("One"), text=""),
    "metrics.SpendColumnMapping.body_key": copied(
        lambda: (_mapping("Body A"), _mapping("Body B")), "body_key"
    ),
    "spendcolumnmapping_body_named": changed(lambda: _mapping("Body A"), body_key=""),
    "metrics.SpendTransaction.line_hash": copied(
        lambda: SpendTransactionFactory.create_batch(2), "line_hash"
    ),
}


(
    test_every_constraint_has_a_case,
    test_the_database_refuses_a_row_that_breaks,
    test_the_row_breaks_no_other_constraint,
) = constraint_tests("metrics", CASES)
