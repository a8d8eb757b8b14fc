"""Moderation in Django admin: officers act through the services; the CWB Group only reads."""

import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from charter_portal.reference_data import DEFAULT_REFERENCE_FILE, reference_data_load
from core.roles import CWB_GROUP, OFFICERS
from neighbourhoods.models import Membership
from outbox.models import OutboundEmail
from pledges.models import (
    Campaign,
    Commitment,
    ModerationAction,
    ModerationEvent,
    Pledge,
    PledgeStatus,
    PledgeUpdate,
    RejectionReason,
    UpdateStatus,
)
from pledges.selectors import pledge_moderation_history
from pledges.services import pledge_publish
from tests.factories import MembershipFactory, PledgeFactory, UserFactory
from tests.signin import sign_in_verified

CHANGELIST = "/admin/pledges/pledge/"
UPDATES = "/admin/pledges/pledgeupdate/"
OUTBOX = "/admin/outbox/outboundemail/"


def _staff_in(group_name):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


def _text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def _action(client, url, action, objects, **data):
    """Choose an action on the changelist for the given objects, as the action bar does."""
    return client.post(
        url,
        {"action": action, "index": 0, ACTION_CHECKBOX_NAME: [o.pk for o in objects], **data},
    )


def _step(pledge, action):
    """The one step of the pledge's moderation history (from the audit trail) with `action`."""
    [step] = [s for s in pledge_moderation_history(pledge) if s.action == action]
    return step


def _confirm(client, url, action, objects, **data):
    """Submit an action's intermediate page."""
    return client.post(
        url, {"action": action, ACTION_CHECKBOX_NAME: [o.pk for o in objects], "apply": "1", **data}
    )


@pytest.fixture
def officer(council):
    """An officer working in the neighbourhood of the `waiting` pledge: sees its contacts."""
    user = _staff_in(OFFICERS)
    MembershipFactory(
        user=user, neighbourhood=council.neighbourhoods.first(), role=Membership.Role.OFFICER
    )
    return user


@pytest.fixture
def officer_client(client, officer):
    sign_in_verified(client, officer)
    return client


@pytest.fixture
def waiting(council):
    """A pledge confirmed by email, waiting for moderation."""
    return PledgeFactory(
        status=PledgeStatus.CONFIRMED,
        published_at=None,
        neighbourhood=council.neighbourhoods.first(),
        commitments=[Commitment.objects.first()],
    )


@pytest.fixture
def offensive():
    return RejectionReason.objects.get(code="offensive")


# The pledge list and the moderation queue.


def test_the_moderation_queue_shows_a_confirmed_pledge(officer_client, waiting):
    page = _text(officer_client.get(CHANGELIST))
    assert waiting.reference in page
    assert waiting.public_name in page


def test_the_moderation_queue_leaves_out_published_pledges_until_asked(officer_client, waiting):
    published = PledgeFactory()
    assert published.reference not in _text(officer_client.get(CHANGELIST))
    assert published.reference in _text(officer_client.get(CHANGELIST, {"needs_moderation": "all"}))


def test_a_search_looks_at_every_pledge(officer_client, waiting):
    published = PledgeFactory(neighbourhood=waiting.neighbourhood)
    page = _text(officer_client.get(CHANGELIST, {"q": published.email}))
    assert published.reference in page
    assert waiting.reference not in page


def test_the_pledge_list_shows_no_email_addresses(officer_client, waiting):
    assert waiting.email not in officer_client.get(CHANGELIST).content.decode()


def test_the_pledge_list_runs_the_same_queries_for_5_or_50_pledges(officer_client, council):
    neighbourhoods = list(council.neighbourhoods.all())
    commitments = list(Commitment.objects.all()[:3])

    def pledges_waiting(count):
        for n in range(count):
            PledgeFactory(
                status=PledgeStatus.CONFIRMED,
                published_at=None,
                neighbourhood=neighbourhoods[n % len(neighbourhoods)],
                commitments=commitments,
            )

    def queries_for_the_list():
        with CaptureQueriesContext(connection) as queries:
            response = officer_client.get(CHANGELIST)
        assert response.status_code == 200
        return len(queries)

    pledges_waiting(5)
    officer_client.get(CHANGELIST)  # warm the content type and permission caches
    five = queries_for_the_list()
    pledges_waiting(45)
    assert queries_for_the_list() == five


# Publishing.


def test_publishing_from_the_list_publishes_the_pledge(officer_client, waiting):
    response = _action(officer_client, CHANGELIST, "publish_selected", [waiting])
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == PledgeStatus.PUBLISHED
    assert "Published 1 pledge." in _text(officer_client.get(response.url))


