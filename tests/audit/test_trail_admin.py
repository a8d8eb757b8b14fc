"""The audit trail in admin: a staff change records who, before, after and why; one object's
history and the search across objects answer in a bounded number of queries, and only to
the staff allowed to see them; erasure leaves no personal value in the trail."""

import re

import pytest
from django.apps import apps
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group, Permission
from django.db import connection

from audit.models import TrailEvents
from audit.trail import PSEUDONYM, trail_changes, trail_models
from core.roles import CWB_GROUP, DATA_PROTECTION, OFFICERS
from pledges.models import Pledge, PledgeStatus, RejectionReason
from pledges.services import pledge_erase_personal_data
from tests.factories import PledgeFactory, UserFactory
from tests.signin import sign_in_verified

TRAIL = "/admin/audit/trailevents/"
PLEDGES = "/admin/pledges/pledge/"
EMAIL = "zebedee.quartermaine@private.example.org"
NAME = "Zebedee Quartermaine"


def _staff_in(group_name, **kwargs):
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name=group_name))
    return user


def _signed_in(client, user):
    sign_in_verified(client, user)
    return client


def _text(response):
    """The page's text, tags removed (the search box repeats what was searched for: dropped)."""
    html = re.sub(r"<input[^>]*>", "", response.content.decode())
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def pledge(council):
    return PledgeFactory(
        status=PledgeStatus.CONFIRMED,
        published_at=None,
        email=EMAIL,
        contact_name=NAME,
        display_name=NAME,
        show_name=False,
        neighbourhood=council.neighbourhoods.first(),
    )


def test_a_rejection_in_admin_records_the_officer_before_after_and_reason(client, pledge):
    officer = _staff_in(OFFICERS)
    offensive = RejectionReason.objects.get(code="offensive")
    _signed_in(client, officer).post(
        PLEDGES,
        {
            "action": "reject_selected",
            ACTION_CHECKBOX_NAME: [pledge.pk],
            "apply": "1",
            "reason": offensive.pk,
            "note": "Slurs in the text",
        },
    )

    event = TrailEvents.objects.tracks(pledge).order_by("pgh_id").last()
    changes = {c.field: (c.before, c.after) for c in trail_changes(event)}
    assert event.user_id == officer.pk
    assert changes["status"] == (PledgeStatus.CONFIRMED, PledgeStatus.REJECTED)
    assert event.pgh_context["reason"] == f"Rejected: {offensive.title} (Slurs in the text)"


def test_removing_a_user_from_a_group_is_recorded(db):
    user = UserFactory()
    group = Group.objects.create(name="Testers")
    user.groups.add(group)
    user.groups.remove(group)

    events = apps.get_model("audit", "UserGroupEvent").objects.filter(user_id=user.pk)
    assert list(events.order_by("pgh_id").values_list("pgh_label", "group_id")) == [
        ("insert", group.pk),
        ("delete", group.pk),
    ]


def _trail_text():
    """Every text, JSON and context value the trail holds, as one string."""
    chunks = []
    with connection.cursor() as cursor:
        for model in trail_models():
            cursor.execute(f'SELECT row_to_json(t)::text FROM "{model._meta.db_table}" t')  # noqa: S608
            chunks += [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT metadata::text FROM pghistory_context")
        chunks += [row[0] for row in cursor.fetchall()]
    return "\n".join(chunks).lower()


def test_erasing_a_pledge_leaves_no_personal_value_in_the_trail(pledge):
    Pledge.objects.filter(pk=pledge.pk).update(postcode="SG2 0XX", target="Weekly litter picks")
    pledge.refresh_from_db()
    assert EMAIL in _trail_text()  # the trail did hold it

    pledge_erase_personal_data(pledge=pledge, note=f"Asked by {EMAIL}")

    text = _trail_text()
    assert EMAIL not in text
    assert NAME.lower() not in text
    assert "sg2 0xx" not in text
    assert PSEUDONYM in text
    assert "weekly litter picks" in text  # the rest of the trail is kept


def test_an_officer_reads_a_pledges_history_in_bounded_queries(
    client, pledge, django_assert_max_num_queries
):
    Pledge.objects.filter(pk=pledge.pk).update(target="Monthly repair café")
    officer = _signed_in(client, _staff_in(OFFICERS))

    with django_assert_max_num_queries(15):
        response = officer.get(TRAIL, {"obj": f"pledges.Pledge:{pledge.pk}"})

    page = _text(response)
    assert response.status_code == 200
    assert "Monthly repair café" in page
    assert EMAIL not in page  # an officer outside the data-protection role: hidden
    assert "(hidden)" in page


def test_the_data_protection_role_searches_the_trail_by_email_and_is_logged(
    client, pledge, django_assert_max_num_queries
):
    from audit.models import PersonalDataView

    dpo = _staff_in(DATA_PROTECTION)
    _signed_in(client, dpo)
    with django_assert_max_num_queries(15):
        response = client.get(TRAIL, {"q": EMAIL})

    assert response.status_code == 200
    assert EMAIL in _text(response)
    assert PersonalDataView.objects.filter(viewer=dpo, object_ids__contains=[pledge.pk]).exists()


def test_a_search_by_email_finds_nothing_for_the_cwb_group(client, pledge):
    _signed_in(client, _staff_in(CWB_GROUP))
    response = client.get(TRAIL, {"q": EMAIL})

    assert response.status_code == 200
    assert EMAIL not in _text(response)
    assert f"Pledge {pledge.pk}" not in _text(response)


def test_staff_without_a_role_are_refused_the_trail(client, pledge):
    _signed_in(client, UserFactory(is_staff=True))

    assert client.get(TRAIL).status_code == 403
    assert client.get(TRAIL, {"obj": f"pledges.Pledge:{pledge.pk}"}).status_code == 403


def test_the_history_of_users_and_groups_is_for_superusers_only(client, council):
    # Even staff allowed to view accounts in admin: roles and accounts' history is superusers'.
    officer = _staff_in(OFFICERS)
    officer.user_permissions.add(Permission.objects.get(codename="view_user"))
    target = UserFactory(is_staff=False)
    target.is_staff = True
    target.save()

    _signed_in(client, officer)
    assert client.get(TRAIL, {"obj": f"auth.User:{target.pk}"}).status_code == 403
    everything = _text(client.get(TRAIL))
    assert f"User {target.pk}" not in everything

    _signed_in(client, UserFactory(is_staff=True, is_superuser=True))
    page = _text(client.get(TRAIL, {"obj": f"auth.User:{target.pk}"}))
    assert "is_staff : False → True" in page


def test_a_pledges_admin_page_links_to_its_history(client, pledge):
    _signed_in(client, _staff_in(OFFICERS))

    page = client.get(f"{PLEDGES}{pledge.pk}/change/").content.decode()

    assert f"{TRAIL}?method=tracks&amp;obj=pledges.Pledge:{pledge.pk}" in page
