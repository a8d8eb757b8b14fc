"""Influenceable spend: payments no buying decision could make local (other public bodies,
precepts, levies...) are left out of the influenceable shares by rules held as data, applied in
the database, shown by rule with each reason on /spend/, in the metrics and the impact report;
the unknown-locality caveat; each payment counted where it went."""

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from charter_portal.reference_data import DEFAULT_REFERENCE_FILE, reference_data_load
from metrics.lm3 import lm3_round2_suppliers_from_spend
from metrics.sources import metric_source_get
from metrics.spend.dashboard import spend_with_neighbourhood_suppliers
from metrics.spend.exclusions import spend_exclusions
from metrics.spend.models import (
    ExclusionMatch,
    Locality,
    PublicBody,
    PublicBodyName,
    SpendExclusionRule,
    SpendExclusionRuleEvent,
)
from metrics.spend.selectors import spend_summary
from metrics.spend.sources import spend_shares
from tests.factories import UserFactory
from tests.metrics.factories_spend import SpendTransactionFactory, SupplierFactory
from tests.signin import sign_in_verified

YEAR = (datetime.date(2024, 4, 1), datetime.date(2025, 3, 31))
IN_YEAR = datetime.date(2024, 6, 1)


def _pct(part, whole) -> Decimal | None:
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def _page(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _pay(supplier, amount, **fields):
    return SpendTransactionFactory(
        supplier=supplier, amount=Decimal(amount), payment_date=IN_YEAR, **fields
    )


@pytest.fixture
def spend(council):
    """Payments to the county council and HMRC (the reference file's register), a precept,
    and ordinary suppliers in the borough and beyond."""
    county_council = SupplierFactory(name="HERTFORDSHIRE COUNTY COUNCIL", locality=Locality.COUNTY)
    hmrc = SupplierFactory(name="H.M. Revenue & Customs", locality=Locality.UNKNOWN)
    local = SupplierFactory(name="Bedwell Roofing Ltd", locality=Locality.BOROUGH)
    parish = SupplierFactory(name="Datchworth Parish", locality=Locality.BOROUGH)
    beyond = SupplierFactory(name="Atlas Software plc", locality=Locality.ELSEWHERE)
    redacted = SupplierFactory(name="Redacted Personal Data", is_redacted=True)
    _pay(county_council, "3000.00", expense_type="Contributions")
    _pay(hmrc, "2000.00", expense_type="Employer's NI")
    _pay(parish, "1000.00", expense_type="Parish PRECEPTS")
    _pay(local, "4000.00", expense_type="Repairs")
    _pay(beyond, "5000.00", expense_type="Software")
    _pay(redacted, "700.00", expense_type="Contributions")
    return {"county_council": county_council, "hmrc": hmrc, "local": local}


def test_the_influenceable_shares_leave_out_what_the_rules_match(spend):
    # By hand: £15,000 to named suppliers; £6,000 left out (county council £3,000, HMRC
    # £2,000, a precept £1,000); of the £9,000 influenceable, £4,000 in the borough.
    shares = spend_shares(period_start=YEAR[0], period_end=YEAR[1])
    assert shares.total == Decimal("15000.00")
    assert shares.excluded == Decimal("6000.00")
    assert shares.influenceable == Decimal("9000.00")
    assert shares.borough_share == _pct(5000, 15000)
    assert shares.influenceable_borough_share == _pct(4000, 9000)
    assert shares.influenceable_county_share == _pct(4000, 9000)
    assert shares.county_share == _pct(8000, 15000)


def test_spend_left_out_is_shown_by_rule_with_its_reason(spend, client):
    summary = spend_summary(start=YEAR[0], end=YEAR[1])
    by_rule = {row.name: row.total for row in summary.excluded if row.total}
    assert by_rule == {
        "Payments to the county council": Decimal("3000.00"),
        "Payments to HM Revenue and Customs": Decimal("2000.00"),
        "Precepts": Decimal("1000.00"),
    }
    assert sum(row.total for row in summary.excluded) == summary.shares.excluded
    page = _page(client.get("/spend/?year=2024-25"))
    assert 'data-figure="influenceable-borough-share">44.4%<' in page
    assert 'data-figure="borough-share">33.3%<' in page
    rule = SpendExclusionRule.objects.get(name="Payments to HM Revenue and Customs")
    assert rule.reason in page.replace("&#x27;", "'")
    assert "£6,000" in page


def test_a_payment_two_rules_cover_counts_once_under_the_first(spend):
    _pay(spend["county_council"], "500.00", expense_type="County precept")
    summary = spend_summary(start=YEAR[0], end=YEAR[1])
    by_rule = {row.name: row.total for row in summary.excluded}
    assert by_rule["Payments to the county council"] == Decimal("3500.00")
    assert by_rule["Precepts"] == Decimal("1000.00")
    assert summary.shares.excluded == Decimal("6500.00")


def test_an_inactive_rule_leaves_nothing_out(spend):
    SpendExclusionRule.objects.filter(match=ExclusionMatch.PUBLIC_BODY).update(active=False)
    shares = spend_shares(period_start=YEAR[0], period_end=YEAR[1])
    assert shares.excluded == Decimal("1000.00")  # the precept only


def test_expense_type_rules_match_exactly_or_by_contents_ignoring_case(db):
    supplier = SupplierFactory()
    for expense_type, amount in [("LEVY", "1"), ("Apprenticeship levy", "10"), ("Levy_x", "100")]:
        _pay(supplier, amount, expense_type=expense_type)
    rule = SpendExclusionRule.objects.create(
        name="Levy", reason="Set by law.", match=ExclusionMatch.EXPENSE_TYPE_IS, text=" levy "
    )
    assert spend_shares(period_start=YEAR[0], period_end=YEAR[1]).excluded == Decimal("1.00")
    rule.match = ExclusionMatch.EXPENSE_TYPE_CONTAINS
    rule.save()
    assert spend_shares(period_start=YEAR[0], period_end=YEAR[1]).excluded == Decimal("111.00")
    rule.text = "levy%"  # plain text: no wildcards
    rule.save()
    assert spend_shares(period_start=YEAR[0], period_end=YEAR[1]).excluded == Decimal("0.00")


def test_a_supplier_rule_leaves_out_that_supplier_only(db):
    council_tenant = SupplierFactory(name="Stevenage Leisure Ltd")
    _pay(council_tenant, "300.00")
    _pay(SupplierFactory(), "700.00")
    SpendExclusionRule.objects.create(
        name="The leisure trust's management fee",
        reason="Paid under a contract the council cannot re-let.",
        match=ExclusionMatch.SUPPLIER,
        supplier=council_tenant,
    )
    shares = spend_shares(period_start=YEAR[0], period_end=YEAR[1])
    assert (shares.excluded, shares.influenceable) == (Decimal("300.00"), Decimal("700.00"))


def test_a_public_body_covers_every_spelling_of_its_names(db):
    body = PublicBody.objects.create(name="Hertfordshire Pension Fund", kind="pension_fund")
    PublicBodyName(body=body, name="Herts Pension Fund").save()
    SpendExclusionRule.objects.create(
        name="Pension fund",
        reason="Owed for staff.",
        match="public_body",
        public_body_kind="pension_fund",
    )
    _pay(SupplierFactory(name="HERTS PENSION FUND."), "250.00")
    _pay(SupplierFactory(name="Hertfordshire Pension Fund"), "50.00")  # not named yet
    assert spend_shares(period_start=YEAR[0], period_end=YEAR[1]).excluded == Decimal("250.00")
    PublicBodyName(body=body, name="Hertfordshire Pension Fund").save()
    assert spend_shares(period_start=YEAR[0], period_end=YEAR[1]).excluded == Decimal("300.00")


def test_a_rule_must_say_why_and_name_what_its_match_needs(db):
    with pytest.raises(IntegrityError):
        SpendExclusionRule.objects.create(
            name="No supplier", reason="Because.", match=ExclusionMatch.SUPPLIER
        )


def test_a_rule_without_a_reason_is_refused(db):
    with pytest.raises(IntegrityError):
        SpendExclusionRule.objects.create(
            name="Levy", reason="", match=ExclusionMatch.EXPENSE_TYPE_IS, text="Levy"
        )


def test_the_reference_file_seeds_the_register_and_the_rules_once(council):
    bodies, names, rules = (
        PublicBody.objects.count(),
        PublicBodyName.objects.count(),
        SpendExclusionRule.objects.count(),
    )
    kinds = set(PublicBody.objects.values_list("kind", flat=True))
    assert {"county_council", "police", "fire", "nhs", "hmrc", "pension_fund"} <= kinds
    body = PublicBody.objects.get(name="HM Revenue and Customs")
    PublicBodyName(body=body, name="HMRC Payroll").save()  # an officer's addition
    reference_data_load(path=DEFAULT_REFERENCE_FILE)
    assert PublicBody.objects.count() == bodies
    assert PublicBodyName.objects.count() == names + 1
    assert SpendExclusionRule.objects.count() == rules
    assert all(rule.reason for rule in SpendExclusionRule.objects.all())


def test_the_rules_are_read_in_one_query(council, django_assert_num_queries):
    with django_assert_num_queries(1):
        exclusions = spend_exclusions()
    county = next(r for r in exclusions.rules if r.name == "Payments to the county council")
    assert "hertfordshire county council" in county.names


def test_the_influenceable_metrics_are_registered_and_agree(spend):
    borough = metric_source_get("metrics.spend_borough_share_influenceable")
    county = metric_source_get("metrics.spend_county_share_influenceable")
    assert metric_source_get("metrics.spend_borough_share") is not None
    assert borough.compute(*YEAR) == _pct(4000, 9000)
    assert county.compute(*YEAR) == _pct(4000, 9000)


def test_the_impact_report_shows_both_shares_and_what_was_left_out(spend, client):
    page = _page(client.get("/impact/2024-25/"))
    assert "<strong>33.3%</strong> went to suppliers in the borough" in page
    assert "<strong>44.4%</strong> went to suppliers in the borough" in page
    assert "Payments to the county council" in page
    rule = SpendExclusionRule.objects.get(name="Precepts")
    assert rule.reason in page
    data = client.get("/impact/2024-25.json").json()["spend"]
    assert Decimal(data["influenceable_borough_share"]) == _pct(4000, 9000)
    assert Decimal(data["excluded_total"]) == Decimal("6000.00")
    left_out = {row["rule"]: Decimal(row["total"]) for row in data["excluded_by_rule"]}
    assert left_out["Payments to HM Revenue and Customs"] == Decimal("2000.00")


def test_officers_edit_rules_in_admin_and_the_trail_keeps_each_change(council, client):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="metrics",
            codename__in=["view_spendexclusionrule", "add_spendexclusionrule",
                          "change_spendexclusionrule"],
        )
    )  # fmt: skip
    sign_in_verified(client, user)
    events = SpendExclusionRuleEvent.objects.count()
    response = client.post(
        "/admin/metrics/spendexclusionrule/add/",
        {"name": "Business rates", "reason": "A tax.", "match": "expense_type_contains",
         "text": "business rates", "public_body_kind": "", "supplier": "", "position": "200",
         "active": "on"},
    )  # fmt: skip
    assert response.status_code == 302, _page(response)[:2000]
    assert SpendExclusionRule.objects.get(name="Business rates").text == "business rates"
    assert SpendExclusionRuleEvent.objects.count() == events + 1
    refused = client.post(
        "/admin/metrics/spendexclusionrule/add/",
        {"name": "Half a rule", "reason": "A tax.", "match": "supplier", "text": "",
         "public_body_kind": "", "supplier": "", "position": "200", "active": "on"},
    )  # fmt: skip
    assert refused.status_code == 200
    assert not SpendExclusionRule.objects.filter(name="Half a rule").exists()