def test_publishing_queues_the_published_email(officer_client, waiting):
    _action(officer_client, CHANGELIST, "publish_selected", [waiting])
    assert list(OutboundEmail.objects.values_list("to", "kind")) == [(waiting.email, "published")]


def test_publishing_records_who_published(officer_client, officer, waiting):
    _action(officer_client, CHANGELIST, "publish_selected", [waiting])
    step = _step(waiting, ModerationAction.PUBLISHED)
    assert (step.by, step.status_before, step.status_after) == (
        officer,
        PledgeStatus.CONFIRMED,
        PledgeStatus.PUBLISHED,
    )


def test_publishing_leaves_a_pledge_not_waiting_for_moderation_alone(officer_client, waiting):
    withdrawn = PledgeFactory(status=PledgeStatus.WITHDRAWN, published_at=None)
    response = _action(
        officer_client,
        CHANGELIST + "?needs_moderation=all",
        "publish_selected",
        [waiting, withdrawn],
    )
    withdrawn.refresh_from_db()
    assert withdrawn.status == PledgeStatus.WITHDRAWN
    assert "1 selected pledge was not waiting for moderation" in _text(
        officer_client.get(response.url)
    )


# Rejecting, with a reason from the catalogue.


def test_rejecting_asks_for_a_reason_from_the_active_catalogue(officer_client, waiting):
    RejectionReason.objects.filter(code="advertising").update(is_active=False)
    response = _action(officer_client, CHANGELIST, "reject_selected", [waiting])
    assert response.status_code == 200
    assert "admin/action_confirmation.html" in [t.name for t in response.templates]
    page = _text(response)
    assert "Offensive or discriminatory" in page
    assert "Advertising or promotion" not in page
    assert f'name="{ACTION_CHECKBOX_NAME}" value="{waiting.pk}"' in page
    assert "csrfmiddlewaretoken" in page
    waiting.refresh_from_db()
    assert waiting.status == PledgeStatus.CONFIRMED


def test_rejecting_needs_a_reason(officer_client, waiting):
    response = _confirm(officer_client, CHANGELIST, "reject_selected", [waiting], reason="")
    assert response.status_code == 200
    assert "Choose a reason for rejecting" in _text(response)
    waiting.refresh_from_db()
    assert waiting.status == PledgeStatus.CONFIRMED


def test_rejecting_records_the_reason_the_note_and_the_officer(
    officer_client, officer, waiting, offensive
):
    response = _confirm(
        officer_client,
        CHANGELIST,
        "reject_selected",
        [waiting],
        reason=offensive.pk,
        note="Reported by two residents",
    )
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert (waiting.status, waiting.rejection_reason) == (PledgeStatus.REJECTED, offensive)
    step = _step(waiting, ModerationAction.REJECTED)
    assert (step.by, step.reason, step.note, step.status_after) == (
        officer,
        offensive.title,
        "Reported by two residents",
        PledgeStatus.REJECTED,
    )


def test_the_rejection_email_explains_the_reason(
    officer_client, waiting, offensive, deliver_emails
):
    _confirm(officer_client, CHANGELIST, "reject_selected", [waiting], reason=offensive.pk)
    [email] = deliver_emails()
    assert email.to == [waiting.email]
    assert offensive.explanation in email.body


def test_a_retired_reason_cannot_be_used(officer_client, waiting, offensive):
    offensive.is_active = False
    offensive.save()
    _confirm(officer_client, CHANGELIST, "reject_selected", [waiting], reason=offensive.pk)
    waiting.refresh_from_db()
    assert waiting.status == PledgeStatus.CONFIRMED


# Erasing.


def test_erasing_clears_the_contact_details(officer_client, officer, waiting):
    response = _action(officer_client, CHANGELIST, "erase_selected", [waiting])
    assert "This cannot be undone" in _text(response)
    _confirm(officer_client, CHANGELIST, "erase_selected", [waiting], note="Asked by phone")
    waiting.refresh_from_db()
    assert (waiting.email, waiting.postcode, waiting.contact_name) == ("", "", "")
    assert waiting.personal_data_erased_at is not None
    step = _step(waiting, ModerationAction.ERASED)
    assert (step.by, step.note) == (officer, "Asked by phone")


# The pledge's page.


def test_the_pledge_page_shows_its_history(officer_client, officer, waiting):
    pledge_publish(pledges=[waiting], actor=officer)
    page = _text(officer_client.get(f"{CHANGELIST}{waiting.pk}/change/"))
    assert "moderation history" in page.lower()
    assert f"<td>{ModerationAction.PUBLISHED.label}</td><td>{officer.username}</td>" in page
    assert "confirmed → published" in page


