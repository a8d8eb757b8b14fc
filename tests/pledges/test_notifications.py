"""What the pledger is told, and that every email to them carries a manage link that works."""

import re

import pytest

from pledges.models import Pledge, PledgeStatus, PledgeUpdate, RejectionReason
from pledges.services import (
    pledge_publish,
    pledge_reject,
    pledge_updates_moderate,
    pledge_withdraw,
)
from pledges.tokens import new_secret, secret_hash
from tests.factories import PledgeFactory, UserFactory

pytestmark = pytest.mark.django_db

MANAGE_LINK = re.compile(r"http://[^\s]+/pledge/manage/([^/\s]+)/")


def _only_email(outbox):
    assert len(outbox) == 1
    return outbox[0]


def _manage_link_opens(client, body: str, pledge) -> None:
    match = MANAGE_LINK.search(body)
    assert match, body
    page = client.get(f"/pledge/manage/{match.group(1)}/")
    assert page.status_code == 200
    assert pledge.reference in page.content.decode()


def test_a_withdrawn_pledges_pledger_is_told_with_their_manage_link(client, deliver_emails):
    pledge = PledgeFactory()
    pledge_withdraw(pledge=pledge)
    email = _only_email(deliver_emails())
    assert email.to == [pledge.email]
    assert email.subject == "You have withdrawn your pledge"
    assert pledge.reference in email.body
    _manage_link_opens(client, email.body, pledge)


def test_a_published_progress_update_is_told_to_the_pledger(client, deliver_emails):
    pledge = PledgeFactory()
    update = PledgeUpdate.objects.create(pledge=pledge, text="Two placements this term.")
    pledge_updates_moderate(updates=[update], actor=UserFactory(), publish=True)
    email = _only_email(deliver_emails())
    assert email.to == [pledge.email]
    assert email.subject == "Your progress update is on the pledge wall"
    assert f"/pledges/{pledge.reference}/" in email.body
    _manage_link_opens(client, email.body, pledge)


def test_a_rejected_update_sends_nothing(deliver_emails):
    pledge = PledgeFactory()
    update = PledgeUpdate.objects.create(pledge=pledge, text="Two placements this term.")
    reason = RejectionReason.objects.create(code="spam", title="Spam", explanation="It is spam.")
    pledge_updates_moderate(updates=[update], actor=UserFactory(), publish=False, reason=reason)
    assert deliver_emails() == []


def test_the_published_email_carries_the_manage_link(client, deliver_emails):
    pledge = PledgeFactory(status=PledgeStatus.CONFIRMED, published_at=None)
    pledge_publish(pledges=[pledge], actor=UserFactory())
    email = _only_email(deliver_emails())
    assert email.subject == "Your pledge is on the pledge wall"
    _manage_link_opens(client, email.body, pledge)


def test_the_rejected_email_carries_the_manage_link(client, deliver_emails):
    pledge = PledgeFactory(status=PledgeStatus.CONFIRMED, published_at=None)
    reason = RejectionReason.objects.create(code="spam", title="Spam", explanation="It is spam.")
    pledge_reject(pledges=[pledge], actor=UserFactory(), reason=reason)
    email = _only_email(deliver_emails())
    assert "It is spam." in email.body
    _manage_link_opens(client, email.body, pledge)


def test_each_email_has_a_new_link_and_the_earlier_links_keep_working(client, deliver_emails):
    first = new_secret()
    pledge = PledgeFactory(manage_token_hash=secret_hash(first))
    update = PledgeUpdate.objects.create(pledge=pledge, text="Two placements this term.")
    pledge_updates_moderate(updates=[update], actor=UserFactory(), publish=True)
    pledge_withdraw(pledge=pledge)
    links = [MANAGE_LINK.search(email.body).group(1) for email in deliver_emails()]
    assert len(set(links)) == 2
    assert first not in links
    for token in (first, *links):
        assert client.get(f"/pledge/manage/{token}/").status_code == 200


def test_only_a_hash_of_each_new_link_is_kept(deliver_emails):
    pledge = PledgeFactory()
    pledge_withdraw(pledge=pledge)
    token = MANAGE_LINK.search(_only_email(deliver_emails()).body).group(1)
    assert list(pledge.manage_links.values_list("token_hash", flat=True)) == [secret_hash(token)]


def test_the_already_pledged_email_carries_the_earlier_pledges_manage_link(
    council, client, deliver_emails
):
    from tests.pledges.test_journey import answer_all, send

    for _ in range(2):
        answer_all(client, council)
        send(client)
    earlier = Pledge.objects.get()
    [notice] = [m for m in deliver_emails() if m.subject == "You have already made this pledge"]
    assert earlier.reference in notice.body
    _manage_link_opens(client, notice.body, earlier)
