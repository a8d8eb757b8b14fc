"""The staff roles: the map declares what each may do in admin (least privilege), and every migrate
makes the groups match it."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from charter_portal.roles import ROLE_PERMISSIONS
from core.roles import COUNCILLORS, CWB_GROUP, OFFICERS, ROLES
from tests.factories import UserFactory
from tests.signin import sign_in_verified


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
    sign_in_verified(client, _user_in(OFFICERS))
    assert client.get("/admin/neighbourhoods/neighbourhood/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 403


def _permissions_of(group_name):
    return {
        f"{app_label}.{codename}"
        for app_label, codename in Group.objects.get(name=group_name).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_the_map_declares_every_role():
    assert set(ROLE_PERMISSIONS) == set(ROLES)


@pytest.mark.django_db
@pytest.mark.parametrize("group_name", ROLES)
def test_each_group_holds_exactly_the_maps_permissions(group_name):
    assert _permissions_of(group_name) == ROLE_PERMISSIONS[group_name]


@pytest.mark.django_db
def test_migrate_puts_the_groups_back_to_the_map():
    officers = Group.objects.get(name=OFFICERS)
    officers.permissions.remove(Permission.objects.get(codename="change_pledge"))
    officers.permissions.add(Permission.objects.get(codename="delete_pledge"))
    Group.objects.filter(name=CWB_GROUP).delete()

    call_command("migrate", verbosity=0)

    assert _permissions_of(OFFICERS) == ROLE_PERMISSIONS[OFFICERS]
    assert _permissions_of(CWB_GROUP) == ROLE_PERMISSIONS[CWB_GROUP]


@pytest.mark.django_db
def test_what_an_officer_may_do_is_what_the_map_says():
    officer = _user_in(OFFICERS)
    assert officer.get_all_permissions() == ROLE_PERMISSIONS[OFFICERS]


@pytest.mark.django_db
def test_an_officer_may_moderate_a_pledge_but_not_delete_it():
    assert "pledges.change_pledge" in ROLE_PERMISSIONS[OFFICERS]
    assert "pledges.delete_pledge" not in ROLE_PERMISSIONS[OFFICERS]
    officer = _user_in(OFFICERS)
    assert officer.has_perm("pledges.change_pledge")
    assert not officer.has_perm("pledges.delete_pledge")
