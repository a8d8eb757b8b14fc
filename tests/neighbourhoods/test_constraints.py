"""Each constraint on the neighbourhood tables refuses the one row it exists to refuse."""

import pytest
from django.db.models import F

from neighbourhoods.models import Membership, PostcodeLookup
from tests.constraints import (
    changed,
    constraint_tests,
    copied,
)
from tests.factories import CouncilFactory, MembershipFactory, NeighbourhoodFactory, WardFactory

pytestmark = pytest.mark.django_db


def _two_neighbourhoods_of_one_council():
    return NeighbourhoodFactory.create_batch(2, council=CouncilFactory())


def _two_roles_of_one_person_in_one_neighbourhood():
    first = MembershipFactory(role=Membership.Role.COUNCILLOR)
    second = MembershipFactory(
        user=first.user, neighbourhood=first.neighbourhood, role=Membership.Role.OFFICER
    )
    return first, second


def _two_postcodes():
    return (
        PostcodeLookup.objects.create(postcode="SG1 1HN"),
        PostcodeLookup.objects.create(postcode="SG1 1HP"),
    )


CASES = {
    "neighbourhoods.Council.name": copied(lambda: CouncilFactory.create_batch(2), "name"),
    "neighbourhoods.Council.slug": copied(lambda: CouncilFactory.create_batch(2), "slug"),
    "neighbourhood_unique_slug": copied(_two_neighbourhoods_of_one_council, "slug"),
    "neighbourhood_unique_name": copied(_two_neighbourhoods_of_one_council, "name"),
    "ward_unique_name_vintage": copied(lambda: WardFactory.create_batch(2), "name"),
    "ward_valid_to_after_valid_from": changed(WardFactory, valid_to=F("valid_from")),
    "membership_unique_role": copied(_two_roles_of_one_person_in_one_neighbourhood, "role"),
    "membership_role_valid": changed(MembershipFactory, role="mayor"),
    "postcodelookup_postcode_normalised": changed(
        lambda: PostcodeLookup.objects.create(postcode="SG1 1HN"), postcode="sg1 1hn"
    ),
    "neighbourhoods.PostcodeLookup.postcode": copied(_two_postcodes, "postcode"),
}


(
    test_every_constraint_has_a_case,
    test_the_database_refuses_a_row_that_breaks,
    test_the_row_breaks_no_other_constraint,
) = constraint_tests("neighbourhoods", CASES)
