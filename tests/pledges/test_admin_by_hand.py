"""A pledge received on paper, by phone or by email, typed in by an officer (admin's "Add pledge"),
and the paper import's template: through `pledge_submit`, like the journey and the import."""

import csv
import io
import re
import uuid

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from core.roles import COUNCILLORS, CWB_GROUP, OFFICERS
from neighbourhoods.models import Neighbourhood
from outbox.models import OutboundEmail
from pledges.models import (
    Commitment,
    ModerationAction,
    Pledge,
    PledgerType,
    PledgeSource,
    PledgeStatus,
)
from pledges.resources import COLUMNS, PaperPledgeResource
from pledges.selectors import pledge_moderation_history
from pledges.services import PledgeAnswers, pledge_submit
from tests.factories import UserFactory
from tests.signin import sign_in_verified

ADD = "/admin/pledges/pledge/add/"
CHANGELIST = "/admin/pledges/pledge/"
IMPORT = "/admin/pledges/pledge/import/"
PROCESS = "/admin/pledges/pledge/process_import/"
TEMPLATE = "/admin/pledges/pledge/import/template.csv"
ALLOWED = "/admin/pledges/pledge/import/allowed-values.csv"
WORDS = "We will buy our bread flour from a Hertfordshire mill and offer two placements a year."


def _text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def _staff_in(group_name, **kwargs):
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def officer(council):
    return _staff_in(OFFICERS, is_staff=True)


@pytest.fixture
def officer_client(client, officer):
    sign_in_verified(client, officer)
    return client


def _form(**changes):
    commitments = Commitment.objects.filter(code__in=["buy-local", "work-placements"])
    data = {
        "source": PledgeSource.PHONE,
        "pledger_type": PledgerType.BUSINESS,
        "organisation_size": "micro",
        "display_name": "Old Town Bakery",
        "show_name": "yes",
        "contact_name": "Sam Baker",
        "email": "sam@oldtownbakery.example.org",
        "contact_consent": "no",
        "area": "old-town-symonds-green-and-woodfield",
        "postcode": "sg1 3ab",
        "commitments": [c.pk for c in commitments],
        "text": WORDS,
        "target": "2 work placements a year",
        "submission_key": f"by-hand:{uuid.uuid4().hex}",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_an_officer_sees_the_form_where_admin_adds_a_pledge(
    officer_client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        response = officer_client.get(ADD)
    assert response.status_code == 200
    page = _text(response)
    assert "How did the pledge reach you?" in page
    assert "Phone call, entered by an officer" in page
    assert 'href="/admin/pledges/pledge/add/"' in _text(officer_client.get(CHANGELIST))


def test_an_officer_enters_a_phoned_pledge_waiting_for_moderation(officer_client, officer):
    response = officer_client.post(ADD, _form())
    pledge = Pledge.objects.get()
    assert response.status_code == 302
    assert response.url == f"/admin/pledges/pledge/{pledge.pk}/change/"
    assert (pledge.source, pledge.status) == (PledgeSource.PHONE, PledgeStatus.CONFIRMED)
    assert (pledge.pledger_type, pledge.organisation_size) == ("business", "micro")
    assert (pledge.public_name, pledge.contact_name) == ("Old Town Bakery", "Sam Baker")
    assert (pledge.postcode, pledge.text) == ("SG1 3AB", WORDS)
    assert pledge.neighbourhood.slug == "old-town-symonds-green-and-woodfield"
    assert set(pledge.commitments.values_list("code", flat=True)) == {
        "buy-local",
        "work-placements",
    }
    # The consent given on the phone, as the officer recorded it.
    assert (pledge.show_name, pledge.contact_consent) == (True, False)
    assert [(step.action, step.by) for step in pledge_moderation_history(pledge)] == [
        (ModerationAction.SUBMITTED, officer),
        (ModerationAction.CONFIRMED, officer),
    ]
    assert not OutboundEmail.objects.exists()
    assert f"Pledge {pledge.reference} entered" in _text(officer_client.get(response.url))


def test_the_same_form_posted_twice_makes_one_pledge(officer_client):
    data = _form()
    officer_client.post(ADD, data)
    response = officer_client.post(ADD, data)
    assert response.status_code == 302
    assert Pledge.objects.count() == 1


def test_a_pledge_made_online_already_is_recognised_as_the_journey_would(officer_client):
    online = pledge_submit(
        answers=PledgeAnswers(
            pledger_type=PledgerType.RESIDENT,
            display_name="Sam Baker",
            show_name=True,
            email="Sam@OldTownBakery.example.org",
            text=f"  {WORDS.upper()} ",
            commitment_ids=list(Commitment.objects.values_list("pk", flat=True)[:1]),
        ),
        ip_address="192.0.2.1",
        submission_key=uuid.uuid4().hex,
    ).pledge
    emails = OutboundEmail.objects.count()
    response = officer_client.post(ADD, _form())
    assert response.status_code == 200
    assert f"This pledge is already held as pledge {online.reference}" in _text(response)
    assert Pledge.objects.count() == 1
    assert OutboundEmail.objects.count() == emails  # the pledger is not emailed again


def test_a_paper_pledge_without_an_email_is_never_taken_for_another(officer_client):
    officer_client.post(ADD, _form(email="", source=PledgeSource.PAPER))
    officer_client.post(ADD, _form(email="", display_name="Another Bakery"))
    assert Pledge.objects.count() == 2


def test_an_empty_form_says_what_to_enter_in_the_govuk_voice(officer_client):
    response = officer_client.post(ADD, {"submission_key": f"by-hand:{uuid.uuid4().hex}"})
    page = _text(response)
    assert response.status_code == 200
    assert "There is a problem" in page
    for message in (
        "Select how the pledge reached you",
        "Select who is pledging",
        "Enter the name of the person or organisation",
        "Select yes if they agreed to show the name",
        "Select yes if they agreed to be contacted",
        "Select where the pledge will make a difference",
        "Select at least one thing they will do",
        "Enter the pledge",
    ):
        assert message in page, message
    assert "This field is required" not in page
    assert not Pledge.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"organisation_size": None}, "Select how many people work for the business"),
        ({"pledger_type": "resident"}, "Leave the size empty: only businesses give one"),
        ({"contact_name": ""}, "Enter the name of the person to contact"),
        ({"email": "sam at bakery"}, "Enter an email address in the correct format"),
        ({"postcode": "not a postcode"}, "Enter a real postcode, like SG1 1HN"),
        ({"area": "postcode", "postcode": ""}, "Enter the postcode to find the neighbourhood"),
        ({"text": "x" * 1001}, "The pledge must be 1,000 characters or fewer"),
        ({"submission_key": "forged"}, "The form has expired"),
    ],
)
def test_a_bad_answer_is_explained_and_nothing_is_kept(officer_client, changes, message):
    response = officer_client.post(ADD, _form(**changes))
    assert message in _text(response)
    assert not Pledge.objects.exists()


