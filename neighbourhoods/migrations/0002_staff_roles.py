"""Once granted the staff roles their permissions here; kept, empty, so that databases which
applied it stay consistent. The roles are now declared once in charter_portal/roles.py and applied
on every migrate (see charter_portal/apps.py)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("neighbourhoods", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = []
