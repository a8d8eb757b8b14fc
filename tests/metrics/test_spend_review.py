"""Spend imports reviewed before they are public (issue 11): an upload makes a batch in review
with its preview; an officer publishes or discards it; a published batch is withdrawn with a
reason and the public figures follow; a file already held is refused and creates nothing.

The acceptance test goes through the officer's admin upload, the background worker and the
batch page's buttons, and checks /spend/ against figures worked out here from the payments."""

import csv
import io
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from core.formatting import percentage, pounds
from metrics.spend.models import ImportBatch, ImportBatchEvent, Locality, SpendTransaction
from metrics.spend.selectors import import_batch_preview, import_batches_in_review
from metrics.spend.services import (
    SpendFileHeld,
    import_batch_discard,
    import_batch_publish,
    import_batch_withdraw,
    spend_import,
)
from metrics.spend.sources import spend_share_borough
from tests.metrics.factories import ImportBatchFactory, officer_user, staff_user, validator_user
from tests.metrics.factories_spend import SpendTransactionFactory, SupplierFactory
from tests.signin import sign_in_verified

UPLOAD = "/admin/metrics/importbatch/upload/"
YEAR = "2024-25"
HEADER = "Date,Supplier Name,Amount,Expense Area\n"
# Paid to the borough supplier already held (matched by name) and to a new supplier, whose
# locality is not known (no postcode): the borough's share falls from 75% to 40%.
FILE = HEADER + (
    '01/05/2024,Local Builders Ltd,"£1,000.00",Housing\n'
    '02/05/2024,Faraway Holdings plc,"£5,000.00",Leisure\n'
)
OTHER_FILE = HEADER + '03/06/2024,Faraway Holdings plc,"£2,500.00",Leisure\n'


@pytest.fixture
def held(council):
    """Published spend before any upload: £3,000 in the borough, £1,000 elsewhere."""
    local = SupplierFactory(name="Local Builders Ltd", locality=Locality.BOROUGH)
    away = SupplierFactory(name="Distant Supplies Ltd", locality=Locality.ELSEWHERE)
    SpendTransactionFactory.create_batch(3, supplier=local)
    SpendTransactionFactory(supplier=away)


@pytest.fixture
def officer(council, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    user = officer_user()
    sign_in_verified(client, user)
    return user


def independent():
    """The public figures of 2024/25 worked out here from the published payments: total in
    scope, borough and county shares (the rules of metrics.spend.sources, written again)."""
    total = borough = county = Decimal(0)
    for payment in SpendTransaction.objects.select_related("supplier", "batch"):
        if payment.batch.status != "published" or payment.supplier.is_redacted:
            continue
        total += payment.amount
        if payment.supplier.locality == Locality.BOROUGH:
            borough += payment.amount
        if payment.supplier.locality in (Locality.BOROUGH, Locality.COUNTY):
            county += payment.amount

    def share(part):
        return (part * 100 / total).quantize(Decimal("0.0001"), ROUND_HALF_UP)

    return {"total": total, "borough": share(borough), "county": share(county)}


def public_figures(client) -> dict:
    """What /spend/ and its localities download say for 2024/25."""
    page = client.get("/spend/", {"year": YEAR}).content.decode()

    def figure(name):
        return re.search(rf'data-figure="{name}">([^<]+)<', page).group(1).strip()

    download = client.get(f"/spend/localities.csv?year={YEAR}").content.decode("utf-8-sig")
    rows = {row["locality"]: row for row in csv.DictReader(io.StringIO(download))}
    return {
        "total": figure("total"),
        "borough": figure("borough-share"),
        "county": figure("county-share"),
        "download_total": Decimal(rows["total"]["spend_gbp"]),
        "metric_borough_share": spend_share_borough(*_year()),
    }


def _year():
    from core.periods import FinancialYear

    return FinancialYear(2024).dates


def expected(figures: dict) -> dict:
    return {
        "total": pounds(figures["total"], pence=False),
        "borough": percentage(figures["borough"]),
        "county": percentage(figures["county"]),
        "download_total": figures["total"],
        "metric_borough_share": figures["borough"],
    }


def _upload(client, content: str, name="spend.csv"):
    upload = SimpleUploadedFile(name, content.encode("utf-8"), content_type="text/csv")
    return client.post(UPLOAD, {"file": upload})


def _step(client, batch, name, **data):
    """An officer's step from the batch's page: the button's confirmation page, then confirm."""
    url = f"/admin/metrics/importbatch/{batch.pk}/action/{name}/"
    assert client.get(url).status_code == 200
    return client.post(url, {"apply": "yes", **data})


def _page(client, batch) -> str:
    response = client.get(f"/admin/metrics/importbatch/{batch.pk}/change/")
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


# --- The acceptance test ------------------------------------------------------------------------


def test_an_upload_is_public_only_once_published_and_leaves_when_withdrawn(
    held, officer, client, run_worker
):
    before = public_figures(client)
    assert before == expected(independent())
    assert (before["total"], before["borough"]) == ("£4,000", "75.0%")

    _upload(client, FILE)
    run_worker()
    batch = ImportBatch.objects.get(file_name="spend.csv")
    assert (batch.status, batch.rows, batch.added) == ("review", 2, 2)
    # In review: its payments are held, and nothing public has changed.
    assert public_figures(client) == before
    page = _page(client, batch)
    assert 'id="workflow-action-publish"' in page
    assert 'id="workflow-action-discard"' in page

    response = _step(client, batch, "publish")
    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.reviewed_by) == ("published", officer)
    published = public_figures(client)
    assert published == expected(independent())
    assert (published["total"], published["borough"]) == ("£10,000", "40.0%")

    response = _step(client, batch, "withdraw", reason="The wrong quarter's file")
    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.withdrawal_reason) == ("withdrawn", "The wrong quarter's file")
    assert public_figures(client) == before
    assert not SpendTransaction.objects.filter(batch=batch).exists()


