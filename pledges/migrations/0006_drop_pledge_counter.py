"""The published count comes from a COUNT over published pledges (an index-only scan of
pledge_published_idx): the hand-kept sharded counter goes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("pledges", "0005_contact_list_views"),
    ]

    operations = [
        migrations.DeleteModel(name="PledgeCounterShard"),
    ]
