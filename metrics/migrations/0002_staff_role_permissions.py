from django.db import migrations

from neighbourhoods.roles import CWB_GROUP, OFFICERS, grant_permissions_operation

GRANTS = {
    OFFICERS: ["view_foundation", "change_foundation"],
    CWB_GROUP: ["view_foundation"],
}


class Migration(migrations.Migration):
    dependencies = [("metrics", "0001_initial"), ("neighbourhoods", "0002_staff_roles")]

    operations = [grant_permissions_operation("metrics", GRANTS)]
