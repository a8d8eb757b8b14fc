"""The rejection page previews the email the pledger is sent, for each reason (no JavaScript
needed), its private link masked; the preview is the text that is then sent."""

import html
import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from core.roles import OFFICERS
from neighbourhoods.models import Membership
from pledges.models import Commitment, PledgeStatus, RejectionReason
from tests.factories import MembershipFactory, PledgeFactory
from tests.pledges.test_admin import CHANGELIST, _action, _confirm, _staff_in, _text
from tests.signin import sign_in_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(council):
    return PledgeFactory(
        status=PledgeStatus.CONFIRMED,
        published_at=None,
        neighbourhood=council.neighbourhoods.first(),
        commitments=[Commitment.objects.first()],
    )


@pytest.fixture
def officer_client(client, council):
    user = _staff_in(OFFICERS)
    MembershipFactory(
        user=user, neighbourhood=council.neighbourhoods.first(), role=Membership.Role.OFFICER
    )
    sign_in_verified(client, user)
    return client


def _previews(page: str) -> dict[str, str]:
    """{reason title: the email's text} from the page's preview."""
    found = re.findall(
        r'<details class="rejection-preview"[^>]*>\s*<summary>(.*?)</summary>(.*?)</details>',
        page,
        re.S,
    )
    return {html.unescape(title): html.unescape(body) for title, body in found}


def test_the_list_actions_rejection_page_previews_each_reasons_email(officer_client, waiting):
    page = _action(officer_client, CHANGELIST, "reject_selected", [waiting]).content.decode()
    previews = _previews(page)
    reasons = RejectionReason.objects.filter(is_active=True)
    assert set(previews) == {reason.title for reason in reasons}
    offensive = RejectionReason.objects.get(code="offensive")
    shown = previews[offensive.title]
    assert "We could not publish your pledge" in shown  # the subject
    assert offensive.explanation.split("\n")[0] in shown
    assert waiting.reference in shown
    assert "[private link]" in shown
    assert "/pledge/manage/" not in page


def test_the_pledge_pages_reject_button_previews_the_same(officer_client, waiting):
    response = officer_client.get(f"{CHANGELIST}{waiting.pk}/action/reject/")
    assert response.status_code == 200
    previews = _previews(response.content.decode())
    assert RejectionReason.objects.get(code="offensive").title in previews
    assert "/pledge/manage/" not in response.content.decode()


def test_the_preview_is_the_email_then_sent(officer_client, waiting, deliver_emails):
    offensive = RejectionReason.objects.get(code="offensive")
    page = _action(officer_client, CHANGELIST, "reject_selected", [waiting]).content.decode()
    preview = re.sub(r"<[^>]+>", " ", _previews(page)[offensive.title])
    _confirm(officer_client, CHANGELIST, "reject_selected", [waiting], reason=offensive.pk)
    [email] = deliver_emails()
    sent = re.sub(r"http://\S+/pledge/manage/\S+/", "[private link]", email.body)
    words = lambda text: re.sub(r"\s+", " ", text).strip()  # noqa: E731
    assert words(f"Subject {email.subject} Message {sent}") == words(preview)


def test_a_reason_chosen_already_has_its_email_open(officer_client, waiting):
    offensive = RejectionReason.objects.get(code="offensive")
    # Chosen, but the note is too long: the page comes back with the reason still chosen.
    response = officer_client.post(
        CHANGELIST,
        {
            "action": "reject_selected",
            ACTION_CHECKBOX_NAME: [waiting.pk],
            "apply": "1",
            "reason": offensive.pk,
            "note": "x" * 1001,
        },
    )
    page = _text(response)
    assert f'id="rejection-preview-{offensive.pk}" data-reason="{offensive.pk}" open>' in page
    assert page.count(" open>") == 1
