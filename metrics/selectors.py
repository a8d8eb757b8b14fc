from django.db.models import QuerySet

from metrics.models import Foundation


def foundation_list() -> QuerySet[Foundation]:
    return Foundation.objects.order_by("order", "name")
