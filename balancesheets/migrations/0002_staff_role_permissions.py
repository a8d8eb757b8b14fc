"""Once granted the staff roles their permissions here; kept, empty, so that databases which
applied it stay consistent. The roles are now declared once in charter_portal/roles.py and applied
on every migrate (see charter_portal/apps.py)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("balancesheets", "0001_initial"), ("neighbourhoods", "0002_staff_roles")]

    operations = []
