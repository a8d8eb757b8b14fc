"""The log of who saw contact lists moves to the audit app's log of every view of personal
data (audit.PersonalDataView); each old row becomes one "viewed" or "exported" view of its
neighbourhood's contact list."""

from django.db import migrations


def contact_list_views_copy(apps, schema_editor):
    ContactListView = apps.get_model("pledges", "ContactListView")
    PersonalDataView = apps.get_model("audit", "PersonalDataView")
    ContentType = apps.get_model("contenttypes", "ContentType")
    rows = list(ContactListView.objects.select_related("neighbourhood").order_by("pk"))
    if not rows:
        return
    neighbourhood_type, _ = ContentType.objects.get_or_create(
        app_label="neighbourhoods", model="neighbourhood"
    )
    copies = PersonalDataView.objects.bulk_create(
        PersonalDataView(
            viewer_id=row.viewer_id,
            how="exported" if row.export else "viewed",
            what=f"Contact list: {row.neighbourhood.name}",
            object_type=neighbourhood_type,
            object_ids=[row.neighbourhood_id],
            people=row.contacts_shown,
        )
        for row in rows
    )
    # viewed_at is auto_now_add: the original times are written afterwards.
    for copy, row in zip(copies, rows, strict=True):
        copy.viewed_at = row.viewed_at
    PersonalDataView.objects.bulk_update(copies, ["viewed_at"], batch_size=500)


def contact_list_views_restore(apps, schema_editor):
    ContactListView = apps.get_model("pledges", "ContactListView")
    PersonalDataView = apps.get_model("audit", "PersonalDataView")
    views = PersonalDataView.objects.filter(
        object_type__app_label="neighbourhoods", what__startswith="Contact list: "
    )
    restored = ContactListView.objects.bulk_create(
        ContactListView(
            viewer_id=view.viewer_id,
            neighbourhood_id=view.object_ids[0],
            contacts_shown=view.people,
            export=view.how == "exported",
        )
        for view in views
    )
    for row, view in zip(restored, views, strict=True):
        row.viewed_at = view.viewed_at
    ContactListView.objects.bulk_update(restored, ["viewed_at"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_personal_data_records"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("pledges", "0008_outbox_moved_to_its_own_app"),
    ]

    operations = [
        migrations.RunPython(contact_list_views_copy, contact_list_views_restore),
        migrations.DeleteModel(name="ContactListView"),
    ]
