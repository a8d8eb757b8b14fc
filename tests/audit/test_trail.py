"""The audit trail: every write to a tracked table is recorded by the database, with who, when,
before, after and why."""

import json

import pghistory
import pytest
from django.contrib.auth.models import Group
from django.db import ProgrammingError, connection, transaction

from audit.models import UserGroupEvent
from audit.trail import trail_changes, trail_events, trail_reason
from pledges.models import Pledge, PledgeEvent
from pledges.tokens import new_secret, secret_hash
from tests.factories import PledgeFactory, UserFactory

pytestmark = pytest.mark.django_db


def _changes(obj):
    return [
        (event.pgh_label, {c.field: (c.before, c.after) for c in trail_changes(event)})
        for event in trail_events(obj)
    ]


def test_a_raw_sql_update_is_recorded_with_before_and_after():
    pledge = PledgeFactory(target="Ten hours")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE pledges_pledge SET target = 'Twenty hours' WHERE id = %s", [pledge.pk]
        )

    label, changes = _changes(pledge)[-1]
    assert label == "update"
    assert changes == {"target": ("Ten hours", "Twenty hours")}


def test_a_bulk_update_records_every_row():
    pledges = PledgeFactory.create_batch(3, target="Ten hours")
    Pledge.objects.filter(pk__in=[p.pk for p in pledges]).update(target="Thirty")

    updates = PledgeEvent.objects.filter(pgh_label="update", target="Thirty")
    assert sorted(updates.values_list("pgh_obj_id", flat=True)) == sorted(p.pk for p in pledges)


def test_a_delete_is_recorded_with_what_was_deleted():
    pledge = PledgeFactory(target="Ten hours")
    pk = pledge.pk
    pledge.delete()

    event = PledgeEvent.objects.get(pgh_obj_id=pk, pgh_label="delete")
    assert event.target == "Ten hours"


def test_the_reason_and_user_are_recorded_from_the_context():
    officer = UserFactory()
    pledge = PledgeFactory()
    with pghistory.context(user=officer.pk), trail_reason("Asked by the pledger"):
        Pledge.objects.filter(pk=pledge.pk).update(target="New")

    event = trail_events(pledge).last()
    assert event.pgh_context["reason"] == "Asked by the pledger"
    assert event.user_id == officer.pk


def test_adding_a_user_to_a_group_and_making_them_staff_is_recorded():
    user = UserFactory(is_staff=False)
    group = Group.objects.create(name="Testers")
    user.groups.add(group)
    user.is_staff = True
    user.save()

    _, changes = _changes(user)[-1]
    assert changes["is_staff"] == (False, True)
    assert UserGroupEvent.objects.filter(user_id=user.pk, group_id=group.pk, pgh_label="insert")


def test_the_database_refuses_to_change_or_delete_the_trail():
    pledge = PledgeFactory()
    with (
        pytest.raises(ProgrammingError, match="Cannot update or delete"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE pledges_pledgeevent SET email = '' WHERE pgh_obj_id = %s", [pledge.pk]
        )
    with (
        pytest.raises(ProgrammingError, match="Cannot update or delete"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM pledges_pledgeevent WHERE pgh_obj_id = %s", [pledge.pk])


def test_the_trail_keeps_a_links_route_never_its_token(client):
    token = new_secret()
    pledge = PledgeFactory(manage_token_hash=secret_hash(token))

    client.post(f"/pledge/manage/{token}/withdraw/")

    event = trail_events(pledge).last()
    assert event.pgh_data["status"] == "withdrawn"
    assert event.pgh_context["url"] == "/pledge/manage/<str:token>/withdraw/"
    assert token not in json.dumps(list(PledgeEvent.objects.values_list("pgh_context__metadata")))