def test_a_town_wide_pledge_has_no_neighbourhood(officer_client):
    officer_client.post(ADD, _form(area="town-wide"))
    assert Pledge.objects.get().neighbourhood is None


def test_the_cwb_group_cannot_enter_a_pledge(client, council):
    sign_in_verified(client, _staff_in(CWB_GROUP, is_staff=True))
    assert client.get(ADD).status_code == 403
    assert client.post(ADD, _form()).status_code == 403
    assert not Pledge.objects.exists()


def test_a_councillor_cannot_enter_a_pledge(client, council):
    sign_in_verified(client, _staff_in(COUNCILLORS))
    response = client.post(ADD, _form())
    # Councillors have no admin: sent to sign in as someone who has.
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
    assert not Pledge.objects.exists()


# The paper import's template.


def _rows(response):
    text = b"".join(response).decode("utf-8-sig") if response.streaming else None
    text = text or response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_templates_header_is_what_the_importer_reads(officer_client):
    response = officer_client.get(TEMPLATE)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, example = _rows(response)
    importer = [f.column_name for f in PaperPledgeResource().get_import_fields()]
    assert header == list(COLUMNS) == importer
    assert len(example) == len(header)


def test_the_templates_example_row_imports(officer_client):
    content = officer_client.get(TEMPLATE).content
    preview = officer_client.post(
        IMPORT,
        {
            "resource": "0",
            "format": "0",
            "import_file": SimpleUploadedFile("template.csv", content, content_type="text/csv"),
        },
    )
    confirm_form = preview.context["confirm_form"]
    assert confirm_form is not None, _text(preview)
    officer_client.post(PROCESS, confirm_form.initial)
    pledge = Pledge.objects.get()
    assert (pledge.source, pledge.status) == (PledgeSource.PAPER, PledgeStatus.CONFIRMED)
    assert pledge.neighbourhood == Neighbourhood.objects.order_by("order", "name").first()


def test_the_allowed_values_come_from_the_reference_data(officer_client):
    rows = _rows(officer_client.get(ALLOWED))
    assert rows[0] == ["column", "value", "meaning"]
    values = {(column, value) for column, value, _ in rows[1:]}
    for code in Commitment.objects.filter(is_active=True).values_list("code", flat=True):
        assert ("commitments", code) in values
    for slug in Neighbourhood.objects.values_list("slug", flat=True):
        assert ("neighbourhood", slug) in values
    for pledger_type in PledgerType.values:
        assert ("pledger_type", pledger_type) in values


def test_the_import_page_lists_the_allowed_values_and_links_the_template(
    officer_client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        page = _text(officer_client.get(IMPORT))
    assert f'href="{TEMPLATE}"' in page
    assert f'href="{ALLOWED}"' in page
    assert "<code>public_sector</code>: A public sector body or anchor institution" in page
    assert "<code>chells-and-manor</code>: Chells and Manor" in page
    assert "This importer will import the following fields" not in page


def test_the_cwb_group_cannot_download_the_template(client, council):
    sign_in_verified(client, _staff_in(CWB_GROUP, is_staff=True))
    assert client.get(TEMPLATE).status_code == 403
    assert client.get(ALLOWED).status_code == 403


def test_an_imported_row_already_pledged_online_imports_nothing(officer_client):
    pledge_submit(
        answers=PledgeAnswers(
            pledger_type=PledgerType.RESIDENT,
            display_name="Sam Baker",
            show_name=True,
            email="sam@example.com",
            text="Replace this example: the pledge in the pledger's own words.",
            commitment_ids=list(Commitment.objects.values_list("pk", flat=True)[:1]),
        ),
        ip_address="192.0.2.1",
        submission_key=uuid.uuid4().hex,
    )
    content = officer_client.get(TEMPLATE).content
    preview = officer_client.post(
        IMPORT,
        {
            "resource": "0",
            "format": "0",
            "import_file": SimpleUploadedFile("template.csv", content, content_type="text/csv"),
        },
    )
    assert preview.context.get("confirm_form") is None
    assert "This pledge is already held as pledge" in _text(preview)
    assert Pledge.objects.count() == 1
