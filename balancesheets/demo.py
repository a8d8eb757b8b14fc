"""Demo Community Balance Sheets for `make run`: every neighbourhood and the borough for 2023/24
and 2024/25 (published), 2025/26 in progress (drafts, submitted, one returned), and one published
sheet restated. Written in bulk; development only. The £ values use the library's illustrative
proxies, and the pages say so."""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from balancesheets.models import (
    BalanceSheet,
    BalanceSheetEvent,
    BalanceSheetLine,
    Indicator,
    SheetAction,
    SheetStatus,
    money,
)
from balancesheets.services import proxy_applicable
from neighbourhoods.models import Council

PUBLISHED_YEARS = (2023, 2024)
OPEN_YEAR = 2025
# A typical neighbourhood of about 15,000 people; each area varies around it.
BASE_QUANTITIES = {
    "regular-volunteers": 900,
    "active-community-groups": 35,
    "people-often-lonely": 700,
    "people-in-work": 6200,
    "apprenticeships-started": 60,
    "adults-no-qualifications": 1500,
    "community-buildings": 4,
    "empty-shop-units": 6,
    "anchor-spend-local": 2_400_000,
    "credit-union-savings": 350_000,
    "households-problem-debt": 900,
    "green-space": 85,
    "street-trees": 2200,
    "household-emissions": 21_000,
}
EVIDENCE = {
    "regular-volunteers": "Volunteer Centre register and community group returns",
    "active-community-groups": "Co-operative Neighbourhood team's directory of groups",
    "people-often-lonely": "Residents' survey, weighted to the neighbourhood",
    "people-in-work": "ONS Annual Population Survey, modelled to the neighbourhood",
    "apprenticeships-started": "Department for Education apprenticeship starts by ward",
    "adults-no-qualifications": "Census 2021, ward tables",
    "community-buildings": "Council asset register",
    "empty-shop-units": "Neighbourhood centres survey, March",
    "anchor-spend-local": "Anchor institutions' spend over £500, suppliers by postcode",
    "credit-union-savings": "Credit union annual return, members by ward",
    "households-problem-debt": "Money advice service caseload, scaled",
    "green-space": "Parks and open spaces GIS layer",
    "street-trees": "Tree inventory",
    "household-emissions": "Sub-national emissions statistics, domestic, by ward share",
}


def _quantity(rng: random.Random, code: str, area_factor: float, year_factor: float) -> Decimal:
    base = BASE_QUANTITIES[code] * area_factor * year_factor * rng.uniform(0.95, 1.05)
    return Decimal(round(base))


def _user(username: str):
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise LookupError(f"The demo user {username!r} is missing: run demo_users_ensure first")
    return user


def _status(index: int, year: int) -> str:
    if year in PUBLISHED_YEARS:
        return SheetStatus.PUBLISHED
    return [SheetStatus.DRAFT, SheetStatus.SUBMITTED, SheetStatus.RETURNED][index % 3]


@transaction.atomic
def demo_balance_sheets_ensure(*, council: Council) -> int:
    """Create the demo sheets once; if the council has any sheet already, change nothing.
    Returns how many sheets the council has."""
    existing = BalanceSheet.objects.filter(council=council).count()
    if existing:
        return existing
    officer, validator = _user("officer"), _user("validator")
    indicators = list(Indicator.objects.filter(code__in=BASE_QUANTITIES).order_by("pk"))
    neighbourhoods = list(council.neighbourhoods.order_by("order", "name"))
    if not indicators or not neighbourhoods:
        return 0
    rng = random.Random(2024)
    proxies = {
        (indicator.pk, year): proxy_applicable(indicator=indicator, year=year)
        for indicator in indicators
        for year in (*PUBLISHED_YEARS, OPEN_YEAR)
    }
    area_factors = {n.pk: rng.uniform(0.7, 1.3) for n in neighbourhoods}

    sheets: list[BalanceSheet] = []
    for year in (*PUBLISHED_YEARS, OPEN_YEAR):
        # The borough sheet of the last published year is built from the neighbourhoods; the
        # year before shows the sum of the neighbourhoods instead, and this year is in progress.
        areas = [*neighbourhoods, None] if year == PUBLISHED_YEARS[-1] else neighbourhoods
        for index, neighbourhood in enumerate(areas):
            sheet = BalanceSheet(
                council=council, neighbourhood=neighbourhood, year=year, created_by=officer
            )
            sheet.target_status = _status(index, year)
            sheets.append(sheet)
    BalanceSheet.objects.bulk_create(sheets)  # as drafts: lines go on drafts only
    target_status = {sheet.pk: sheet.target_status for sheet in sheets}

    lines: list[BalanceSheetLine] = []
    sums: dict[tuple[int, int], list] = {}
    for sheet in sheets:
        if sheet.neighbourhood_id is None:
            continue
        year_factor = 1 + 0.03 * (sheet.year - PUBLISHED_YEARS[0])
        for indicator in indicators:
            if target_status[sheet.pk] == SheetStatus.DRAFT and rng.random() < 0.3:
                continue  # a draft is part-way through
            quantity = _quantity(
                rng, indicator.code, area_factors[sheet.neighbourhood_id], year_factor
            )
            lines.append(_line(sheet, indicator, quantity, proxies[indicator.pk, sheet.year]))
            total = sums.setdefault((sheet.year, indicator.pk), [Decimal(0), Decimal(0)])
            total[0] += quantity
            total[1] += lines[-1].value or 0
    for sheet in sheets:
        if sheet.neighbourhood_id is None:
            for indicator in indicators:
                quantity, _ = sums[sheet.year, indicator.pk]
                line = _line(sheet, indicator, quantity, proxies[indicator.pk, sheet.year])
                line.evidence = "Sum of the six neighbourhood sheets"
                lines.append(line)
    BalanceSheetLine.objects.bulk_create(lines, batch_size=500)

    now = timezone.now()
    events: list[BalanceSheetEvent] = []
    for sheet in sheets:
        status = target_status[sheet.pk]
        published_on = datetime.datetime(sheet.year + 1, 9, 30, 10, tzinfo=datetime.UTC)
        steps = _steps(status, published_on, now)
        fields = {"status": status}
        if SheetAction.SUBMITTED in steps:
            fields |= {"submitted_at": steps[SheetAction.SUBMITTED], "submitted_by": officer}
        if status == SheetStatus.RETURNED:
            fields |= {
                "returned_at": steps[SheetAction.RETURNED],
                "returned_by": validator,
                "return_comments": "Please add the evidence for the volunteering figure and "
                "check the green space area against the GIS layer.",
            }
        if SheetAction.VALIDATED in steps:
            fields |= {"validated_at": steps[SheetAction.VALIDATED], "validated_by": validator}
        if SheetAction.PUBLISHED in steps:
            fields |= {"published_at": steps[SheetAction.PUBLISHED], "published_by": officer}
        BalanceSheet.objects.filter(pk=sheet.pk).update(**fields)
        for action in steps:
            events.append(
                BalanceSheetEvent(
                    sheet=sheet,
                    action=action,
                    actor=validator
                    if action in (SheetAction.VALIDATED, SheetAction.RETURNED)
                    else officer,
                    comment=fields.get("return_comments", "")
                    if action == SheetAction.RETURNED
                    else "",
                )
            )
    BalanceSheetEvent.objects.bulk_create(events)
    _restate_one(council, neighbourhoods[1], officer, validator, proxies)
    return BalanceSheet.objects.filter(council=council).count()


