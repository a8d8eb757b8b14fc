"""The review's migration keeps what was public public: batches imported before it (public at
once) become published, and the empty batches that re-imported a file another batch holds
(issue 11's "empty Imported batch") become discarded, so that one batch holds each file."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("metrics", "0009_metric_value_unique_message")]
AFTER = [("metrics", "0010_import_batch_review")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def rewound():
    """The database as it was before the review; brought back to the latest schema afterwards,
    whatever the test's outcome, for the tests that follow."""
    yield
    executor = MigrationExecutor(connection)
    _migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_imported_batches_become_published_and_empty_duplicates_discarded(rewound):
    old = _migrate(BEFORE)
    batch_model = old.get_model("metrics", "ImportBatch")
    supplier = old.get_model("metrics", "Supplier").objects.create(
        name="Acme Ltd", normalised_name="ACME"
    )
    first = batch_model.objects.create(file_name="q1.csv", sha256="a" * 64, status="imported")
    old.get_model("metrics", "SpendTransaction").objects.create(
        batch=first,
        payment_date="2024-05-01",
        amount="1234.50",
        supplier=supplier,
        line_hash="b" * 64,
    )
    first.rows = first.added = 1
    first.save()
    again = batch_model.objects.create(
        file_name="q1 again.csv", sha256="a" * 64, status="imported", rows=1, added=0
    )
    refused = batch_model.objects.create(file_name="bad.csv", sha256="c" * 64, status="rejected")

    new = _migrate(AFTER)
    batches = new.get_model("metrics", "ImportBatch").objects
    assert batches.get(pk=first.pk).status == "published"
    assert str(batches.get(pk=first.pk).total_value) == "1234.50"
    assert batches.get(pk=first.pk).reviewed_at is not None
    assert batches.get(pk=again.pk).status == "discarded"
    assert batches.get(pk=refused.pk).status == "rejected"
