"""The roles map is applied after a full migrate, and waits while a migrate stops part way."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.db.migrations.state import ProjectState

from charter_portal.apps import staff_roles_after_migrate
from core.roles import OFFICERS

pytestmark = pytest.mark.django_db


def _last_app_with_models():
    return [config for config in apps.get_app_configs() if config.models_module][-1]


def test_a_full_migrate_gives_the_groups_their_permissions():
    Group.objects.filter(name=OFFICERS).delete()
    state = ProjectState.from_apps(apps).apps
    staff_roles_after_migrate(sender=_last_app_with_models(), apps=state)
    assert Group.objects.get(name=OFFICERS).permissions.exists()


def test_a_migrate_to_an_earlier_migration_leaves_the_groups_for_the_next_full_one():
    Group.objects.filter(name=OFFICERS).delete()
    # The state of a migrate that stopped before the outbox existed: its permission is missing.
    state = ProjectState.from_apps(apps)
    state.remove_model("outbox", "outboundemail")
    staff_roles_after_migrate(sender=_last_app_with_models(), apps=state.apps)
    assert not Group.objects.filter(name=OFFICERS).exists()
