import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from core.roles import CWB_GROUP, DATA_PROTECTION, OFFICERS

# Re-exported: the current council is read through the selectors like every other read.
from neighbourhoods.current import council_current as council_current
from neighbourhoods.models import Council, Membership, Neighbourhood, PostcodeLookup, Ward
from neighbourhoods.postcodes import normalise_postcode, outward_code


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


def postcode_lookup(*, postcode: str) -> PostcodeLookup | None:
    """The lookup row for a postcode as typed (any case or spacing), with ward and neighbourhood."""
    normalised = normalise_postcode(postcode)
    if normalised is None:
        return None
    return (
        PostcodeLookup.objects.select_related("ward", "ward__neighbourhood")
        .filter(postcode=normalised)
        .first()
    )


def neighbourhood_for_postcode(*, council: Council, postcode: str) -> Neighbourhood | None:
    """The council's neighbourhood that the postcode's ward belongs to, or None."""
    lookup = postcode_lookup(postcode=postcode)
    if lookup is None or lookup.ward is None:
        return None
    neighbourhood = lookup.ward.neighbourhood
    # Wards of every council share one table; another council's neighbourhood is not ours.
    if neighbourhood.council_id != council.pk:
        return None
    return neighbourhood


def postcode_locality(*, council: Council, postcode: str) -> str:
    """Where a postcode is relative to the council: "borough", "elsewhere" or "unknown".

    The lookup's district code decides when it has one. Otherwise the council's local postcode
    prefixes are a fallback, compared as whole outward codes: "SG1" covers "SG1 1HN", not
    "SG12 0AB". "county" needs county data the lookup does not hold, so it is never returned.
    """
    lookup = postcode_lookup(postcode=postcode)
    if lookup is not None and lookup.lad_code and council.ons_code:
        return "borough" if lookup.lad_code == council.ons_code else "elsewhere"
    outward = outward_code(postcode)
    prefixes = {prefix.strip().upper() for prefix in council.local_postcode_prefixes}
    if outward is not None and outward in prefixes:
        return "borough"
    return "unknown"


@dataclass(frozen=True)
class StaffAccess:
    """What a signed-in user may see on the dashboards."""

    is_officer: bool
    is_cwb_group: bool
    councillor_of: frozenset[int]  # neighbourhood ids
    officer_of: frozenset[int] = frozenset()  # neighbourhood ids (officer memberships)
    sees_all_personal_data: bool = False  # the data-protection role (audit.access)

    @property
    def sees_all(self) -> bool:
        return self.is_officer or self.is_cwb_group

    @property
    def has_any(self) -> bool:
        return self.sees_all or bool(self.councillor_of)

    def sees(self, neighbourhood: Neighbourhood) -> bool:
        return self.sees_all or neighbourhood.pk in self.councillor_of

    def sees_contacts(self, neighbourhood: Neighbourhood | None) -> bool:
        """Contact details: the officers of the pledge's neighbourhood and the data-protection
        staff only. A town-wide pledge (no neighbourhood) has no neighbourhood officers: its
        details are the data-protection staff's alone (docs/decisions/0027)."""
        if self.sees_all_personal_data:
            return True
        return neighbourhood is not None and neighbourhood.pk in self.officer_of

    @property
    def sees_drafts(self) -> bool:
        return self.sees_all


def staff_access(*, user) -> StaffAccess:
    """The user's roles, from their groups and neighbourhood memberships: two queries."""
    if not user.is_authenticated or not user.is_active:
        return StaffAccess(False, False, frozenset())
    groups = set(user.groups.values_list("name", flat=True))
    memberships = list(Membership.objects.filter(user=user).values_list("role", "neighbourhood_id"))
    return StaffAccess(
        is_officer=user.is_superuser or OFFICERS in groups,
        is_cwb_group=CWB_GROUP in groups,
        councillor_of=frozenset(n for role, n in memberships if role == Membership.Role.COUNCILLOR),
        officer_of=frozenset(n for role, n in memberships if role == Membership.Role.OFFICER),
        sees_all_personal_data=user.is_superuser or DATA_PROTECTION in groups,
    )
