"""Demo Community Balance Sheets for `make run`: every neighbourhood and the borough for 2023/24
and 2024/25 (published), 2025/26 in progress (drafts, submitted, one returned), and one published
sheet restated. Made through the balance-sheet services, each step recorded at its time in the
story (core.clock); development only. The £ values use the library's illustrative
proxies, and the pages say so."""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from balancesheets.models import BalanceSheet, Indicator, SheetAction, SheetStatus
from balancesheets.services import (
    LineInput,
    balance_sheet_create,
    balance_sheet_line_add,
    balance_sheet_line_change,
    balance_sheet_publish,
    balance_sheet_restate,
    balance_sheet_return,
    balance_sheet_submit,
    balance_sheet_validate,
    borough_sheet_build,
)
from core.clock import recorded_at
from neighbourhoods.models import Council
from outbox.demo import story_step

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


RETURN_COMMENTS = (
    "Please add the evidence for the volunteering figure and check the green space area against "
    "the GIS layer."
)
RESTATEMENT_REASON = (
    "The count of regular volunteers included people registered with two groups twice; it is "
    "corrected from the Volunteer Centre's de-duplicated register."
)


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
    area_factors = {n.pk: rng.uniform(0.7, 1.3) for n in neighbourhoods}
    now = timezone.now()
    for year in (*PUBLISHED_YEARS, OPEN_YEAR):
        published_on = datetime.datetime(year + 1, 9, 30, 10, tzinfo=datetime.UTC)
        year_factor = 1 + 0.03 * (year - PUBLISHED_YEARS[0])
        for index, neighbourhood in enumerate(neighbourhoods):
            status = _status(index, year)
            steps = _steps(status, published_on, now)
            with recorded_at(steps[SheetAction.CREATED]):
                sheet = balance_sheet_create(
                    council=council, neighbourhood=neighbourhood, year=year, actor=officer
                )
                for indicator in indicators:
                    if status == SheetStatus.DRAFT and rng.random() < 0.3:
                        continue  # a draft is part-way through
                    quantity = _quantity(
                        rng, indicator.code, area_factors[neighbourhood.pk], year_factor
                    )
                    balance_sheet_line_add(
                        sheet=sheet,
                        indicator=indicator,
                        data=LineInput(quantity=quantity, evidence=EVIDENCE[indicator.code]),
                        actor=officer,
                    )
            _workflow(sheet, steps, officer=officer, validator=validator)
        # The borough sheet of the last published year is built from the neighbourhoods; the
        # year before shows the sum of the neighbourhoods instead, and this year is in progress.
        if year == PUBLISHED_YEARS[-1]:
            built_on = published_on - datetime.timedelta(days=15)
            with recorded_at(built_on):
                borough = borough_sheet_build(council=council, year=year, actor=officer).sheet
            _workflow(
                borough,
                {
                    SheetAction.SUBMITTED: built_on + datetime.timedelta(days=1),
                    SheetAction.VALIDATED: built_on + datetime.timedelta(days=5),
                    SheetAction.PUBLISHED: published_on,
                },
                officer=officer,
                validator=validator,
            )
    _restate_one(council, neighbourhoods[1], officer, validator)
    return BalanceSheet.objects.filter(council=council).count()


def _workflow(sheet: BalanceSheet, steps: dict, *, officer, validator) -> None:
    """Take a sheet through the workflow steps of its story, each at its time (and the emails
    each step sends, to the CWB Group or the submitter, sent then)."""
    if SheetAction.SUBMITTED in steps:
        with story_step(steps[SheetAction.SUBMITTED]):
            sheet = balance_sheet_submit(sheet=sheet, actor=officer)
    if SheetAction.RETURNED in steps:
        with story_step(steps[SheetAction.RETURNED]):
            sheet = balance_sheet_return(sheet=sheet, actor=validator, comments=RETURN_COMMENTS)
    if SheetAction.VALIDATED in steps:
        with story_step(steps[SheetAction.VALIDATED]):
            sheet = balance_sheet_validate(sheet=sheet, actor=validator)
    if SheetAction.PUBLISHED in steps:
        with story_step(steps[SheetAction.PUBLISHED]):
            balance_sheet_publish(sheet=sheet, actor=officer)


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


def _restate_one(council, neighbourhood, officer, validator) -> None:
    """Restate one neighbourhood's 2023/24 sheet: its volunteer count was double-counted. (That
    year has no borough sheet, so the borough's figures, summed on the page, follow.)"""
    original = BalanceSheet.objects.get(
        council=council, neighbourhood=neighbourhood, year=PUBLISHED_YEARS[0], version=1
    )
    published = original.published_at + datetime.timedelta(days=160)
    with recorded_at(published - datetime.timedelta(days=20)):
        restated = balance_sheet_restate(sheet=original, actor=officer, reason=RESTATEMENT_REASON)
        line = restated.lines.select_related("indicator").get(indicator__code="regular-volunteers")
        balance_sheet_line_change(
            line=line,
            data=LineInput(
                quantity=(line.quantity * Decimal("0.8")).quantize(Decimal(1)),
                evidence=line.evidence,
                note="Restated: de-duplicated register.",
            ),
            actor=officer,
        )
    _workflow(
        restated,
        {
            SheetAction.SUBMITTED: published - datetime.timedelta(days=10),
            SheetAction.VALIDATED: published - datetime.timedelta(days=3),
            SheetAction.PUBLISHED: published,
        },
        officer=officer,
        validator=validator,
    )
