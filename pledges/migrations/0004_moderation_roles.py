"""Moderation in admin: officers moderate pledges and updates and curate the rejection reasons and
campaigns; the CWB Group reads them. Nobody may delete a pledge: it is withdrawn or erased."""

from django.db import migrations

from neighbourhoods.roles import CWB_GROUP, OFFICERS, grant_permissions_operation

GRANTS = {
    OFFICERS: [
        "view_pledge",
        "change_pledge",
        "view_pledgeupdate",
        "change_pledgeupdate",
        "view_moderationevent",
        "add_rejectionreason",
        "change_rejectionreason",
        "view_rejectionreason",
        "add_campaign",
        "change_campaign",
        "view_campaign",
        "view_outboundemail",
    ],
    CWB_GROUP: [
        "view_pledge",
        "view_pledgeupdate",
        "view_moderationevent",
        "view_campaign",
    ],
}


class Migration(migrations.Migration):
    dependencies = [
        ("pledges", "0003_pledge_journey"),
        ("neighbourhoods", "0002_staff_roles"),
    ]

    operations = [grant_permissions_operation("pledges", GRANTS)]
