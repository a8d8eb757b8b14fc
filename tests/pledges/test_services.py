"""The pledge services: abuse rules, confirmation, moderation, counts, erasure, retention."""

import datetime
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from outbox.models import OutboundEmail
from outbox.services import email_send_now
from pledges.models import (
    ModerationAction,
    Pledge,
    PledgeStatus,
    RejectionReason,
)
from pledges.selectors import pledge_moderation_history, pledge_published_total
from pledges.services import (
    ConfirmResult,
    PledgeAnswers,
    SubmitResult,
    personal_data_retention_apply,
    pledge_confirm,
    pledge_erase_personal_data,
    pledge_publish,
    pledge_reject,
    pledge_submit,
    pledge_withdraw,
)
from pledges.tokens import confirmation_token_make
from tests.factories import CommitmentFactory, PledgeFactory, UserFactory


def answers(**overrides):
    values = {
        "pledger_type": "business",
        "organisation_size": "small",
        "display_name": "Daneshill Bakery",
        "show_name": True,
        "contact_name": "Sam Private",
        "email": "sam@private.example.org",
        "text": "We will buy our flour from a local mill.",
        "commitment_ids": [CommitmentFactory().pk],
    }
    return PledgeAnswers(**(values | overrides))


def submit(ip="192.0.2.1", **overrides):
    return pledge_submit(
        answers=answers(**overrides), ip_address=ip, submission_key=uuid.uuid4().hex
    )


@pytest.mark.django_db
def test_a_submission_is_unconfirmed_with_only_a_hash_of_the_ip():
    outcome = submit(ip="192.0.2.7")
    assert outcome.result == SubmitResult.CREATED
    assert outcome.pledge.status == PledgeStatus.UNCONFIRMED
    assert "192.0.2.7" not in outcome.pledge.ip_hash
    assert len(outcome.pledge.ip_hash) == 64


@pytest.mark.django_db
def test_a_second_pledge_from_one_ip_within_a_minute_is_held_not_dropped():
    submit(text="First pledge.")
    outcome = submit(text="Second pledge.", email="other@private.example.org")
    assert outcome.result == SubmitResult.HELD
    assert Pledge.objects.count() == 2
    assert "60 seconds" in outcome.pledge.hold_reason


@pytest.mark.django_db
def test_a_held_pledge_waits_for_an_officer_after_confirmation():
    submit(text="First pledge.")
    held = submit(text="Second pledge.", email="other@private.example.org").pledge
    result, pledge = pledge_confirm(
        token=confirmation_token_make(reference=held.reference, nonce=held.confirmation_nonce)
    )
    assert result == ConfirmResult.CONFIRMED
    assert pledge.status == PledgeStatus.HELD


@pytest.mark.django_db
def test_a_held_pledges_history_says_which_rule_held_it():
    submit(text="First pledge.")
    held = submit(text="Second pledge.", email="other@private.example.org").pledge
    pledge_confirm(
        token=confirmation_token_make(reference=held.reference, nonce=held.confirmation_nonce)
    )
    steps = pledge_moderation_history(held)
    assert [(s.action, s.status_before, s.status_after) for s in steps] == [
        (ModerationAction.SUBMITTED, "", PledgeStatus.UNCONFIRMED),
        (ModerationAction.HELD, PledgeStatus.UNCONFIRMED, PledgeStatus.HELD),
    ]
    assert "60 seconds" in steps[1].note


@pytest.mark.django_db
def test_a_status_change_outside_the_services_is_in_the_history_too():
    pledge = PledgeFactory(status=PledgeStatus.CONFIRMED, published_at=None)
    Pledge.objects.filter(pk=pledge.pk).update(status=PledgeStatus.WITHDRAWN)
    [step] = pledge_moderation_history(pledge)
    assert (step.action, step.status_before, step.status_after) == (
        "changed",
        PledgeStatus.CONFIRMED,
        PledgeStatus.WITHDRAWN,
    )


@pytest.mark.django_db
def test_the_same_email_and_text_within_a_day_makes_no_new_pledge_and_says_so():
    submit()
    outcome = submit(ip="198.51.100.9", text="  we will BUY our flour from a local mill. ")
    assert outcome.result == SubmitResult.DUPLICATE
    assert Pledge.objects.count() == 1
    assert OutboundEmail.objects.filter(kind="already_pledged").count() == 1


@pytest.mark.django_db
def test_the_same_submission_key_twice_makes_one_pledge():
    key = uuid.uuid4().hex
    first = pledge_submit(answers=answers(), ip_address="192.0.2.1", submission_key=key)
    second = pledge_submit(answers=answers(), ip_address="192.0.2.1", submission_key=key)
    assert second.result == SubmitResult.RESUBMITTED
    assert second.pledge == first.pledge


@pytest.mark.django_db
def test_an_expired_confirmation_link_is_refused(settings):
    pledge = submit().pledge
    token = confirmation_token_make(reference=pledge.reference, nonce=pledge.confirmation_nonce)
    settings.PLEDGE_CONFIRMATION_MAX_AGE = -1
    assert pledge_confirm(token=token) == (ConfirmResult.EXPIRED, None)


