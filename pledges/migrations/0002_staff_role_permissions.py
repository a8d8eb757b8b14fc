from django.db import migrations

from neighbourhoods.roles import CWB_GROUP, OFFICERS, grant_permissions_operation

GRANTS = {
    OFFICERS: ["view_commitment", "add_commitment", "change_commitment"],
    CWB_GROUP: ["view_commitment"],
}


class Migration(migrations.Migration):
    dependencies = [("pledges", "0001_initial"), ("neighbourhoods", "0002_staff_roles")]

    operations = [grant_permissions_operation("pledges", GRANTS)]
