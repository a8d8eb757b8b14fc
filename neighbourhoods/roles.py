"""The staff roles, as Django groups, and the helper migrations use to give them permissions.

Each app grants the roles least-privilege permissions on its own models in a data migration, so
the dependency points down: apps above neighbourhoods import this, never the reverse.
"""

OFFICERS = "Officers"
COUNCILLORS = "Councillors"
CWB_GROUP = "CWB Group"
ROLES = (OFFICERS, COUNCILLORS, CWB_GROUP)


def grant_model_permissions(apps, grants: dict[str, list[str]], app_label: str) -> None:
    """Give each named group the listed codenames of `app_label`'s models (for RunPython)."""
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; make this app's exist now.
    app_config = apps.get_app_config(app_label)
    if getattr(app_config, "models_module", None) is None:
        app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in grants.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        permissions = Permission.objects.filter(
            content_type__app_label=app_label, codename__in=codenames
        )
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise LookupError(f"Unknown permissions for {app_label}: {sorted(missing)}")
        group.permissions.add(*permissions)


def revoke_model_permissions(apps, grants: dict[str, list[str]], app_label: str) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in grants.items():
        group = Group.objects.filter(name=group_name).first()
        if group:
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )


def grant_permissions_operation(app_label: str, grants: dict[str, list[str]]):
    """A reversible migration operation that grants `grants` on `app_label`'s models."""
    from django.db import migrations

    def forwards(apps, schema_editor):
        grant_model_permissions(apps, grants, app_label)

    def backwards(apps, schema_editor):
        revoke_model_permissions(apps, grants, app_label)

    return migrations.RunPython(forwards, backwards)
