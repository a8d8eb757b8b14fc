from django import template

from balancesheets import formatting

register = template.Library()


@register.filter
def gbp(value):
    return formatting.gbp(value)


@register.filter
def gbp_change(value):
    return formatting.gbp_change(value)


@register.filter
def quantity(value):
    return formatting.quantity(value)