def test_moderation_writes_no_moderation_events_any_more(officer, waiting):
    pledge_publish(pledges=[waiting], actor=officer)
    assert not ModerationEvent.objects.exists()


def test_the_pledge_page_shows_the_history_from_before_the_trail(officer_client, waiting):
    ModerationEvent.objects.create(pledge=waiting, action=ModerationAction.HELD, note="Old rule")
    page = _text(officer_client.get(f"{CHANGELIST}{waiting.pk}/change/"))
    assert "History before the audit trail (read only)" in page
    assert "Old rule" in page


def test_the_pledge_page_shows_the_emails_but_not_their_private_links(officer_client, waiting):
    pledge_publish(pledges=[waiting], actor=UserFactory())
    email = OutboundEmail.objects.get()
    page = _text(officer_client.get(f"{CHANGELIST}{waiting.pk}/change/"))
    assert email.subject in page
    assert "/pledges/" + waiting.reference not in page


def test_the_pledge_page_hides_tokens_and_search_data(officer_client, waiting):
    page = officer_client.get(f"{CHANGELIST}{waiting.pk}/change/").content.decode()
    for field in ("submission_key", "duplicate_fingerprint", "manage_token_hash", "search_vector"):
        assert f'name="{field}"' not in page


def test_an_officer_corrects_the_wording_and_the_search_follows(officer_client, waiting):
    data = {
        "display_name": waiting.display_name,
        "show_name": "on",
        "neighbourhood": waiting.neighbourhood_id,
        "commitments": [c.pk for c in waiting.commitments.all()],
        "text": "We will plant an orchard for the whole street.",
        "target": "",
        # The inlines are read-only: only their management forms are posted.
        **{
            f"{prefix}-{key}": value
            for prefix in ("events", "updates", "outbox-outboundemail-about_type-about_id")
            for key, value in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0))
        },
    }
    response = officer_client.post(f"{CHANGELIST}{waiting.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Pledge.objects.filter(search_vector="orchard").get() == waiting


def test_pledges_cannot_be_deleted_in_admin(officer_client, waiting):
    # Adding one is the officer's by-hand form (tests/pledges/test_admin_by_hand.py).
    assert officer_client.get(f"{CHANGELIST}{waiting.pk}/delete/").status_code == 403


# The CWB Group reads.


def test_the_cwb_group_sees_pledges_but_cannot_moderate_them(client, council, waiting):
    sign_in_verified(client, _staff_in(CWB_GROUP))
    page = client.get(CHANGELIST).content.decode()
    assert waiting.reference in page
    assert "publish_selected" not in page
    _action(client, CHANGELIST, "publish_selected", [waiting])
    waiting.refresh_from_db()
    assert waiting.status == PledgeStatus.CONFIRMED


def test_the_cwb_group_cannot_change_a_pledge(client, council, waiting):
    sign_in_verified(client, _staff_in(CWB_GROUP))
    response = client.post(f"{CHANGELIST}{waiting.pk}/change/", {"text": "Changed"})
    assert response.status_code == 403


def test_the_cwb_group_cannot_read_the_outbox(client, council):
    sign_in_verified(client, _staff_in(CWB_GROUP))
    assert client.get(OUTBOX).status_code == 403


# Progress updates.


@pytest.fixture
def updates(waiting):
    moderated = PledgeUpdate.objects.create(
        pledge=waiting, text="We mentored two people.", status=UpdateStatus.PUBLISHED
    )
    pending = PledgeUpdate.objects.create(pledge=waiting, text="We bought from a local baker.")
    return pending, moderated


def test_updates_waiting_for_moderation_are_listed_first(officer_client, updates):
    page = _text(officer_client.get(UPDATES))
    assert page.index("We bought from a local baker.") < page.index("We mentored two people.")


def test_publishing_an_update(officer_client, officer, updates):
    pending, _ = updates
    _action(officer_client, UPDATES, "publish_selected", [pending])
    pending.refresh_from_db()
    assert (pending.status, pending.moderated_by) == (UpdateStatus.PUBLISHED, officer)


def test_rejecting_an_update_with_a_reason(officer_client, updates, offensive):
    pending, _ = updates
    assert "Choose a reason" in _text(
        _action(officer_client, UPDATES, "reject_selected", [pending])
    )
    _confirm(officer_client, UPDATES, "reject_selected", [pending], reason=offensive.pk)
    pending.refresh_from_db()
    assert (pending.status, pending.rejection_reason) == (UpdateStatus.REJECTED, offensive)
    step = _step(pending.pledge, ModerationAction.UPDATE_REJECTED)
    assert (step.reason, step.status_before, step.status_after) == (
        offensive.title,
        UpdateStatus.PENDING,
        UpdateStatus.REJECTED,
    )


# The outbox.


def test_retrying_a_failed_email_sends_it_again(officer_client, waiting, deliver_emails):
    email = OutboundEmail.objects.create(
        to=waiting.email,
        subject="Your pledge is on the wall",
        body="Thank you.\n",
        kind="published",
        about=waiting,
        status=OutboundEmail.Status.FAILED,
        attempts=8,
    )
    _action(officer_client, OUTBOX, "retry_sending", [email])
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboundEmail.Status.PENDING, 0)
    outbox = deliver_emails()
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert [m.subject for m in outbox] == ["Your pledge is on the wall"]


