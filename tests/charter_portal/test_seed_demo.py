import io

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from core.roles import COUNCILLORS, CWB_GROUP, DATA_PROTECTION, OFFICERS
from neighbourhoods.models import Membership


def _signs_in(username, password):
    """The demo login's password works (django-axes wants the request it would throttle)."""
    request = RequestFactory().post("/sign-in/")
    return authenticate(request, username=username, password=password)


def test_demo_officer_is_staff_in_the_officers_group(seeded):
    officer = _signs_in("officer", "officer-demo-pass")
    assert officer.is_staff
    assert not officer.is_superuser
    assert list(officer.groups.values_list("name", flat=True)) == [OFFICERS]


def test_demo_councillor_represents_one_neighbourhood_and_has_no_admin(seeded):
    councillor = _signs_in("councillor", "councillor-demo-pass")
    assert not councillor.is_staff
    assert list(councillor.groups.values_list("name", flat=True)) == [COUNCILLORS]
    memberships = Membership.objects.filter(user=councillor)
    assert [(m.neighbourhood.name, m.role) for m in memberships] == [
        ("Bedwell and Pin Green", Membership.Role.COUNCILLOR)
    ]


def test_demo_officer_works_in_one_neighbourhood_and_sees_its_contacts(seeded):
    memberships = Membership.objects.filter(user__username="officer")
    assert [(m.neighbourhood.name, m.role) for m in memberships] == [
        ("Bedwell and Pin Green", Membership.Role.OFFICER)
    ]


def test_demo_data_protection_officer_is_in_the_data_protection_role(seeded):
    user = get_user_model().objects.get(username="dataprotection")
    assert user.is_staff
    assert not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [DATA_PROTECTION]


def test_demo_validator_is_in_the_cwb_group(seeded):
    validator = _signs_in("validator", "validator-demo-pass")
    assert list(validator.groups.values_list("name", flat=True)) == [CWB_GROUP]


def test_seeding_twice_makes_no_duplicates(seeded):
    users = get_user_model().objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert get_user_model().objects.count() == users
    assert Membership.objects.count() == 2  # the councillor's and the officer's


def test_seed_demo_prints_the_logins(seeded, capsys):
    call_command("seed_demo")
    printed = capsys.readouterr().out
    for login in ("officer / officer-demo-pass", "councillor / councillor-demo-pass"):
        assert login in printed


@pytest.mark.django_db
def test_seed_demo_refuses_when_debug_is_off(settings):
    settings.DEBUG = False
    users = get_user_model().objects.count()
    with pytest.raises(CommandError, match="published passwords"):
        call_command("seed_demo")
    assert get_user_model().objects.count() == users