# --- The unknown-locality caveat ------------------------------------------------------------


def test_with_no_locality_known_the_share_cannot_be_judged(council, client):
    _pay(SupplierFactory(locality=Locality.UNKNOWN), "1200.00")
    page = _page(client.get("/spend/?year=2024-25"))
    assert 'data-figure="borough-share">Cannot be judged yet<' in page
    assert 'data-figure="influenceable-borough-share">Cannot be judged yet<' in page
    assert 'data-figure="borough-share">0.0%' not in page
    assert "Where 100.0% of this spending (£1,200) went is not known yet" in page


def test_with_half_the_spend_placed_the_share_is_a_finding_and_the_unknown_is_said(council, client):
    _pay(SupplierFactory(locality=Locality.UNKNOWN), "500.00")
    _pay(SupplierFactory(locality=Locality.ELSEWHERE), "500.00")
    page = _page(client.get("/spend/?year=2024-25"))
    assert 'data-figure="borough-share">0.0%<' in page
    assert "Where £500 of it (50.0%) went is not known: it counts as not local." in page


def test_just_over_half_unknown_cannot_be_judged(council, client):
    _pay(SupplierFactory(locality=Locality.UNKNOWN), "500.01")
    _pay(SupplierFactory(locality=Locality.BOROUGH), "499.99")
    page = _page(client.get("/spend/?year=2024-25"))
    assert 'data-figure="borough-share">Cannot be judged yet<' in page


# --- Each payment where it went -------------------------------------------------------------


@pytest.fixture
def two_postcodes(council):
    """A supplier based in the borough, paid at its borough postcode and at one outside the
    county; and a supplier of its own in the borough for comparison."""
    neighbourhood = council.neighbourhoods.first()
    firm = SupplierFactory(
        name="Two Sites Ltd", locality=Locality.BOROUGH, neighbourhood=neighbourhood
    )
    _pay(firm, "1000.00", postcode="SG1 1HN", locality=Locality.BOROUGH)
    _pay(firm, "3000.00", postcode="MK9 2FP", locality=Locality.ELSEWHERE, department="IT")
    _pay(firm, "500.00")  # no postcode on the line: the supplier's locality
    return {"firm": firm, "neighbourhood": neighbourhood}


def test_a_supplier_paid_at_two_postcodes_counts_each_payment_where_it_went(two_postcodes, client):
    shares = spend_shares(period_start=YEAR[0], period_end=YEAR[1])
    assert (shares.total, shares.borough) == (Decimal("4500.00"), Decimal("1500.00"))
    summary = spend_summary(start=YEAR[0], end=YEAR[1])
    totals = {row.locality: row.total for row in summary.localities}
    assert totals[Locality.ELSEWHERE] == Decimal("3000.00")
    assert totals[Locality.BOROUGH] == Decimal("1500.00")
    response = client.get("/spend/?year=2024-25")
    leakage = response.context["leakage"]
    assert [(row["name"], row["where"]) for row in leakage] == [
        ("Two Sites Ltd", "Outside the county")
    ]
    departments = {row["label"]: row["borough"] for row in response.context["departments"]}
    assert departments["IT"] == "0.0%"


