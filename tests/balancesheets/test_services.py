"""The balance sheet services: pricing, the workflow and who may do each step, restatements,
copy-forward, the borough sheet, the history, and the reference library."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from balancesheets import services
from balancesheets.models import (
    BalanceSheet,
    BalanceSheetEvent,
    BalanceSheetLine,
    ProxyValue,
    SheetAction,
    SheetStatus,
)
from balancesheets.selectors import sheet_detail, sheet_totals, sum_totals
from charter_portal.reference_data import DEFAULT_REFERENCE_FILE, reference_data_load
from core.roles import OFFICERS
from tests.balancesheets.conftest import QUANTITIES, fill, publish
from tests.balancesheets.factories import ProxyValueFactory, user_in, validator


@pytest.fixture
def neighbourhood(council):
    return council.neighbourhoods.order_by("order").first()


@pytest.fixture
def draft(council, neighbourhood, an_officer):
    return services.balance_sheet_create(
        council=council, neighbourhood=neighbourhood, year=2024, actor=an_officer
    )


def _add(sheet, indicator, actor, quantity, **kwargs):
    return services.balance_sheet_line_add(
        sheet=sheet,
        indicator=indicator,
        data=services.LineInput(quantity=Decimal(quantity), **kwargs),
        actor=actor,
    )


# The library


def test_the_starter_library_covers_every_capital_with_labelled_illustrative_proxies(library):
    capitals = {indicator.capital.code for indicator in library.values()}
    assert capitals == {"social", "human", "built", "financial", "natural"}
    volunteer = library["regular-volunteers"].proxies.get()
    assert volunteer.value_per_unit == Decimal("3400.00")
    assert volunteer.is_illustrative
    assert "Measure Up" in volunteer.source
    assert "illustrative" in volunteer.source
    assert library["people-in-work"].proxies.get().value_per_unit == Decimal("42000.00")
    # Every proxy that is not money at face value is marked illustrative.
    for proxy in ProxyValue.objects.exclude(source__startswith="Face value"):
        assert proxy.is_illustrative, proxy


def test_reloading_the_reference_file_keeps_the_councils_own_proxy_values(library):
    proxy = library["regular-volunteers"].proxies.get()
    proxy.value_per_unit = Decimal("3650.00")
    proxy.source = "The council's own valuation"
    proxy.is_illustrative = False
    proxy.save()
    indicators = len(library)
    reference_data_load(path=DEFAULT_REFERENCE_FILE)
    proxy.refresh_from_db()
    assert proxy.value_per_unit == Decimal("3650.00")
    assert ProxyValue.objects.filter(indicator__code="regular-volunteers").count() == 1
    assert len({i.code for i in library.values()}) == indicators


# Pricing


def test_a_lines_value_is_its_quantity_times_the_proxy(draft, library, an_officer):
    line = _add(draft, library["regular-volunteers"], an_officer, "12")
    assert line.unit_value == Decimal("3400.00")
    assert line.value == Decimal("40800.00")
    assert not line.value_overridden


def test_a_value_is_rounded_to_the_penny_half_up(draft, library, an_officer):
    ProxyValueFactory(indicator=library["street-trees"], value_per_unit=Decimal("0.05"))
    line = _add(draft, library["street-trees"], an_officer, "0.5")
    assert line.value == Decimal("0.03")  # 0.025 rounds up, as PostgreSQL's round() does


def test_an_entered_value_needs_a_reason(draft, library, an_officer):
    with pytest.raises(ValidationError) as error:
        _add(draft, library["regular-volunteers"], an_officer, "12", value=Decimal("50000"))
    assert "override_reason" in error.value.error_dict
    assert not draft.lines.exists()


def test_an_entered_value_with_a_reason_is_kept(draft, library, an_officer):
    line = _add(
        draft,
        library["regular-volunteers"],
        an_officer,
        "12",
        value=Decimal("50000"),
        override_reason="Includes two volunteer co-ordinators valued at cost",
    )
    assert line.value == Decimal("50000.00")
    assert line.value_overridden
    assert line.override_reason.startswith("Includes")


def test_entering_the_proxys_own_value_is_not_an_override(draft, library, an_officer):
    line = _add(draft, library["regular-volunteers"], an_officer, "2", value=Decimal("6800"))
    assert not line.value_overridden
    assert line.override_reason == ""


def test_without_a_proxy_a_line_is_counted_in_units_only(draft, library, an_officer):
    line = _add(draft, library["street-trees"], an_officer, "300")
    assert line.value is None
    assert line.unit_value is None
    assert line.proxy is None


def test_a_proxy_from_a_later_price_year_is_not_used(council, neighbourhood, library, an_officer):
    ProxyValueFactory(
        indicator=library["regular-volunteers"], price_year=2025, value_per_unit=Decimal("3600")
    )
    old = services.balance_sheet_create(
        council=council, neighbourhood=neighbourhood, year=2023, actor=an_officer
    )
    new = services.balance_sheet_create(
        council=council, neighbourhood=neighbourhood, year=2025, actor=an_officer
    )
    assert _add(old, library["regular-volunteers"], an_officer, "1").value == Decimal("3400.00")
    assert _add(new, library["regular-volunteers"], an_officer, "1").value == Decimal("3600.00")


def test_a_quantity_too_large_for_its_value_is_refused(draft, library, an_officer):
    with pytest.raises(ValidationError) as error:
        _add(draft, library["people-in-work"], an_officer, "999999999999")
    assert "quantity" in error.value.error_dict


def test_one_line_per_indicator(draft, library, an_officer):
    _add(draft, library["regular-volunteers"], an_officer, "1")
    with pytest.raises(ValidationError, match="already has a line"):
        _add(draft, library["regular-volunteers"], an_officer, "2")


def test_submitting_reprices_lines_whose_proxy_changed(draft, library, an_officer):
    line = _add(draft, library["regular-volunteers"], an_officer, "10")
    ProxyValue.objects.filter(indicator=library["regular-volunteers"]).update(
        value_per_unit=Decimal("3500.00")
    )
    services.balance_sheet_submit(sheet=draft, actor=an_officer)
    line.refresh_from_db()
    assert line.value == Decimal("35000.00")
    assert draft.events.filter(action=SheetAction.REPRICED).count() == 1


# Totals


def test_totals_equal_the_sum_of_their_lines(draft, library, an_officer):
    lines = fill(draft, library, an_officer, QUANTITIES)
    totals = sheet_totals(sheet=draft)
    detail = sheet_detail(sheet=draft)
    for capital in totals.capitals:
        mine = [line for line in lines if line.indicator.capital_id == capital.capital.pk]
        assets = sum((x.value or 0 for x in mine if x.indicator.side == "asset"), Decimal(0))
        liabilities = sum(
            (x.value or 0 for x in mine if x.indicator.side == "liability"), Decimal(0)
        )
        assert (capital.assets, capital.liabilities) == (assets, liabilities)
        assert detail.totals.for_capital(capital.capital.code).net == assets - liabilities
    assert totals.assets == Decimal("2690000.50")
    assert totals.liabilities == Decimal("276000.00")
    assert totals.net == detail.totals.net == Decimal("2414000.50")
    assert totals.net == sum((line.signed_value for line in lines), Decimal(0))


# The workflow and its roles


def test_the_workflow_records_who_and_when(draft, library, an_officer, a_validator):
    fill(draft, library, an_officer, {"regular-volunteers": 5})
    sheet = publish(draft, by=an_officer, checked_by=a_validator)
    assert sheet.status == SheetStatus.PUBLISHED
    assert sheet.submitted_by == an_officer
    assert sheet.submitted_at
    assert sheet.validated_by == a_validator
    assert sheet.validated_at
    assert sheet.published_by == an_officer
    assert sheet.published_at
    actions = list(sheet.events.order_by("pk").values_list("action", "actor"))
    assert actions == [
        (SheetAction.CREATED, an_officer.pk),
        (SheetAction.LINE_ADDED, an_officer.pk),
        (SheetAction.SUBMITTED, an_officer.pk),
        (SheetAction.VALIDATED, a_validator.pk),
        (SheetAction.PUBLISHED, an_officer.pk),
    ]


def test_only_a_cwb_group_member_can_validate(draft, library, an_officer, another_officer):
    fill(draft, library, an_officer, {"regular-volunteers": 5})
    services.balance_sheet_submit(sheet=draft, actor=an_officer)
    superuser = user_in(None, username="root", is_superuser=True)
    for outsider in (another_officer, superuser):
        with pytest.raises(PermissionDenied):
            services.balance_sheet_validate(sheet=draft, actor=outsider)
        with pytest.raises(PermissionDenied):
            services.balance_sheet_return(sheet=draft, actor=outsider, comments="No")
    draft.refresh_from_db()
    assert draft.status == SheetStatus.SUBMITTED


def test_a_validator_cannot_validate_what_they_submitted(draft, library, an_officer):
    both = user_in(OFFICERS, username="both")
    both.groups.add(*validator().groups.all())
    fill(draft, library, an_officer, {"regular-volunteers": 5})
    services.balance_sheet_submit(sheet=draft, actor=both)
    with pytest.raises(ValidationError, match="another member"):
        services.balance_sheet_validate(sheet=draft, actor=both)


def test_a_returned_sheet_is_corrected_and_submitted_again(draft, library, an_officer, a_validator):
    line = fill(draft, library, an_officer, {"regular-volunteers": 5})[0]
    services.balance_sheet_submit(sheet=draft, actor=an_officer)
    with pytest.raises(ValidationError):
        services.balance_sheet_return(sheet=draft, actor=a_validator, comments="  ")
    services.balance_sheet_return(sheet=draft, actor=a_validator, comments="Check the count")
    draft.refresh_from_db()
    assert draft.status == SheetStatus.RETURNED
    assert draft.return_comments == "Check the count"
    services.balance_sheet_line_change(
        line=line, data=services.LineInput(quantity=Decimal(6)), actor=an_officer
    )
    services.balance_sheet_submit(sheet=draft, actor=an_officer)
    services.balance_sheet_validate(sheet=draft, actor=a_validator)
    draft.refresh_from_db()
    assert draft.status == SheetStatus.VALIDATED


def test_lines_cannot_change_while_the_cwb_group_has_the_sheet(draft, library, an_officer):
    line = fill(draft, library, an_officer, {"regular-volunteers": 5})[0]
    services.balance_sheet_submit(sheet=draft, actor=an_officer)
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.balance_sheet_line_change(
            line=line, data=services.LineInput(quantity=Decimal(6)), actor=an_officer
        )


@pytest.mark.parametrize("status", ["draft", "submitted", "returned"])
def test_only_validated_sheets_can_be_published(draft, library, an_officer, a_validator, status):
    fill(draft, library, an_officer, {"regular-volunteers": 5})
    if status != "draft":
        services.balance_sheet_submit(sheet=draft, actor=an_officer)
    if status == "returned":
        services.balance_sheet_return(sheet=draft, actor=a_validator, comments="Fix it")
    with pytest.raises(ValidationError, match="Only a validated sheet"):
        services.balance_sheet_publish(sheet=draft, actor=an_officer)
    assert BalanceSheet.objects.get(pk=draft.pk).status == status


def test_the_cwb_group_cannot_publish_or_enter_lines(draft, library, an_officer, a_validator):
    fill(draft, library, an_officer, {"regular-volunteers": 5})
    with pytest.raises(PermissionDenied):
        fill(draft, library, a_validator, {"people-in-work": 5})
    services.balance_sheet_submit(sheet=draft, actor=an_officer)
    services.balance_sheet_validate(sheet=draft, actor=a_validator)
    with pytest.raises(PermissionDenied):
        services.balance_sheet_publish(sheet=draft, actor=a_validator)


def test_a_submitted_sheet_needs_lines(draft, an_officer):
    with pytest.raises(ValidationError, match="at least one line"):
        services.balance_sheet_submit(sheet=draft, actor=an_officer)


# Published sheets and restatements


def test_a_published_sheet_refuses_changes(published_sheet, library, an_officer):
    line = published_sheet.lines.first()
    with pytest.raises(ValidationError, match="Restate it"):
        services.balance_sheet_line_change(
            line=line, data=services.LineInput(quantity=Decimal(1)), actor=an_officer
        )
    with pytest.raises(ValidationError):
        services.balance_sheet_line_remove(line=line, actor=an_officer)
    with pytest.raises(ValidationError):
        fill(published_sheet, library, an_officer, {"apprenticeships-started": 3})
    with pytest.raises(ValidationError):
        services.balance_sheet_submit(sheet=published_sheet, actor=an_officer)


def test_a_restatement_keeps_both_versions(published_sheet, an_officer, a_validator):
    before = sheet_totals(sheet=published_sheet).net
    restated = services.balance_sheet_restate(
        sheet=published_sheet, actor=an_officer, reason="Volunteers were counted twice"
    )
    assert (restated.version, restated.restates, restated.status) == (2, published_sheet, "draft")
    assert restated.lines.count() == published_sheet.lines.count()
    line = restated.lines.get(indicator__code="regular-volunteers")
    services.balance_sheet_line_change(
        line=line, data=services.LineInput(quantity=Decimal(80)), actor=an_officer
    )
    publish(restated, by=an_officer, checked_by=a_validator)
    published_sheet.refresh_from_db()
    assert published_sheet.status == SheetStatus.PUBLISHED
    assert sheet_totals(sheet=published_sheet).net == before
    assert sheet_totals(sheet=restated).net == before - 20 * Decimal(3400)
    assert restated.events.filter(action=SheetAction.RESTATED).get().comment == (
        "Volunteers were counted twice"
    )


def test_only_the_latest_published_version_is_restated(published_sheet, an_officer):
    with pytest.raises(ValidationError):
        services.balance_sheet_restate(sheet=published_sheet, actor=an_officer, reason=" ")
    services.balance_sheet_restate(sheet=published_sheet, actor=an_officer, reason="Fix")
    with pytest.raises(ValidationError, match="newer version"):
        services.balance_sheet_restate(sheet=published_sheet, actor=an_officer, reason="Again")


def test_an_area_has_one_sheet_a_year(draft, council, neighbourhood, an_officer):
    with pytest.raises(ValidationError, match="already has"):
        services.balance_sheet_create(
            council=council, neighbourhood=neighbourhood, year=2024, actor=an_officer
        )


# Copy forward


def test_copy_forward_starts_this_year_from_last_years_lines(
    council, neighbourhood, library, an_officer
):
    last = services.balance_sheet_create(
        council=council, neighbourhood=neighbourhood, year=2023, actor=an_officer
    )
    fill(last, library, an_officer, {"regular-volunteers": 40, "people-in-work": 3})
    _add(last, library["street-trees"], an_officer, "9", value=Decimal(90), override_reason="Cost")
    this = services.balance_sheet_create(
        council=council, neighbourhood=neighbourhood, year=2024, actor=an_officer
    )
    fill(this, library, an_officer, {"people-in-work": 4})
    assert services.balance_sheet_copy_forward(sheet=this, actor=an_officer) == 2
    lines = {line.indicator.code: line for line in this.lines.select_related("indicator")}
    assert lines["people-in-work"].quantity == 4  # left alone
    assert lines["regular-volunteers"].quantity == 40
    assert lines["regular-volunteers"].evidence == "Test evidence"
    assert lines["street-trees"].value is None  # a value entered by hand is not carried
    assert not lines["street-trees"].value_overridden
    assert this.events.filter(action=SheetAction.COPIED_FORWARD).exists()


def test_copy_forward_needs_a_sheet_for_the_year_before(draft, an_officer):
    with pytest.raises(ValidationError, match="no sheet for 2023/24"):
        services.balance_sheet_copy_forward(sheet=draft, actor=an_officer)


# The borough sheet


def test_the_borough_sheet_is_the_sum_of_the_six(council, library, an_officer, a_validator):
    neighbourhoods = list(council.neighbourhoods.order_by("order"))
    assert len(neighbourhoods) == 6
    parts = []
    for number, neighbourhood in enumerate(neighbourhoods, start=1):
        sheet = services.balance_sheet_create(
            council=council, neighbourhood=neighbourhood, year=2024, actor=an_officer
        )
        fill(sheet, library, an_officer, dict.fromkeys(QUANTITIES, f"{number}.5"))
        if number == 3:  # a value entered by hand is summed as entered
            services.balance_sheet_line_change(
                line=sheet.lines.get(indicator__code="street-trees"),
                data=services.LineInput(
                    quantity=Decimal(3), value=Decimal("777.77"), override_reason="Cost"
                ),
                actor=an_officer,
            )
        parts.append(publish(sheet, by=an_officer, checked_by=a_validator))

    built = services.borough_sheet_build(council=council, year=2024, actor=an_officer)
    assert built.missing == []
    assert len(built.used) == 6
    borough = built.sheet
    assert borough.neighbourhood is None
    assert borough.status == SheetStatus.DRAFT
    capitals = sheet_detail(sheet=borough).totals.capitals
    expected = sum_totals(
        capitals=[c.capital for c in capitals],
        parts=[sheet_totals(sheet=part) for part in parts],
    )
    built_totals = sheet_totals(sheet=borough)
    for mine, summed in zip(built_totals.capitals, expected.capitals, strict=True):
        assert (mine.assets, mine.liabilities) == (summed.assets, summed.liabilities)
    assert built_totals.net == expected.net
    for code in QUANTITIES:
        line = borough.lines.get(indicator__code=code)
        assert line.quantity == sum(part.lines.get(indicator__code=code).quantity for part in parts)
    trees = borough.lines.get(indicator__code="street-trees")
    assert trees.value == Decimal("777.77")
    assert trees.value_overridden
    # Building again (it is still a draft) replaces its lines rather than adding to them.
    services.borough_sheet_build(council=council, year=2024, actor=an_officer)
    assert borough.lines.count() == len(QUANTITIES)


def test_the_borough_sheet_uses_only_checked_sheets(council, library, an_officer, a_validator):
    first, second = council.neighbourhoods.order_by("order")[:2]
    checked = services.balance_sheet_create(
        council=council, neighbourhood=first, year=2024, actor=an_officer
    )
    fill(checked, library, an_officer, {"regular-volunteers": 10})
    services.balance_sheet_submit(sheet=checked, actor=an_officer)
    services.balance_sheet_validate(sheet=checked, actor=a_validator)
    draft = services.balance_sheet_create(
        council=council, neighbourhood=second, year=2024, actor=an_officer
    )
    fill(draft, library, an_officer, {"regular-volunteers": 99})
    built = services.borough_sheet_build(council=council, year=2024, actor=an_officer)
    assert [s.pk for s in built.used] == [checked.pk]
    assert second in built.missing
    assert built.sheet.lines.get().quantity == 10


# History


def test_every_change_is_in_the_history_with_before_and_after(draft, library, an_officer):
    line = _add(draft, library["regular-volunteers"], an_officer, "10", evidence="Register")
    services.balance_sheet_line_change(
        line=line,
        data=services.LineInput(quantity=Decimal(12), evidence="Register, March"),
        actor=an_officer,
    )
    services.balance_sheet_line_remove(line=line, actor=an_officer)
    added, changed, removed = BalanceSheetEvent.objects.filter(
        sheet=draft, action__startswith="line"
    ).order_by("pk")
    assert added.after["quantity"] == "10.00"
    assert added.before is None
    assert changed.before["quantity"] == "10.00"
    assert changed.after["quantity"] == "12.00"
    assert changed.before["value"] == "34000.00"
    assert changed.after["value"] == "40800.00"
    assert changed.after["evidence"] == "Register, March"
    assert removed.before["quantity"] == "12.00"
    assert removed.after is None
    assert removed.indicator == library["regular-volunteers"]
    assert {e.actor for e in (added, changed, removed)} == {an_officer}
    assert not BalanceSheetLine.objects.filter(pk=line.pk).exists()


def test_saving_a_line_unchanged_records_nothing(draft, library, an_officer):
    line = _add(draft, library["regular-volunteers"], an_officer, "10")
    events = draft.events.count()
    services.balance_sheet_line_change(
        line=line, data=services.LineInput(quantity=Decimal("10.00")), actor=an_officer
    )
    assert draft.events.count() == events
