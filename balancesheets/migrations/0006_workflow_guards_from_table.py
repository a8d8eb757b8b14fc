"""The guards of 0004 again, with their states taken from the workflow table (no SQL literals).

The SQL is written by `balancesheets.triggers.guards_sql()` from `balancesheets.workflows`, so
the trigger functions and the services cannot disagree. When the table's states change, add a
migration that runs `guards_sql()` again, as this one does.
"""

from django.db import migrations

from balancesheets.triggers import guards_sql


class Migration(migrations.Migration):
    dependencies = [("balancesheets", "0005_balance_sheet_roles")]

    # Backwards there is nothing to undo: 0004's functions say the same with literals.
    operations = [migrations.RunSQL(guards_sql(), migrations.RunSQL.noop)]
