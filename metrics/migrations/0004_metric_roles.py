"""The staff roles' permissions on the CWB framework, the spend evidence and LM3 studies.

Officers enter metric values and LM3 studies, and correct suppliers' locality; the CWB Group
reads everything and changes metric values only to validate or return them (the services refuse
anyone outside the group, whatever their Django permissions).
"""

from django.db import migrations

from neighbourhoods.roles import CWB_GROUP, OFFICERS, grant_permissions_operation

GRANTS = {
    OFFICERS: [
        "add_metricvalue",
        "change_metricvalue",
        "view_metricvalue",
        "view_metric",
        "view_metricvaluechange",
        "add_lm3study",
        "change_lm3study",
        "view_lm3study",
        "view_importbatch",
        "view_spendtransaction",
        "view_supplier",
        "change_supplier",
    ],
    CWB_GROUP: [
        "view_metricvalue",
        "change_metricvalue",
        "view_metric",
        "view_metricvaluechange",
        "view_lm3study",
        "view_importbatch",
        "view_spendtransaction",
        "view_supplier",
    ],
}


class Migration(migrations.Migration):
    dependencies = [("metrics", "0003_cwb_framework_spend_lm3")]

    operations = [grant_permissions_operation("metrics", GRANTS)]
