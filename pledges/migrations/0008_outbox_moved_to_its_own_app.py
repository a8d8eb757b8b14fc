"""The outbox moved to the `outbox` app: copy every email (keeping its id, so queued tasks still
find it), point queued tasks at the new task, then drop the old table."""

from django.db import migrations

COPY = """
INSERT INTO outbox_outboundemail
    (id, "to", subject, body, kind, about_type_id, about_id, status, attempts, last_error,
     created_at, sent_at)
SELECT id, "to", subject, body, kind,
       CASE WHEN pledge_id IS NULL THEN NULL ELSE %s END, pledge_id, status, attempts,
       last_error, created_at, sent_at
FROM pledges_outboundemail
"""
RESTART_IDS = """
SELECT setval(pg_get_serial_sequence('outbox_outboundemail', 'id'),
              COALESCE((SELECT MAX(id) FROM outbox_outboundemail), 0) + 1, false)
"""


def copy_emails(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    pledge_type, _ = ContentType.objects.get_or_create(app_label="pledges", model="pledge")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(COPY, [pledge_type.pk])
        cursor.execute(RESTART_IDS)
        cursor.execute(
            "UPDATE django_tasks_database_dbtaskresult SET task_path = %s WHERE task_path = %s",
            ["outbox.tasks.email_deliver", "pledges.tasks.email_deliver"],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("django_tasks_database", "__first__"),
        ("outbox", "0001_initial"),
        ("pledges", "0007_search_vector_kept_by_database"),
    ]

    operations = [
        migrations.RunPython(copy_emails, migrations.RunPython.noop),
        migrations.DeleteModel(name="OutboundEmail"),
    ]