# --- The preview ------------------------------------------------------------------------------


def test_the_preview_shows_rows_total_and_the_shares_before_and_after(held, officer, client):
    batch = spend_import(path=_file(FILE), file_name="spend.csv").batch
    before = independent()
    preview = import_batch_preview(batch)
    assert (preview.before.total, preview.before.borough_share) == (before["total"], 75)
    assert (preview.after.total, preview.after.borough_share) == (Decimal("10000.00"), 40)
    assert batch.total_value == Decimal("6000.00")
    page = _page(client, batch)
    assert "2 rows read: 2 added, 0 already held" in page
    assert "£6,000.00" in page
    assert "6000.00" not in page  # no raw decimals, the total in the house style
    assert "<td>75.0%</td><td>40.0%</td>" in page  # the borough's share, without and with it
    assert "<td>£4,000</td><td>£10,000</td>" in page


def test_the_batch_page_runs_a_bounded_number_of_queries(
    held, officer, client, django_assert_max_num_queries
):
    batch = spend_import(path=_file(FILE), file_name="spend.csv").batch
    for _ in range(50):  # many payments, same queries
        SpendTransactionFactory(batch=batch)
    with django_assert_max_num_queries(25):
        _page(client, batch)


# --- Discard, duplicates, re-import -----------------------------------------------------------


def test_discarding_deletes_the_payments_and_the_figures_never_change(
    held, officer, client, run_worker
):
    before = public_figures(client)
    _upload(client, FILE)
    run_worker()
    batch = ImportBatch.objects.get(file_name="spend.csv")
    assert _step(client, batch, "discard").status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.reviewed_by, batch.added) == ("discarded", officer, 2)
    assert not SpendTransaction.objects.filter(batch=batch).exists()
    assert public_figures(client) == before
    # Discarded, the same file may be uploaded again.
    _upload(client, FILE)
    run_worker()
    again = ImportBatch.objects.get(pk__gt=batch.pk)
    assert (again.status, again.added) == ("review", 2)


def test_a_file_already_held_is_refused_at_upload_naming_its_batch_and_creating_nothing(
    held, officer, client, run_worker, settings
):
    _upload(client, FILE)
    run_worker()
    holder = ImportBatch.objects.get(file_name="spend.csv")
    batches, tasks = ImportBatch.objects.count(), DBTaskResult.objects.count()

    response = _upload(client, FILE, name="the-same-file-renamed.csv")
    assert response.status_code == 200
    page = re.sub(r"\s+", " ", response.content.decode())
    assert f"This file is already held by import batch {holder.pk} (“spend.csv”" in page
    assert f'href="/admin/metrics/importbatch/{holder.pk}/change/"' in page
    assert ImportBatch.objects.count() == batches
    assert DBTaskResult.objects.count() == tasks
    assert list((settings.MEDIA_ROOT / "spend-uploads").iterdir()) == []


def test_the_same_file_as_a_published_batch_is_refused_too(held, officer, client):
    holder = spend_import(path=_file(FILE), file_name="spend.csv").batch
    import_batch_publish(batch=holder, actor=officer)
    response = _upload(client, FILE)
    assert f"already held by import batch {holder.pk}" in response.content.decode()
    assert not ImportBatch.objects.filter(pk__gt=holder.pk).exists()