def test_lm3_and_the_dashboards_count_each_payment_where_it_went(two_postcodes):
    assert lm3_round2_suppliers_from_spend(period_start=YEAR[0], period_end=YEAR[1]) == Decimal(
        "1500.00"
    )
    dashboard = spend_with_neighbourhood_suppliers(neighbourhood=two_postcodes["neighbourhood"])
    assert dashboard.total == Decimal("1500.00")
    assert dashboard.share_of_all == _pct(1500, 4500)


def test_an_officers_decision_on_the_supplier_outranks_the_payments_postcode(two_postcodes):
    firm = two_postcodes["firm"]
    firm.locality_source = "officer"
    firm.locality_override_reason = "Every site works from the town centre"
    firm.save()
    shares = spend_shares(period_start=YEAR[0], period_end=YEAR[1])
    assert shares.borough == Decimal("4500.00")


def test_the_spend_page_runs_the_same_queries_however_many_rules(spend, client):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/spend/?year=2024-25").status_code == 200
        return len(captured)

    few = queries()
    for number in range(30):
        SpendExclusionRule.objects.create(
            name=f"Rule {number}", reason="Test.", match="expense_type_contains", text=f"x{number}"
        )
    assert queries() == few


def test_the_demo_leaves_out_its_payments_to_the_county_council_hmrc_and_the_pension_fund(
    council,
):
    from metrics.spend.demo import demo_spend_ensure

    demo_spend_ensure(council=council, today=datetime.date(2025, 11, 30))
    summary = spend_summary(start=YEAR[0], end=YEAR[1])
    left_out = {row.name: row.count for row in summary.excluded if row.total}
    assert left_out == {
        "Payments to the county council": 12,
        "Payments to HM Revenue and Customs": 12,
        "Payments to the pension fund": 12,
    }
    shares = summary.shares
    assert shares.judgeable
    assert shares.influenceable_judgeable
    assert shares.influenceable_borough_share > shares.borough_share
    print(
        f"\ndemo 2024/25: all {shares.borough_share}% / influenceable "
        f"{shares.influenceable_borough_share}% in the borough; left out £{shares.excluded} "
        f"({shares.excluded_share}%); unknown {shares.unknown_share}%"
    )


@pytest.mark.parametrize(
    ("first", "second"),
    [("H.M.R.C.", ""), ("Herts Payroll Office", "HERTS PAYROLL OFFICE.")],
    ids=["a name another body has", "the same name twice"],
)
def test_a_public_body_name_read_the_same_as_another_is_refused_in_admin(
    council, client, first, second
):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="metrics",
            codename__in=["view_publicbody", "add_publicbody", "change_publicbody",
                          "view_publicbodyname", "add_publicbodyname", "change_publicbodyname"],
        )
    )  # fmt: skip
    sign_in_verified(client, user)
    names = PublicBodyName.objects.count()
    response = client.post(
        "/admin/metrics/publicbody/add/",
        {"name": "HMRC Payroll", "kind": "hmrc", "notes": "",
         "names-TOTAL_FORMS": "2", "names-INITIAL_FORMS": "0", "names-MIN_NUM_FORMS": "0",
         "names-MAX_NUM_FORMS": "1000", "names-0-name": first, "names-1-name": second},
    )  # fmt: skip
    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert PublicBodyName.objects.count() == names
    assert not PublicBody.objects.filter(name="HMRC Payroll").exists()
