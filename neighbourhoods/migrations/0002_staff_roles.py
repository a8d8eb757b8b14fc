from django.db import migrations

from neighbourhoods.roles import (
    COUNCILLORS,
    CWB_GROUP,
    OFFICERS,
    grant_model_permissions,
    revoke_model_permissions,
)

# Least privilege. Officers curate neighbourhood data; who holds which role (memberships, users)
# is managed by the system administrator. The CWB Group reads; councillors use the dashboards,
# not admin, so they get nothing here.
GRANTS = {
    OFFICERS: [
        "view_council",
        "change_council",
        "view_neighbourhood",
        "change_neighbourhood",
        "view_ward",
        "add_ward",
        "change_ward",
        "view_membership",
    ],
    CWB_GROUP: ["view_council", "view_neighbourhood", "view_ward", "view_membership"],
    COUNCILLORS: [],
}


def create_roles(apps, schema_editor):
    grant_model_permissions(apps, GRANTS, "neighbourhoods")


def remove_roles(apps, schema_editor):
    revoke_model_permissions(apps, GRANTS, "neighbourhoods")
    apps.get_model("auth", "Group").objects.filter(name__in=list(GRANTS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("neighbourhoods", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