def test_a_withdrawn_file_can_be_imported_again(held, officer, client, run_worker):
    _upload(client, FILE)
    run_worker()
    first = ImportBatch.objects.get(file_name="spend.csv")
    import_batch_publish(batch=first, actor=officer)
    import_batch_withdraw(batch=first, actor=officer, reason="Replaced by the council")

    _upload(client, FILE)
    run_worker()
    again = ImportBatch.objects.exclude(pk=first.pk).get(file_name="spend.csv")
    assert (again.status, again.rows, again.added) == ("review", 2, 2)
    assert SpendTransaction.objects.filter(batch=again).count() == 2


def test_payments_held_in_a_batch_in_review_are_recognised_in_another_file(held, council):
    in_review = spend_import(path=_file(FILE), file_name="q1.csv").batch
    both = spend_import(path=_file(FILE + OTHER_FILE.removeprefix(HEADER)), file_name="all.csv")
    assert (in_review.status, both.rows, both.added, both.already_held) == ("review", 3, 1, 2)


def test_a_discarded_batchs_payments_no_longer_block_another_file(held, council):
    discarded = spend_import(path=_file(FILE), file_name="q1.csv").batch
    import_batch_discard(batch=discarded, actor=None)
    result = spend_import(path=_file(FILE + OTHER_FILE.removeprefix(HEADER)), file_name="all.csv")
    assert (result.rows, result.added) == (3, 3)


# --- Who may, and a page left open too long ---------------------------------------------------


@pytest.mark.parametrize("role", ["CWB Group", "Councillors"])
def test_other_roles_see_no_buttons_and_are_refused(held, client, council, role):
    batch = spend_import(path=_file(FILE), file_name="spend.csv").batch
    user = staff_user(role)
    sign_in_verified(client, user)
    page = client.get(f"/admin/metrics/importbatch/{batch.pk}/change/")
    assert 'id="workflow-action-publish"' not in page.content.decode()
    for step in ("publish", "discard"):
        url = f"/admin/metrics/importbatch/{batch.pk}/action/{step}/"
        assert client.post(url, {"apply": "yes"}).status_code == 403
    batch.refresh_from_db()
    assert batch.status == "review"


def test_the_cwb_group_reads_the_batch_and_its_preview_but_cannot_act(held, client, council):
    batch = spend_import(path=_file(FILE), file_name="spend.csv").batch
    sign_in_verified(client, validator_user())
    page = _page(client, batch)
    assert "What publishing this batch changes" in page
    assert "Nothing for you to do with it now." in page


def test_a_step_on_a_page_left_open_after_another_officer_acted_says_so(
    held, officer, client, council
):
    batch = spend_import(path=_file(FILE), file_name="spend.csv").batch
    url = f"/admin/metrics/importbatch/{batch.pk}/action/discard/"
    assert client.get(url).status_code == 200
    import_batch_publish(batch=batch, actor=officer_user())  # meanwhile, someone else

    response = client.post(url, {"apply": "yes"}, follow=True)
    assert response.status_code == 200
    assert "only a batch in review can be discarded" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == "published"
    assert SpendTransaction.objects.filter(batch=batch).count() == 2


def test_withdrawing_without_a_reason_is_refused_with_the_error_summary(
    held, officer, client, council
):
    batch = spend_import(path=_file(FILE), file_name="spend.csv").batch
    import_batch_publish(batch=batch, actor=officer)
    response = _step(client, batch, "withdraw", reason="  ")
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter why the batch is being withdrawn" in page
    batch.refresh_from_db()
    assert batch.status == "published"


def test_a_missing_batch_answers_404_not_500(officer, client):
    assert client.get("/admin/metrics/importbatch/999999/action/publish/").status_code == 404


# --- The trail, the command, the staff home's count -------------------------------------------


def test_each_step_is_in_the_trail_with_who_and_why(held, officer, client, council):
    batch = spend_import(path=_file(FILE), file_name="spend.csv").batch
    _step(client, batch, "publish")
    _step(client, batch, "withdraw", reason="Replaced by a corrected file")
    events = ImportBatchEvent.objects.filter(pgh_obj_id=batch.pk, pgh_context__isnull=False)
    events = events.order_by("pgh_id")
    contexts = [(e.status, e.pgh_context.metadata) for e in events]
    steps = [(status, meta.get("action"), meta.get("reason")) for status, meta in contexts]
    assert steps[-2:] == [
        ("published", "published", None),
        ("withdrawn", "withdrawn", "Replaced by a corrected file"),
    ]
    assert events.last().pgh_context.metadata["user"] == officer.pk


def test_the_command_leaves_its_batch_in_review_unless_told_to_publish(council, tmp_path):
    out = io.StringIO()
    call_command("import_spend", str(csv_file_text(tmp_path / "a.csv", FILE)), stdout=out)
    assert "is in review" in out.getvalue()
    assert ImportBatch.objects.get().status == "review"
    call_command(
        "import_spend", str(csv_file_text(tmp_path / "b.csv", OTHER_FILE)), "--publish", stdout=out
    )
    assert ImportBatch.objects.get(file_name="b.csv").status == "published"