def _line(sheet, indicator, quantity, proxy) -> BalanceSheetLine:
    return BalanceSheetLine(
        sheet=sheet,
        indicator=indicator,
        quantity=quantity,
        proxy=proxy,
        unit_value=proxy.value_per_unit if proxy else None,
        value=money(quantity * proxy.value_per_unit) if proxy else None,
        evidence=EVIDENCE[indicator.code],
    )


def _steps(status: str, published_on: datetime.datetime, now: datetime.datetime) -> dict:
    """When each workflow step happened, for a sheet that reached `status`."""
    created = min(published_on - datetime.timedelta(days=120), now - datetime.timedelta(days=20))
    steps = {SheetAction.CREATED: created}
    if status == SheetStatus.DRAFT:
        return steps
    submitted = min(published_on - datetime.timedelta(days=40), now - datetime.timedelta(days=5))
    steps[SheetAction.SUBMITTED] = submitted
    if status == SheetStatus.RETURNED:
        steps[SheetAction.RETURNED] = submitted + datetime.timedelta(days=2)
    if status in (SheetStatus.VALIDATED, SheetStatus.PUBLISHED):
        steps[SheetAction.VALIDATED] = published_on - datetime.timedelta(days=20)
    if status == SheetStatus.PUBLISHED:
        steps[SheetAction.PUBLISHED] = published_on
    return steps


def _restate_one(council, neighbourhood, officer, validator, proxies) -> None:
    """Restate one neighbourhood's 2023/24 sheet: its volunteer count was double-counted. (That
    year has no borough sheet, so the borough's figures, summed on the page, follow.)"""
    original = BalanceSheet.objects.get(
        council=council, neighbourhood=neighbourhood, year=PUBLISHED_YEARS[0], version=1
    )
    restated = BalanceSheet.objects.create(
        council=council,
        neighbourhood=neighbourhood,
        year=original.year,
        version=2,
        restates=original,
        restatement_reason="The count of regular volunteers included people registered with two "
        "groups twice; it is corrected from the Volunteer Centre's de-duplicated register.",
        created_by=officer,
    )
    copied = []
    for line in original.lines.select_related("indicator").order_by("pk"):
        quantity = line.quantity
        if line.indicator.code == "regular-volunteers":
            quantity = (quantity * Decimal("0.8")).quantize(Decimal(1))
        new = _line(restated, line.indicator, quantity, proxies[line.indicator_id, original.year])
        new.evidence = line.evidence
        if line.indicator.code == "regular-volunteers":
            new.note = "Restated: de-duplicated register."
        copied.append(new)
    BalanceSheetLine.objects.bulk_create(copied)
    published = original.published_at + datetime.timedelta(days=160)
    BalanceSheet.objects.filter(pk=restated.pk).update(
        status=SheetStatus.PUBLISHED,
        submitted_at=published - datetime.timedelta(days=10),
        submitted_by=officer,
        validated_at=published - datetime.timedelta(days=3),
        validated_by=validator,
        published_at=published,
        published_by=officer,
    )
    BalanceSheetEvent.objects.bulk_create(
        BalanceSheetEvent(sheet=restated, action=action, actor=actor, comment=comment)
        for action, actor, comment in (
            (SheetAction.RESTATED, officer, restated.restatement_reason),
            (SheetAction.SUBMITTED, officer, ""),
            (SheetAction.VALIDATED, validator, ""),
            (SheetAction.PUBLISHED, officer, ""),
        )
    )
