from django.db.models import QuerySet

from balancesheets.models import Capital


def capital_list() -> QuerySet[Capital]:
    return Capital.objects.order_by("order", "name")
