import datetime

import pytest
from django.db import IntegrityError

from neighbourhoods.models import Membership
from tests.factories import MembershipFactory, NeighbourhoodFactory, WardFactory


@pytest.mark.django_db
def test_a_ward_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError):
        WardFactory(valid_from=datetime.date(2024, 5, 2), valid_to=datetime.date(2024, 5, 1))


@pytest.mark.django_db
def test_two_neighbourhoods_of_one_council_cannot_share_a_slug():
    first = NeighbourhoodFactory(slug="old-town")
    with pytest.raises(IntegrityError):
        NeighbourhoodFactory(council=first.council, slug="old-town")


@pytest.mark.django_db
def test_councils_may_use_the_same_neighbourhood_slug():
    NeighbourhoodFactory(slug="town-centre")
    NeighbourhoodFactory(slug="town-centre")


@pytest.mark.django_db
def test_a_user_holds_a_role_in_a_neighbourhood_once():
    membership = MembershipFactory()
    with pytest.raises(IntegrityError):
        MembershipFactory(user=membership.user, neighbourhood=membership.neighbourhood)


@pytest.mark.django_db
def test_a_membership_role_must_be_councillor_or_officer():
    with pytest.raises(IntegrityError):
        MembershipFactory(role="mayor")


@pytest.mark.django_db
def test_a_user_may_be_councillor_and_officer_of_one_neighbourhood():
    councillor = MembershipFactory(role=Membership.Role.COUNCILLOR)
    MembershipFactory(
        user=councillor.user, neighbourhood=councillor.neighbourhood, role=Membership.Role.OFFICER
    )
    assert councillor.user.neighbourhood_memberships.count() == 2
