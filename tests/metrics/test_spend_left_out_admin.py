"""The officer's choice, on the upload form, to leave out trivial lines with no supplier, and
the batch's page listing the lines left out."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum

from metrics.spend.models import ImportBatch, SpendTransaction
from tests.factories import UserFactory
from tests.signin import sign_in_verified

UPLOAD = "/admin/metrics/importbatch/upload/"
# Two payments and two "Difference A/c" lines of a penny with no supplier.
QUARTER = (
    "Date,Supplier Name,Amount,Expense Type\n"
    '01/04/2024,Acme Ltd,"£1,234.56",Repairs\n'
    "02/04/2024,,0.01,Difference A/c\n"
    "03/04/2024,,-0.01,Difference A/c\n"
    "04/04/2024,Bravo plc,100.00,Catering\n"
)
PAYMENTS_TOTAL = Decimal("1234.56") + Decimal("100.00")


@pytest.fixture
def officer(council, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="metrics",
            codename__in=["view_importbatch", "add_importbatch"],
        )
    )
    sign_in_verified(client, user)
    return user


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _upload(client, **data):
    upload = SimpleUploadedFile("q1.csv", QUARTER.encode(), content_type="text/csv")
    return client.post(UPLOAD, {"file": upload, **data})


def test_the_upload_form_offers_to_leave_out_trivial_lines(officer, client):
    page = _text(client.get(UPLOAD))

    assert 'type="checkbox" name="leave_out_trivial"' in page
    assert "their amount is under £1.00" in page


def test_an_upload_choosing_to_leave_out_trivial_lines_lists_them_on_the_batch_page(
    officer, client, run_worker
):
    response = _upload(client, leave_out_trivial="on")
    run_worker()

    batch = ImportBatch.objects.get()
    assert (batch.status, batch.rows, batch.added, batch.left_out) == ("review", 4, 2, 2)
    assert batch.leave_out_trivial is True
    assert SpendTransaction.objects.aggregate(total=Sum("amount"))["total"] == PAYMENTS_TOTAL
    page = _text(client.get(response["Location"]))
    assert "Lines left out (in no figure)" in page
    assert "2 lines left out." in page
    assert "<td>3</td><td>£0.01</td><td>02/04/2024 | 0.01 | Difference A/c</td>" in page
    assert "<td>4</td><td>\u2212£0.01</td>" in page


def test_an_upload_without_the_choice_is_rejected_saying_the_choice_exists(
    officer, client, run_worker
):
    response = _upload(client)
    run_worker()

    batch = ImportBatch.objects.get()
    assert (batch.status, batch.leave_out_trivial) == ("rejected", False)
    assert SpendTransaction.objects.count() == 0
    page = _text(client.get(response["Location"]))
    assert "or choose to leave out trivial lines (no supplier, under £1.00) for this import" in (
        page
    )
    assert "Lines left out" not in page
