"""SpendTransaction.line_hash becomes the first 128 bits of its sha256 as a UUID, and the
payment date loses the index that (payment_date, supplier) makes redundant (decision 0036)."""

from django.db import migrations, models

FORWARD = """
ALTER TABLE metrics_spendtransaction
    ALTER COLUMN line_hash TYPE uuid USING left(line_hash, 32)::uuid;
"""
BACKWARD = """
ALTER TABLE metrics_spendtransaction
    ALTER COLUMN line_hash TYPE varchar(64) USING replace(line_hash::text, '-', '');
"""


class Migration(migrations.Migration):
    dependencies = [("metrics", "0014_spend_column_mapping")]

    operations = [
        migrations.RunSQL(
            sql=[
                "DROP INDEX IF EXISTS metrics_spendtransaction_line_hash_7505db40_like",
                FORWARD,
            ],
            reverse_sql=[BACKWARD],
            state_operations=[
                migrations.AlterField(
                    model_name="spendtransaction",
                    name="line_hash",
                    field=models.UUIDField(unique=True),
                )
            ],
        ),
        migrations.AlterField(
            model_name="spendtransaction",
            name="payment_date",
            field=models.DateField(),
        ),
    ]
