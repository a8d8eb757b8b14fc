from django.db import migrations

from neighbourhoods.roles import OFFICERS, grant_permissions_operation

# Officers upload the council's spend files (an ImportBatch is one upload).
GRANTS = {OFFICERS: ["add_importbatch"]}


class Migration(migrations.Migration):
    dependencies = [("metrics", "0004_metric_roles")]

    operations = [grant_permissions_operation("metrics", GRANTS)]