@pytest.mark.django_db
def test_publishing_counts_and_records_who_acted():
    officer = UserFactory(is_staff=True)
    pledges = PledgeFactory.create_batch(3, status=PledgeStatus.CONFIRMED, published_at=None)
    assert pledge_publish(pledges=pledges, actor=officer) == 3
    assert pledge_published_total() == 3
    [step] = pledge_moderation_history(pledges[0])
    assert (step.action, step.by) == (ModerationAction.PUBLISHED, officer)


@pytest.mark.django_db
def test_the_published_count_follows_withdrawals_and_rejections():
    officer = UserFactory(is_staff=True)
    pledges = PledgeFactory.create_batch(4, status=PledgeStatus.CONFIRMED, published_at=None)
    pledge_publish(pledges=pledges, actor=officer)
    pledge_withdraw(pledge=pledges[0])
    reason = RejectionReason.objects.create(code="x", title="X", explanation="Because.")
    pledge_reject(pledges=[pledges[1]], actor=officer, reason=reason)
    published = Pledge.objects.filter(status=PledgeStatus.PUBLISHED).count()
    assert pledge_published_total() == published == 2


@pytest.mark.django_db
def test_rejection_tells_the_pledger_the_reason(deliver_emails):
    pledge = PledgeFactory(status=PledgeStatus.CONFIRMED, published_at=None)
    reason = RejectionReason.objects.create(
        code="personal", title="Personal data", explanation="It named a private person."
    )
    pledge_reject(pledges=[pledge], actor=UserFactory(), reason=reason)
    (message,) = deliver_emails()
    assert message.to == [pledge.email]
    assert "It named a private person." in message.body


@pytest.mark.django_db
def test_erasure_removes_every_personal_detail_of_a_resident():
    pledge = PledgeFactory(pledger_type="resident", display_name="Ada Private", show_name=True)
    pledge_erase_personal_data(pledge=pledge)
    pledge.refresh_from_db()
    assert (pledge.email, pledge.contact_name, pledge.postcode, pledge.ip_hash) == ("", "", "", "")
    assert pledge.display_name == ""
    assert pledge.public_name == "A local resident"
    assert [s.action for s in pledge_moderation_history(pledge)] == [ModerationAction.ERASED]


@pytest.mark.django_db
def test_erasure_keeps_an_organisations_public_name():
    pledge = PledgeFactory(pledger_type="business", display_name="Acme Ltd", show_name=True)
    pledge_erase_personal_data(pledge=pledge)
    pledge.refresh_from_db()
    assert pledge.public_name == "Acme Ltd"
    assert pledge.email == ""


@pytest.mark.django_db
def test_retention_erases_old_unconfirmed_and_closed_pledges_only():
    now = timezone.now()
    old_unconfirmed = PledgeFactory(status=PledgeStatus.UNCONFIRMED, published_at=None)
    Pledge.objects.filter(pk=old_unconfirmed.pk).update(created_at=now - datetime.timedelta(31))
    recent_unconfirmed = PledgeFactory(status=PledgeStatus.UNCONFIRMED, published_at=None)
    old_withdrawn = PledgeFactory(
        status=PledgeStatus.WITHDRAWN,
        published_at=None,
        withdrawn_at=now - datetime.timedelta(days=200),
    )
    published = PledgeFactory()
    result = personal_data_retention_apply(now=now)
    assert (result.unconfirmed, result.closed) == (1, 1)
    emails = dict(Pledge.objects.values_list("pk", "email"))
    assert emails[old_unconfirmed.pk] == emails[old_withdrawn.pk] == ""
    assert emails[recent_unconfirmed.pk]
    assert emails[published.pk]


@pytest.mark.django_db
def test_an_email_that_fails_to_send_is_kept_and_retried(settings, deliver_emails):
    submit()
    settings.EMAIL_BACKEND = "tests.pledges.failing_mail.FailingBackend"
    email = OutboundEmail.objects.get()
    assert email_send_now(email_id=email.pk) is False
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboundEmail.Status.PENDING, 1)
    assert "SMTP server down" in email.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert email_send_now(email_id=email.pk) is True
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_an_email_is_given_up_after_the_last_attempt(settings):
    submit()
    settings.EMAIL_BACKEND = "tests.pledges.failing_mail.FailingBackend"
    settings.PLEDGE_EMAIL_MAX_ATTEMPTS = 2
    email = OutboundEmail.objects.get()
    email_send_now(email_id=email.pk)
    email_send_now(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_submissions_make_exactly_fifty_pledges():
    commitment = CommitmentFactory()

    def one(n):
        try:
            return pledge_submit(
                answers=answers(
                    email=f"person{n}@private.example.org",
                    text=f"Pledge number {n}.",
                    commitment_ids=[commitment.pk],
                ),
                ip_address=f"203.0.113.{n}",
                submission_key=uuid.uuid4().hex,
            ).result
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(one, range(50)))
    assert results == [SubmitResult.CREATED] * 50
    assert Pledge.objects.count() == 50


@pytest.mark.django_db(transaction=True)
def test_the_same_form_posted_twice_at_once_makes_one_pledge():
    commitment = CommitmentFactory()
    key = uuid.uuid4().hex

    def one(_):
        try:
            return pledge_submit(
                answers=answers(commitment_ids=[commitment.pk]),
                ip_address="192.0.2.1",
                submission_key=key,
            ).result
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = sorted(r.value for r in pool.map(one, range(2)))
    assert results == ["created", "resubmitted"]
    assert Pledge.objects.count() == 1
