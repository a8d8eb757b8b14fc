"""Consent (show name, contact consent) changes only by the pledger, or by staff through a
page that needs a reason, records it and emails the pledger."""

import re

import pytest

from audit.models import ConsentChange
from outbox.models import OutboundEmail
from pledges.services import ConsentChangeRefused, pledge_consent_change
from tests.privacy.conftest import PRIVATE_EMAIL
from tests.signin import sign_in_verified

PLEDGES = "/admin/pledges/pledge/"


def _consent_url(pledge):
    return f"{PLEDGES}{pledge.pk}/consent/"


def _consent_emails():
    return OutboundEmail.objects.filter(kind="consent_changed")


def test_a_consent_change_without_a_reason_is_refused(client, private_pledge, officer_a):
    sign_in_verified(client, officer_a)
    response = client.post(_consent_url(private_pledge), {"show_name": "on", "reason": " "})
    page = re.sub(r"\s+", " ", response.content.decode())
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Give the reason for changing the pledger\u2019s consent" in page
    private_pledge.refresh_from_db()
    assert private_pledge.show_name is False
    assert not ConsentChange.objects.exists()
    assert not _consent_emails().exists()


def test_the_service_refuses_a_change_without_a_reason(private_pledge, officer_a):
    with pytest.raises(ConsentChangeRefused):
        pledge_consent_change(pledge=private_pledge, actor=officer_a, reason="", show_name=True)
    private_pledge.refresh_from_db()
    assert private_pledge.show_name is False


def test_a_reasoned_change_is_recorded_and_the_pledger_is_emailed(
    client, private_pledge, officer_a, deliver_emails
):
    sign_in_verified(client, officer_a)
    response = client.post(
        _consent_url(private_pledge),
        {"show_name": "on", "contact_consent": "on", "reason": "Asked by phone on 3 March"},
    )
    assert response.status_code == 302
    private_pledge.refresh_from_db()
    assert private_pledge.show_name is True
    change = ConsentChange.objects.get()
    assert (change.actor, change.object_id, change.changes, change.reason) == (
        officer_a,
        private_pledge.pk,
        {"show_name": [False, True]},
        "Asked by phone on 3 March",
    )
    [email] = [e for e in deliver_emails() if "changed what you agreed" in e.subject]
    assert email.to == [PRIVATE_EMAIL]
    assert "Asked by phone on 3 March" in email.body
    assert "Show your name with your pledge: no before, now yes" in email.body


def test_the_change_form_cannot_tick_show_name(client, private_pledge, officer_a):
    sign_in_verified(client, officer_a)
    data = {
        "display_name": private_pledge.display_name,
        "show_name": "on",
        "neighbourhood": private_pledge.neighbourhood_id,
        "commitments": [],
        "text": private_pledge.text,
        "target": "",
        **{
            f"{prefix}-{key}": value
            for prefix in ("events", "updates", "outbox-outboundemail-about_type-about_id")
            for key, value in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0))
        },
    }
    client.post(f"{PLEDGES}{private_pledge.pk}/change/", data)
    private_pledge.refresh_from_db()
    assert private_pledge.show_name is False


def test_only_the_neighbourhoods_officers_may_change_consent(client, private_pledge, officer_b):
    sign_in_verified(client, officer_b)
    assert client.get(_consent_url(private_pledge)).status_code == 403
    response = client.post(_consent_url(private_pledge), {"show_name": "on", "reason": "x"})
    assert response.status_code == 403
    private_pledge.refresh_from_db()
    assert private_pledge.show_name is False


def test_the_consent_page_runs_a_bounded_number_of_queries(
    client, private_pledge, officer_a, django_assert_max_num_queries
):
    sign_in_verified(client, officer_a)
    with django_assert_max_num_queries(20):
        assert client.get(_consent_url(private_pledge)).status_code == 200


def test_the_consent_page_of_an_unknown_pledge_is_a_404(client, officer_a):
    sign_in_verified(client, officer_a)
    assert client.get(f"{PLEDGES}999999/consent/").status_code == 404
    assert client.get(f"{PLEDGES}not-a-number/consent/").status_code == 404


# The pledger changes their own, through the manage link.


@pytest.fixture
def own_pledge(db):
    import uuid

    from pledges.services import PledgeAnswers, pledge_submit
    from tests.factories import CommitmentFactory

    return pledge_submit(
        answers=PledgeAnswers(
            pledger_type="resident",
            display_name="Olive Own",
            show_name=False,
            email="olive@private.example.org",
            text="We will walk to school.",
            commitment_ids=[CommitmentFactory().pk],
        ),
        ip_address="192.0.2.5",
        submission_key=uuid.uuid4().hex,
    )


def test_the_pledger_changes_their_consent_through_the_manage_link(client, own_pledge):
    url = f"/pledge/manage/{own_pledge.manage_token}/consent/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"show_name": "yes", "contact_consent": "no"})
    assert response.status_code == 302
    own_pledge.pledge.refresh_from_db()
    assert (own_pledge.pledge.show_name, own_pledge.pledge.contact_consent) == (True, False)
    assert not ConsentChange.objects.exists()  # theirs to change: no staff record, no email
    assert not _consent_emails().exists()


def test_the_pledgers_consent_page_shows_the_error_summary(client, own_pledge):
    url = f"/pledge/manage/{own_pledge.manage_token}/consent/"
    page = re.sub(r"\s+", " ", client.post(url, {"show_name": "maybe"}).content.decode())
    assert "There is a problem" in page
    assert "Select yes if the Charter team can contact you" in page
    own_pledge.pledge.refresh_from_db()
    assert own_pledge.pledge.show_name is False


def test_the_pledgers_consent_page_runs_a_bounded_number_of_queries(
    client, own_pledge, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        client.get(f"/pledge/manage/{own_pledge.manage_token}/consent/")


def test_a_wrong_manage_link_has_no_consent_page(client, db):
    assert client.get("/pledge/manage/not-a-token/consent/").status_code == 404
