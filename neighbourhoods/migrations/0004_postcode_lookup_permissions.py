from django.db import migrations

from neighbourhoods.roles import CWB_GROUP, OFFICERS, grant_permissions_operation

# Officers correct a postcode's ward; loading the ONS directory is the import command's job.
GRANTS = {
    OFFICERS: ["view_postcodelookup", "change_postcodelookup"],
    CWB_GROUP: ["view_postcodelookup"],
}


class Migration(migrations.Migration):
    dependencies = [("neighbourhoods", "0003_postcodelookup")]

    operations = [grant_permissions_operation("neighbourhoods", GRANTS)]
