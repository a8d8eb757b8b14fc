"""Who is emailed as a balance sheet moves through validation: submitted → the CWB Group,
returned → the officer who submitted it, with the comments."""

import pytest

from balancesheets import services
from tests.balancesheets.conftest import fill
from tests.balancesheets.factories import officer, validator

pytestmark = pytest.mark.django_db


@pytest.fixture
def sheet(council, library):
    author = officer(username="officer-ann", first_name="Ann", email="ann@council.example")
    draft = services.balance_sheet_create(
        council=council,
        neighbourhood=council.neighbourhoods.order_by("order").first(),
        year=2024,
        actor=author,
    )
    fill(draft, library, author, {"regular-volunteers": 10})
    return draft, author


def test_a_submitted_sheet_is_emailed_to_the_cwb_group(sheet, deliver_emails):
    draft, author = sheet
    validator(username="val", email="val@cwb.example")
    validator(username="gone", email="gone@cwb.example", is_active=False)
    services.balance_sheet_submit(sheet=draft, actor=author)
    [email] = deliver_emails()
    assert email.to == ["val@cwb.example"]
    assert email.subject == f"A balance sheet is waiting for validation: {draft}"
    assert f"/balance-sheets/manage/{draft.pk}/" in email.body


def test_a_returned_sheet_is_emailed_to_its_submitter_with_the_comments(sheet, deliver_emails):
    draft, author = sheet
    checker = validator(username="val", first_name="Val", email="")
    services.balance_sheet_submit(sheet=draft, actor=author)
    services.balance_sheet_return(sheet=draft, actor=checker, comments="Add the evidence.")
    [email] = deliver_emails()
    assert email.to == ["ann@council.example"]
    assert email.subject == f"A balance sheet you submitted was returned: {draft}"
    assert "Add the evidence." in email.body
