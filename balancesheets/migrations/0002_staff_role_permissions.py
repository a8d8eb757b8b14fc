from django.db import migrations

from neighbourhoods.roles import CWB_GROUP, OFFICERS, grant_permissions_operation

GRANTS = {
    OFFICERS: ["view_capital", "change_capital"],
    CWB_GROUP: ["view_capital"],
}


class Migration(migrations.Migration):
    dependencies = [("balancesheets", "0001_initial"), ("neighbourhoods", "0002_staff_roles")]

    operations = [grant_permissions_operation("balancesheets", GRANTS)]