def test_the_command_skips_a_file_already_held_and_creates_nothing(council, tmp_path):
    path = csv_file_text(tmp_path / "a.csv", FILE)
    call_command("import_spend", str(path), stdout=io.StringIO())
    err = io.StringIO()
    call_command("import_spend", str(path), "--publish", stdout=io.StringIO(), stderr=err)
    assert "already held by import batch" in err.getvalue()
    assert ImportBatch.objects.get().status == "review"


def test_the_staff_homes_count_of_batches_in_review(held, council):
    first = spend_import(path=_file(FILE), file_name="a.csv").batch
    second = spend_import(path=_file(OTHER_FILE), file_name="b.csv").batch
    import_batch_publish(batch=second, actor=None)
    assert list(import_batches_in_review()) == [first]


def test_the_service_refuses_the_same_file_even_when_asked_twice(held, council):
    path = _file(FILE)
    spend_import(path=path, file_name="a.csv")
    with pytest.raises(SpendFileHeld):
        spend_import(path=path, file_name="b.csv", dry_run=True)


# --- helpers --------------------------------------------------------------------------------------

_counter = iter(range(10**6))
_files: dict = {}


@pytest.fixture(autouse=True)
def _files_dir(tmp_path):
    _files["dir"] = tmp_path


def _file(text: str):
    return csv_file_text(_files["dir"] / f"spend-{next(_counter)}.csv", text)


def csv_file_text(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def test_two_uploads_of_one_file_at_once_leave_one_batch_holding_it(
    held, officer, client, monkeypatch, settings
):
    # The second upload's check ran before the first committed: the constraint settles it.
    holder = spend_import(path=_file(FILE), file_name="spend.csv").batch
    monkeypatch.setattr("metrics.spend.uploads.import_batch_holding", _not_yet_then(holder))
    response = _upload(client, FILE)
    assert f"already held by import batch {holder.pk}" in response.content.decode()
    assert not ImportBatch.objects.filter(pk__gt=holder.pk).exists()
    assert list((settings.MEDIA_ROOT / "spend-uploads").iterdir()) == []


def _not_yet_then(holder):
    calls = iter([None])
    return lambda sha256: next(calls, holder)


def test_a_too_long_withdrawal_reason_is_refused_in_the_gov_uk_voice(held, officer, client):
    batch = spend_import(path=_file(FILE), file_name="spend.csv").batch
    import_batch_publish(batch=batch, actor=officer)
    page = _step(client, batch, "withdraw", reason="x" * 2001).content.decode()
    assert "Ensure this value" not in page
    assert "Why the batch is being withdrawn must be 2,000 characters or fewer" in page
    batch.refresh_from_db()
    assert batch.status == "published"


def test_payments_can_be_listed_by_their_batchs_state(held, officer, client):
    batch = spend_import(path=_file(FILE), file_name="spend.csv").batch
    response = client.get("/admin/metrics/spendtransaction/", {"batch__status": "review"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == batch.added == 2


def test_opening_a_step_the_batch_has_moved_past_says_so_and_changes_nothing(held, officer, client):
    batch = spend_import(path=_file(FILE), file_name="spend.csv").batch
    import_batch_discard(batch=batch, actor=officer)
    for step in ("publish", "withdraw"):
        url = f"/admin/metrics/importbatch/{batch.pk}/action/{step}/"
        response = client.get(url, follow=True)
        assert response.status_code == 200
        assert "This batch is discarded" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == "discarded"


def test_the_dashboards_spend_counts_only_published_batches(council):
    from metrics.spend.dashboard import spend_with_neighbourhood_suppliers

    neighbourhood = council.neighbourhoods.first()
    here = SupplierFactory(name="Here Ltd", locality=Locality.BOROUGH, neighbourhood=neighbourhood)
    SpendTransactionFactory(supplier=here, amount=Decimal("700.00"))
    waiting = ImportBatchFactory(status="review")
    SpendTransactionFactory(supplier=here, amount=Decimal("9000.00"), batch=waiting)
    spend = spend_with_neighbourhood_suppliers(neighbourhood=neighbourhood)
    assert (spend.total, spend.transactions) == (Decimal("700.00"), 1)


def test_the_impact_reports_spend_counts_only_published_batches(council, client):
    local = SupplierFactory(name="Local Builders Ltd", locality=Locality.BOROUGH)
    SpendTransactionFactory(supplier=local, amount=Decimal("700.00"))
    SpendTransactionFactory(
        supplier=local, amount=Decimal("9000.00"), batch=ImportBatchFactory(status="review")
    )
    report = client.get(f"/impact/{YEAR}.json").json()
    assert Decimal(report["spend"]["total"]) == Decimal("700.00")
