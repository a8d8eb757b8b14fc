import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from neighbourhoods.models import Council, Membership, Neighbourhood, Ward


def _saved(instance):
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def council_load_reference(
    *, council: Mapping[str, Any], neighbourhoods: Sequence[Mapping[str, Any]]
) -> Council:
    """Create or update a council, its neighbourhoods and their wards from reference data.

    Idempotent: councils match on slug, neighbourhoods on (council, slug), wards on
    (name, valid_from). Officers' later corrections to fields absent from the data are kept.
    """
    council_fields = dict(council)
    slug = council_fields.pop("slug")
    record = Council.objects.filter(slug=slug).first() or Council(slug=slug)
    for field, value in council_fields.items():
        setattr(record, field, value)
    _saved(record)

    for order, area in enumerate(neighbourhoods, start=1):
        area_fields = dict(area)
        wards = area_fields.pop("wards", [])
        area_slug = area_fields.pop("slug")
        neighbourhood = Neighbourhood.objects.filter(council=record, slug=area_slug).first()
        neighbourhood = neighbourhood or Neighbourhood(council=record, slug=area_slug)
        neighbourhood.order = area_fields.pop("order", order)
        for field, value in area_fields.items():
            setattr(neighbourhood, field, value)
        _saved(neighbourhood)
        for ward in wards:
            valid_from = _as_date(ward["valid_from"])
            existing = Ward.objects.filter(name=ward["name"], valid_from=valid_from).first()
            existing = existing or Ward(name=ward["name"], valid_from=valid_from)
            existing.neighbourhood = neighbourhood
            existing.valid_to = _as_date(ward.get("valid_to"))
            existing.ons_code = ward.get("ons_code", existing.ons_code)
            _saved(existing)
    return record


def _as_date(value) -> datetime.date | None:
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(value)


@transaction.atomic
def membership_grant(
    *, user: AbstractBaseUser, neighbourhood: Neighbourhood, role: str
) -> Membership:
    membership, _ = Membership.objects.get_or_create(
        user=user, neighbourhood=neighbourhood, role=role
    )
    return membership
