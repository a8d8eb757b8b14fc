"""Balance sheets: officers curate the indicator library, enter and submit sheets, publish and
restate them; the CWB Group reads everything and validates or returns submitted sheets (the
services also check membership of the group). Nobody but a superuser deletes a sheet."""

from django.db import migrations

from neighbourhoods.roles import CWB_GROUP, OFFICERS, grant_permissions_operation

GRANTS = {
    OFFICERS: [
        "view_indicator",
        "add_indicator",
        "change_indicator",
        "view_proxyvalue",
        "add_proxyvalue",
        "change_proxyvalue",
        "view_balancesheet",
        "add_balancesheet",
        "change_balancesheet",
        "submit_balancesheet",
        "publish_balancesheet",
        "view_balancesheetline",
        "add_balancesheetline",
        "change_balancesheetline",
        "delete_balancesheetline",
        "view_balancesheetevent",
    ],
    CWB_GROUP: [
        "view_indicator",
        "view_proxyvalue",
        "view_balancesheet",
        "validate_balancesheet",
        "view_balancesheetline",
        "view_balancesheetevent",
    ],
}


class Migration(migrations.Migration):
    dependencies = [
        ("balancesheets", "0004_published_sheet_guards"),
        ("neighbourhoods", "0002_staff_roles"),
    ]

    operations = [grant_permissions_operation("balancesheets", GRANTS)]
