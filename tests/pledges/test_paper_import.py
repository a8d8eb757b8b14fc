"""Paper pledges, imported by an officer through admin: the same checks and service as online."""

import csv
import io
import re

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from core.roles import CWB_GROUP, OFFICERS
from outbox.models import OutboundEmail
from pledges.models import (
    ModerationAction,
    Pledge,
    PledgeSource,
    PledgeStatus,
)
from pledges.resources import COLUMNS, PaperPledgeResource, paper_submission_key
from pledges.selectors import pledge_moderation_history
from tests.factories import UserFactory
from tests.signin import sign_in_verified

IMPORT = "/admin/pledges/pledge/import/"
PROCESS = "/admin/pledges/pledge/process_import/"
HEADER = list(COLUMNS)
BAKERY = {
    "pledger_type": "business",
    "organisation_size": "micro",
    "display_name": "Old Town Bakery",
    "show_name": "yes",
    "contact_name": "Sam Baker",
    "email": "sam@oldtownbakery.example.org",
    "postcode": "sg1 3ab",
    "neighbourhood": "Old Town, Symonds Green and Woodfield",
    "commitments": "buy-local; Offering work placements for people who need extra support",
    "text": "We will buy our flour from a Hertfordshire mill and offer two placements a year.",
    "target": "2 work placements a year",
    "contact_consent": "yes",
}
RESIDENT = {
    "pledger_type": "resident",
    "organisation_size": "",
    "display_name": "",
    "show_name": "no",
    "contact_name": "",
    "email": "",
    "postcode": "",
    "neighbourhood": "chells-and-manor",
    "commitments": "shop-local-volunteer",
    "text": "I will volunteer at the community fridge every week.",
    "target": "",
    "contact_consent": "no",
}


def _csv(*rows, header=HEADER):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def _preview(client, content, name="paper-pledges.csv"):
    """The import's first step: upload, dry run, show the preview or the errors."""
    return client.post(
        IMPORT,
        {
            "resource": "0",
            "format": "0",
            "import_file": SimpleUploadedFile(name, content, content_type="text/csv"),
        },
    )


def _import(client, content):
    """Preview, then confirm, as the officer does."""
    preview = _preview(client, content)
    confirm_form = preview.context["confirm_form"]
    assert confirm_form is not None, _text(preview)
    return client.post(PROCESS, confirm_form.initial)


@pytest.fixture
def officer(council):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=OFFICERS))
    return user


@pytest.fixture
def officer_client(client, officer):
    sign_in_verified(client, officer)
    return client


def test_the_import_page_lists_the_columns(officer_client):
    page = _text(officer_client.get(IMPORT))
    for column in HEADER:
        assert column in page


def test_the_preview_keeps_no_pledge(officer_client):
    response = _preview(officer_client, _csv(BAKERY, RESIDENT))
    assert response.context["confirm_form"] is not None
    assert "Old Town Bakery" in _text(response)
    assert not Pledge.objects.exists()


def test_confirming_makes_paper_pledges_waiting_for_moderation(officer_client):
    response = _import(officer_client, _csv(BAKERY, RESIDENT))
    assert response.status_code == 302
    pledges = Pledge.objects.order_by("display_name")
    assert [(p.source, p.status) for p in pledges] == [
        (PledgeSource.PAPER, PledgeStatus.CONFIRMED),
        (PledgeSource.PAPER, PledgeStatus.CONFIRMED),
    ]


def test_a_paper_pledge_keeps_what_the_form_said(officer_client):
    _import(officer_client, _csv(BAKERY))
    pledge = Pledge.objects.get()
    assert (pledge.pledger_type, pledge.organisation_size) == ("business", "micro")
    assert (pledge.public_name, pledge.postcode) == ("Old Town Bakery", "SG1 3AB")
    assert pledge.neighbourhood.slug == "old-town-symonds-green-and-woodfield"
    assert set(pledge.commitments.values_list("code", flat=True)) == {
        "buy-local",
        "work-placements",
    }
    assert pledge.contact_consent is True


def test_a_paper_pledge_records_the_officer_and_sends_no_email(officer_client, officer):
    _import(officer_client, _csv(BAKERY))
    pledge = Pledge.objects.get()
    assert [(step.action, step.by) for step in pledge_moderation_history(pledge)] == [
        (ModerationAction.SUBMITTED, officer),
        (ModerationAction.CONFIRMED, officer),
    ]
    assert not OutboundEmail.objects.exists()


def test_the_officer_is_told_what_was_imported(officer_client):
    response = _import(officer_client, _csv(BAKERY, RESIDENT))
    assert "Imported 2 paper pledges" in _text(officer_client.get(response.url))


def test_importing_the_same_file_again_adds_nothing(officer_client):
    content = _csv(BAKERY, RESIDENT)
    _import(officer_client, content)
    response = _import(officer_client, content)
    assert Pledge.objects.count() == 2
    assert "2 rows were empty or imported before" in _text(officer_client.get(response.url))


@pytest.mark.parametrize(
    ("change", "column", "message"),
    [
        ({"neighbourhood": "Hitchin"}, "neighbourhood", "There is no neighbourhood called"),
        ({"commitments": "buy-local; world peace"}, "commitments", "Unknown commitment"),
        ({"commitments": ""}, "commitments", "Enter at least one commitment"),
        ({"text": "   "}, "text", "Enter the pledge"),
        ({"text": "x" * 1001}, "text", "must be 1000 characters or fewer"),
        ({"pledger_type": "alien"}, "pledger_type", "is not recognised"),
        ({"pledger_type": "resident"}, "organisation_size", "only businesses give one"),
        ({"show_name": "perhaps"}, "show_name", "Enter yes or no"),
        ({"postcode": "not a postcode"}, "postcode", "Enter a full UK postcode"),
        ({"email": "sam at bakery"}, "email", "Enter an email address in the correct format"),
        ({"email": "s" * 250 + "@example.com"}, "email", "must be 254 characters or fewer"),
    ],
)
def test_a_file_with_a_bad_row_imports_nothing_and_says_why(
    officer_client, change, column, message
):
    response = _preview(officer_client, _csv(RESIDENT, {**BAKERY, **change}))
    page = _text(response)
    assert response.context.get("confirm_form") is None
    assert message in page
    assert column in page
    assert "Enter a valid" not in page  # Django's voice, not GOV.UK's
    assert not Pledge.objects.exists()


def test_headers_can_be_written_as_people_write_them(officer_client):
    header = [column.replace("_", " ").capitalize() for column in HEADER]
    row = {h: BAKERY[c] for h, c in zip(header, HEADER, strict=True)}
    _import(officer_client, _csv(row, header=header))
    assert Pledge.objects.get().display_name == "Old Town Bakery"


def test_a_file_without_the_pledge_column_is_refused(officer_client):
    response = _preview(officer_client, _csv(BAKERY, header=HEADER[:-3]))
    assert "The file has no text column" in _text(response)
    assert response.context.get("confirm_form") is None


def test_the_cwb_group_cannot_import(client, council):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=CWB_GROUP))
    sign_in_verified(client, user)
    assert client.get(IMPORT).status_code == 403


def test_a_rows_key_ignores_column_order_and_surrounding_spaces():
    spaced = {column: f"  {value} " for column, value in reversed(BAKERY.items())}
    assert paper_submission_key(spaced) == paper_submission_key(BAKERY)
    assert len(paper_submission_key(BAKERY)) <= Pledge._meta.get_field("submission_key").max_length


def test_the_resource_declares_its_columns_explicitly():
    assert [f.column_name for f in PaperPledgeResource().get_import_fields()] == HEADER
