import datetime

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from neighbourhoods.models import Council, Neighbourhood, Ward


def council_current() -> Council | None:
    """The deployment's council: the one named by CHARTER_COUNCIL_SLUG, or the only one."""
    councils = Council.objects.all()
    if settings.CHARTER_COUNCIL_SLUG:
        councils = councils.filter(slug=settings.CHARTER_COUNCIL_SLUG)
    return councils.order_by("pk").first()


def wards_current(*, on: datetime.date | None = None) -> QuerySet[Ward]:
    on = on or timezone.localdate()
    return Ward.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on), valid_from__lte=on)


def neighbourhood_list(*, council: Council, on: datetime.date | None = None) -> QuerySet:
    """The council's neighbourhoods in order, each with `current_wards` prefetched."""
    return council.neighbourhoods.prefetch_related(
        Prefetch("wards", queryset=wards_current(on=on).order_by("name"), to_attr="current_wards")
    ).order_by("order", "name")


def neighbourhood_get(*, council: Council, slug: str, on: datetime.date | None = None):
    """One neighbourhood with `current_wards` and `former_wards` prefetched, or None."""
    on = on or timezone.localdate()
    former = Ward.objects.filter(valid_to__lt=on).order_by("name")
    return (
        Neighbourhood.objects.filter(council=council, slug=slug)
        .prefetch_related(
            Prefetch(
                "wards", queryset=wards_current(on=on).order_by("name"), to_attr="current_wards"
            ),
            Prefetch("wards", queryset=former, to_attr="former_wards"),
        )
        .first()
    )
