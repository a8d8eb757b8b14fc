"""The staff roles that migrations create, and what each may do in admin (least privilege)."""

import pytest
from django.contrib.auth.models import Group

from neighbourhoods.roles import COUNCILLORS, CWB_GROUP, OFFICERS
from tests.factories import UserFactory


def _user_in(group_name, *, is_staff=True):
    user = UserFactory(is_staff=is_staff)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.mark.django_db
def test_the_three_roles_exist():
    assert set(Group.objects.values_list("name", flat=True)) >= {OFFICERS, COUNCILLORS, CWB_GROUP}


@pytest.mark.django_db
def test_officers_curate_neighbourhoods_and_wards():
    officer = _user_in(OFFICERS)
    assert officer.has_perms(
        ["neighbourhoods.change_neighbourhood", "neighbourhoods.add_ward", "pledges.add_commitment"]
    )


@pytest.mark.django_db
def test_officers_cannot_grant_roles_or_delete_reference_data():
    officer = _user_in(OFFICERS)
    for permission in (
        "neighbourhoods.add_membership",
        "neighbourhoods.delete_neighbourhood",
        "auth.change_user",
        "auth.change_group",
    ):
        assert not officer.has_perm(permission), permission


@pytest.mark.django_db
def test_the_cwb_group_only_reads_reference_data():
    validator = _user_in(CWB_GROUP)
    assert validator.has_perm("neighbourhoods.view_neighbourhood")
    assert not validator.has_perm("neighbourhoods.change_neighbourhood")
    assert not validator.has_perm("pledges.change_commitment")


@pytest.mark.django_db
def test_councillors_have_no_admin_permissions():
    councillor = _user_in(COUNCILLORS, is_staff=False)
    assert councillor.get_all_permissions() == set()


@pytest.mark.django_db
def test_an_officer_can_open_the_neighbourhood_admin_but_not_the_user_admin(client):
    client.force_login(_user_in(OFFICERS))
    assert client.get("/admin/neighbourhoods/neighbourhood/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 403
