"""Officers upload spending files in admin (imported in the background) and correct suppliers."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from metrics.spend.models import ImportBatch, Locality, SpendTransaction, Supplier
from tests.factories import UserFactory
from tests.metrics.factories_spend import SupplierFactory
from tests.signin import sign_in_verified

UPLOAD = "/admin/metrics/importbatch/upload/"
GOOD = 'Date,Supplier Name,Amount,Expense Area\n01/04/2024,Acme Ltd,"£1,234.56",Housing\n'


@pytest.fixture
def officer(council, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="metrics",
            codename__in=[
                "view_importbatch",
                "add_importbatch",
                "view_supplier",
                "change_supplier",
                "view_spendtransaction",
            ],
        )
    )
    sign_in_verified(client, user)
    return user


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _upload(client, content: str, name="spend.csv", **data):
    upload = SimpleUploadedFile(name, content.encode("utf-8"), content_type="text/csv")
    return client.post(UPLOAD, {"file": upload, **data})


def _stored_uploads(settings) -> list:
    directory = settings.MEDIA_ROOT / "spend-uploads"
    return sorted(directory.iterdir()) if directory.exists() else []


def test_an_upload_returns_at_once_with_the_batch_queued(officer, client, settings):
    from django_tasks_db.models import DBTaskResult

    response = _upload(client, GOOD)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/metrics/importbatch/{batch.pk}/change/"
    assert (batch.status, batch.imported_by, batch.file_name) == ("queued", officer, "spend.csv")
    assert SpendTransaction.objects.count() == 0  # the work is the task's, not the request's
    task = DBTaskResult.objects.get()
    # On the spend queue, whose own worker leaves the emails' worker free.
    assert (task.task_path, task.queue_name, task.status) == (
        "metrics.spend.tasks.spend_batch_import",
        "spend",
        "READY",
    )
    assert str(task.id) == batch.task_id
    [stored] = _stored_uploads(settings)
    assert stored.read_bytes() == GOOD.encode()
    assert stored.stat().st_mode & 0o077 == 0  # readable by the service's user only


def test_the_worker_imports_an_upload_and_deletes_the_stored_file(
    officer, client, settings, run_worker
):
    response = _upload(client, GOOD)
    run_worker()
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.rows, batch.added, batch.imported_by) == (
        "review", 1, 1, officer
    )  # fmt: skip
    assert len(batch.sha256) == 64
    assert SpendTransaction.objects.get().department == "Housing"
    assert _stored_uploads(settings) == []
    page = _text(client.get(response["Location"]))
    assert "1 row read: 1 added, 0 already held" in page
    assert 'http-equiv="refresh"' not in page  # finished: the page stops reloading


def test_an_upload_with_bad_rows_imports_nothing_and_lists_every_problem(
    officer, client, settings, run_worker
):
    content = GOOD + "31/02/2024,Acme Ltd,12\n02/04/2024,,abc\n"
    response = _upload(client, content)
    run_worker()
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.rows) == ("rejected", 3)
    assert SpendTransaction.objects.count() == 0
    assert _stored_uploads(settings) == []
    page = _text(client.get(response["Location"]))
    assert "Nothing was imported from this file: 3 problems found in 3 rows" in page
    assert (
        "<td>3</td><td>Date</td><td>31/02/2024</td><td>Not a real date: check the day and the "
        "month (day first, like 31/03/2025)</td>"
    ) in page


def test_columns_can_be_mapped_in_the_upload_form(officer, client, run_worker):
    content = "When,Who,How much\n01/04/2024,Acme Ltd,600\n"
    _upload(client, content, header_map="When=date\nWho=supplier\nHow much=amount", body_name="SBC")
    run_worker()
    assert SpendTransaction.objects.get().body_name == "SBC"


def test_the_upload_form_refuses_other_files_and_bad_maps(officer, client):
    assert "must be a CSV or an XLSX" in _text(_upload(client, GOOD, name="spend.pdf"))
    assert "is not a field" in _text(_upload(client, GOOD, header_map="When=colour"))
    assert "Choose a spending file" in _text(client.post(UPLOAD, {}))


def test_the_batch_page_lists_the_problems_of_a_rejected_import(officer, client):
    ImportBatch.objects.create(
        file_name="bad.csv",
        sha256="0" * 64,
        status="rejected",
        rows=2,
        error_report=[{"line": 2, "column": "Amount", "value": "x", "reason": "Not an amount"}],
    )
    batch = ImportBatch.objects.get()
    page = _text(client.get(f"/admin/metrics/importbatch/{batch.pk}/change/"))
    assert "<td>2</td><td>Amount</td><td>x</td><td>Not an amount</td>" in page


def test_officers_without_permission_cannot_upload(council, client):
    sign_in_verified(client, UserFactory(is_staff=True))
    assert client.get(UPLOAD).status_code == 403


def test_changing_a_suppliers_locality_in_admin_needs_a_reason(officer, client):
    supplier = SupplierFactory(name="Acme Ltd", postcode="", locality=Locality.UNKNOWN)
    url = f"/admin/metrics/supplier/{supplier.pk}/change/"
    form = {
        "name": "Acme Ltd",
        "supplier_ref": "",
        "postcode": "",
        "company_number": "",
        "charity_number": "",
        "is_sme": "unknown",
        "is_vcse": "unknown",
        "locality": "borough",
        "locality_override_reason": "",
    }
    response = client.post(url, form)
    assert response.status_code == 200
    assert "Enter why the supplier&#x27;s locality is being changed" in response.content.decode()
    supplier.refresh_from_db()
    assert supplier.locality == Locality.UNKNOWN

    form["locality_override_reason"] = "Trades from the town centre market"
    assert client.post(url, form).status_code == 302
    supplier.refresh_from_db()
    assert (supplier.locality, supplier.locality_source) == (Locality.BOROUGH, "officer")


def test_a_new_postcode_in_admin_places_the_supplier(officer, client):
    supplier = SupplierFactory(name="Acme Ltd")
    form = {
        "name": "Acme Ltd", "supplier_ref": "", "postcode": "sg2 9zz", "company_number": "",
        "charity_number": "", "is_sme": "true", "is_vcse": "unknown", "locality": "unknown",
        "locality_override_reason": "",
    }  # fmt: skip
    assert client.post(f"/admin/metrics/supplier/{supplier.pk}/change/", form).status_code == 302
    supplier.refresh_from_db()
    assert (supplier.postcode, supplier.locality, supplier.is_sme) == ("SG2 9ZZ", "borough", True)


def test_flags_are_imported_in_admin(officer, client):
    SupplierFactory(name="Acme Ltd")
    upload = SimpleUploadedFile("flags.csv", b"Supplier name,SME,VCSE\nAcme Ltd,yes,no\n")
    response = client.post("/admin/metrics/supplier/import-flags/", {"file": upload})
    assert response.status_code == 302
    assert Supplier.objects.get().is_sme is True
    upload = SimpleUploadedFile("flags.csv", b"Supplier name,SME\nNobody,yes\n")
    page = _text(client.post("/admin/metrics/supplier/import-flags/", {"file": upload}))
    assert "Nothing was changed" in page
    assert "No supplier with this ID or name" in page


def test_the_spend_admin_lists_render(officer, client):
    SupplierFactory(name="Acme Ltd")
    for path in (
        "/admin/metrics/importbatch/",
        "/admin/metrics/supplier/",
        "/admin/metrics/spendtransaction/",
        UPLOAD,
    ):
        assert client.get(path).status_code == 200, path