def test_the_outbox_is_read_only(officer_client, waiting):
    pledge_publish(pledges=[waiting], actor=UserFactory())
    email = OutboundEmail.objects.get()
    assert officer_client.get(f"{OUTBOX}{email.pk}/change/").status_code == 200
    assert (
        officer_client.post(f"{OUTBOX}{email.pk}/change/", {"to": "x@example.org"}).status_code
        == 403
    )
    assert officer_client.get(f"{OUTBOX}{email.pk}/delete/").status_code == 403


def test_moderation_events_are_read_only(officer_client, officer, waiting):
    # The history from before the audit trail: no longer written, kept read only.
    event = ModerationEvent.objects.create(
        pledge=waiting, action=ModerationAction.PUBLISHED, actor=officer
    )
    assert (
        officer_client.get(f"/admin/pledges/moderationevent/{event.pk}/change/").status_code == 200
    )
    assert officer_client.get("/admin/pledges/moderationevent/add/").status_code == 403
    assert (
        officer_client.get(f"/admin/pledges/moderationevent/{event.pk}/delete/").status_code == 403
    )


# The catalogue and the campaigns come from the council's reference data.


def test_the_reference_data_loads_the_rejection_reasons_and_campaigns_once(council):
    reference_data_load(path=DEFAULT_REFERENCE_FILE)
    assert RejectionReason.objects.count() == 6
    assert set(Campaign.objects.values_list("name", "target")) == {
        ("First 100 days", 100),
        ("Charter pledges 2026/27", 500),
    }


def test_an_officer_can_add_a_rejection_reason(officer_client):
    response = officer_client.post(
        "/admin/pledges/rejectionreason/add/",
        {
            "title": "Spam",
            "code": "spam",
            "explanation": "Your pledge looks like spam.",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert RejectionReason.objects.filter(code="spam").exists()


# The roles that migration 0004 grants.


def test_officers_moderate_and_curate_the_catalogue_and_campaigns(db):
    officer = _staff_in(OFFICERS)
    assert officer.has_perms(
        [
            "pledges.view_pledge",
            "pledges.add_pledge",  # typed in by hand, through pledge_submit
            "pledges.change_pledge",
            "pledges.view_pledgeupdate",
            "pledges.change_pledgeupdate",
            "pledges.view_moderationevent",
            "pledges.add_rejectionreason",
            "pledges.change_rejectionreason",
            "pledges.view_rejectionreason",
            "pledges.add_campaign",
            "pledges.change_campaign",
            "pledges.view_campaign",
            "outbox.view_outboundemail",
        ]
    )


def test_officers_cannot_delete_pledges_or_rewrite_the_record(db):
    officer = _staff_in(OFFICERS)
    for permission in (
        "pledges.delete_pledge",
        "pledges.change_moderationevent",
        "pledges.delete_moderationevent",
        "outbox.change_outboundemail",
        "pledges.delete_rejectionreason",
    ):
        assert not officer.has_perm(permission), permission


def test_the_cwb_group_only_reads_pledges_updates_history_and_campaigns(db):
    validator = _staff_in(CWB_GROUP)
    assert validator.has_perms(
        [
            "pledges.view_pledge",
            "pledges.view_pledgeupdate",
            "pledges.view_moderationevent",
            "pledges.view_campaign",
        ]
    )
    pledge_permissions = {p for p in validator.get_all_permissions() if p.startswith("pledges.")}
    assert all(p.startswith("pledges.view_") for p in pledge_permissions), pledge_permissions
    assert "outbox.view_outboundemail" not in validator.get_all_permissions()
