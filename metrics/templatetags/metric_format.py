"""How metric values read on a page: `{% load metric_format %}`.

{{ value.value|metric_value:metric.unit }}   18.2%  £1,250,000  1,234  1,234 hours  5,200 tCO2e
{{ summary.change|metric_change:metric.unit }}   Up 1.2 percentage points
{{ value|period }}                           2024/25
{{ judgement|judgement_detail:metric.unit }}  Expected 18.00% in 2025/26; recorded 17.97%.
{{ amount|pounds }}                          £1,000,000 (pence only when there are some)
"""

from decimal import Decimal
from typing import Any

from django import template

from core import formatting
from core.formatting import as_decimal, is_whole
from metrics.models import Unit
from metrics.periods import period_label

register = template.Library()

UNIT_NAMES = {
    Unit.PERCENT: "percentage",
    Unit.POUNDS: "pounds (£)",
    Unit.COUNT: "number",
    Unit.HOURS: "hours",
    Unit.TONNES_CO2E: "tonnes of carbon dioxide equivalent (tCO2e)",
}


def pounds_format(value: Any) -> str:
    return formatting.pounds(value, empty="")


def metric_value_format(value: Any, unit: str) -> str:
    """A value in its unit, as people read it."""
    number = as_decimal(value)
    if number is None:
        return ""
    if unit == Unit.PERCENT:
        return f"{number:,.1f}%"
    if unit == Unit.POUNDS:
        # Large sums in the short style (£1,780,000 reads £1.8m); smaller ones as they are.
        large = abs(number) >= 1_000_000
        return formatting.pounds_short(number) if large else pounds_format(number)
    if unit == Unit.COUNT:
        return f"{number:,.0f}"
    figure = f"{number:,.0f}" if is_whole(number) else f"{number:,.1f}"
    if unit == Unit.HOURS:
        return f"{figure} hour{'' if number == 1 else 's'}"
    if unit == Unit.TONNES_CO2E:
        return f"{figure} tCO2e"
    return figure


def metric_change_format(change: Any, unit: str) -> str:
    """A change between two values in words: "Up 1.2 percentage points", "Down £500"."""
    number = as_decimal(change)
    if number is None:
        return ""
    if number == 0:
        return "No change"
    direction = "Up" if number > 0 else "Down"
    if unit == Unit.PERCENT:
        size = abs(number)
        return f"{direction} {size:,.1f} percentage point{'' if size == 1 else 's'}"
    return f"{direction} {metric_value_format(abs(number), unit)}"


def metric_value_recorded(value: Any, unit: str) -> str:
    """A value with two more places than the page shows, for when rounding hides a shortfall."""
    number = as_decimal(value)
    if number is None:
        return ""
    if unit == Unit.PERCENT:
        return f"{number:,.2f}%"
    if unit == Unit.POUNDS:
        return formatting.pounds(number, pence=True)
    return metric_value_format(number.quantize(Decimal("0.01")).normalize(), unit)


def judgement_detail_format(judgement: Any, unit: str) -> str:
    """The figure an on-track judgement held the value against, in words ("" when there is
    nothing to add); the value as recorded when the page's rounding would make it look as good."""
    expected = getattr(judgement, "expected", None)
    if expected is None:
        return ""
    year = judgement.year_label
    shown = metric_value_format(judgement.measured, unit)
    if judgement.status != "on_track" and shown == metric_value_format(expected, unit):
        recorded = metric_value_recorded(judgement.measured, unit)
        return f"Expected {metric_value_recorded(expected, unit)} in {year}; recorded {recorded}."
    return f"Expected {metric_value_format(expected, unit)} in {year}."


@register.filter
def judgement_detail(judgement: Any, unit: str) -> str:
    return judgement_detail_format(judgement, unit)


@register.filter
def metric_value(value: Any, unit: str) -> str:
    return metric_value_format(value, unit)


@register.filter
def metric_change(change: Any, unit: str) -> str:
    return metric_change_format(change, unit)


@register.filter
def pounds(value: Any) -> str:
    return pounds_format(value)


@register.filter
def unit_name(unit: str) -> str:
    return UNIT_NAMES.get(unit, unit)


@register.filter
def period(value: Any) -> str:
    """The period of anything with period_start and period_end (a value, a study)."""
    start, end = getattr(value, "period_start", None), getattr(value, "period_end", None)
    return period_label(start, end) if start and end else ""
