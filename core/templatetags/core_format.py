"""The house style in templates: `{% load core_format %}`.

{{ amount|pounds }}          £1,000,000 (pence only when there are some)
{{ amount|pounds_pence }}    £1,000,000.00 (accounts)
{{ amount|pounds_whole }}    £1,000,000 (rounded to the pound)
{{ change|pounds_change }}   +£1,200.00, or a minus sign (U+2212) before £300.00
{{ amount|pounds_short }}    £1.2m, £1.65bn (summaries; whole pounds under £1m)
{{ change|pounds_change_short }}  +£15.7m, a minus sign before £3.4m
{{ share|percentage }}       18.2%
{{ number|quantity }}        1,234 / 1,234.5
{{ sheet.year|fy_label }}    2024/25
"""

from typing import Any

from django import template

from core import formatting
from core.periods import financial_year_label

register = template.Library()


@register.filter
def pounds(value: Any) -> str:
    return formatting.pounds(value)


@register.filter
def pounds_pence(value: Any) -> str:
    return formatting.pounds(value, pence=True)


@register.filter
def pounds_whole(value: Any) -> str:
    return formatting.pounds(value, pence=False)


@register.filter
def pounds_change(value: Any) -> str:
    return formatting.pounds_change(value)


@register.filter
def pounds_short(value: Any) -> str:
    return formatting.pounds_short(value)


@register.filter
def pounds_change_short(value: Any) -> str:
    return formatting.pounds_change_short(value)


@register.filter
def percentage(value: Any) -> str:
    return formatting.percentage(value)


@register.filter
def quantity(value: Any) -> str:
    return formatting.quantity(value)


@register.filter
def fy_label(start_year: Any) -> str:
    try:
        return financial_year_label(int(start_year))
    except (TypeError, ValueError):
        return ""
