"""Who may see personal data beyond their own neighbourhood, and the log of each view of it.

Least privilege (docs/decisions/0027): contact details are for the officers of the pledge's
neighbourhood (the apps above decide that, from neighbourhood memberships) and for the named
data-protection staff, who see them everywhere. A superuser can grant themselves any role, so
hiding data from them protects nothing; their views are logged like everyone's.
"""

import hashlib
import hmac
from collections.abc import Iterable

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models

from audit.models import PersonalDataView
from core.roles import DATA_PROTECTION


def sees_all_personal_data(user) -> bool:
    """The data-protection role (or a superuser): every pledger's details, the access log, and
    the subject-rights pages. Cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_sees_all_personal_data", None)
    if cached is None:
        cached = user.groups.filter(name=DATA_PROTECTION).exists()
        user._sees_all_personal_data = cached
    return cached


def address_hash(address: str) -> str:
    """A keyed hash of an email address (or any search term): matches the same address again
    without keeping it. Keyed with AUDIT_HASH_KEY so it cannot be reversed by guessing
    addresses without the key."""
    normalised = address.strip().casefold().encode()
    return hmac.new(settings.AUDIT_HASH_KEY.encode(), normalised, hashlib.sha256).hexdigest()


def personal_data_viewed(
    *,
    viewer,
    how: str,
    what: str,
    model: type[models.Model] | None = None,
    ids: Iterable[int] = (),
    people: int | None = None,
    search_term: str = "",
) -> PersonalDataView:
    """Record that `viewer` saw personal data (one row, whatever the number of people)."""
    ids = list(ids)
    return PersonalDataView.objects.create(
        viewer=viewer,
        how=how,
        what=what[:200],
        object_type=ContentType.objects.get_for_model(model) if model is not None else None,
        object_ids=ids,
        people=len(ids) if people is None else people,
        search_term_hash=address_hash(search_term) if search_term else "",
    )


def views_of(*, model: type[models.Model], ids: Iterable[int]):
    """The logged views that showed any of these objects, newest first."""
    return PersonalDataView.objects.filter(
        object_type=ContentType.objects.get_for_model(model), object_ids__overlap=list(ids)
    ).select_related("viewer")
