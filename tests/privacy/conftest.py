"""People, pledges and emails for the personal-data tests: who may see what."""

import pytest
from django.contrib.auth.models import Group

from core.roles import COUNCILLORS, CWB_GROUP, DATA_PROTECTION, OFFICERS
from neighbourhoods.models import Membership
from outbox.models import OutboundEmail
from tests.factories import MembershipFactory, PledgeFactory, UserFactory

A, B = "bedwell-and-pin-green", "chells-and-manor"
# What no one but the neighbourhood's officers and the data-protection staff may read.
PRIVATE_EMAIL = "withheld.resident@private.example.org"
PRIVATE_NAME = "Wilhelmina Withheld"
PRIVATE_CONTACT = "Wilma Contactperson"
PRIVATE_POSTCODE = "SG99 9ZZ"
TOWN_WIDE_EMAIL = "townwide.pledger@private.example.org"


def staff(group_name, *, officer_of=None, councillor_of=None, is_staff=True):
    user = UserFactory(is_staff=is_staff)
    user.groups.add(Group.objects.get(name=group_name))
    if officer_of is not None:
        MembershipFactory(user=user, neighbourhood=officer_of, role=Membership.Role.OFFICER)
    if councillor_of is not None:
        MembershipFactory(user=user, neighbourhood=councillor_of, role=Membership.Role.COUNCILLOR)
    return user


@pytest.fixture
def area_a(council):
    return council.neighbourhoods.get(slug=A)


@pytest.fixture
def area_b(council):
    return council.neighbourhoods.get(slug=B)


@pytest.fixture
def private_pledge(area_a):
    """A resident in A who did not agree to show their name, with an email in the outbox."""
    pledge = PledgeFactory(
        neighbourhood=area_a,
        show_name=False,
        display_name=PRIVATE_NAME,
        contact_name=PRIVATE_CONTACT,
        email=PRIVATE_EMAIL,
        postcode=PRIVATE_POSTCODE,
        contact_consent=True,
    )
    OutboundEmail.objects.create(
        to=PRIVATE_EMAIL,
        subject="Your pledge is on the pledge wall",
        body="…",
        kind="published",
        about=pledge,
    )
    return pledge


@pytest.fixture
def town_wide_pledge(db):
    pledge = PledgeFactory(neighbourhood=None, email=TOWN_WIDE_EMAIL, postcode=PRIVATE_POSTCODE)
    OutboundEmail.objects.create(
        to=TOWN_WIDE_EMAIL, subject="Confirm your pledge", body="…", kind="confirm", about=pledge
    )
    return pledge


@pytest.fixture
def officer_a(area_a):
    return staff(OFFICERS, officer_of=area_a)


@pytest.fixture
def officer_b(area_b):
    return staff(OFFICERS, officer_of=area_b)


@pytest.fixture
def cwb_member(council):
    return staff(CWB_GROUP)


@pytest.fixture
def councillor_a(area_a):
    return staff(COUNCILLORS, councillor_of=area_a)


@pytest.fixture
def data_protection(council):
    return staff(DATA_PROTECTION)
