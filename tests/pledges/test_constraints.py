"""Each constraint on the pledge tables refuses the one row it exists to refuse."""

import datetime

import pytest

from pledges.models import (
    PLEDGE_TEXT_MAX_LENGTH,
    Campaign,
    ModerationEvent,
    PledgeManageLink,
    PledgeUpdate,
    RejectionReason,
)
from tests.constraints import (
    changed,
    constraint_tests,
    copied,
)
from tests.factories import CommitmentFactory, PledgeFactory

pytestmark = pytest.mark.django_db


def _two_reasons():
    return [
        RejectionReason.objects.create(code=f"reason-{n}", title=f"Reason {n}", explanation="Why")
        for n in (1, 2)
    ]


def _two_pledges_with_links():
    return [
        PledgeFactory(submission_key=f"{n}" * 32, manage_token_hash=f"{n}" * 64) for n in (1, 2)
    ]


def _two_manage_links():
    pledge = PledgeFactory()
    return [PledgeManageLink.objects.create(pledge=pledge, token_hash=f"{n}" * 64) for n in (1, 2)]


def _event():
    return ModerationEvent.objects.create(pledge=PledgeFactory(), action="submitted")


def _update():
    return PledgeUpdate.objects.create(pledge=PledgeFactory(), text="Two placements.")


def _campaign():
    return Campaign.objects.create(
        name="First 100 days",
        target=100,
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2025, 4, 10),
        description="in the first 100 days",
    )


CASES = {
    "pledges.Commitment.code": copied(lambda: CommitmentFactory.create_batch(2), "code"),
    "pledges.Commitment.title": copied(lambda: CommitmentFactory.create_batch(2), "title"),
    "commitment_benefit_valid": changed(CommitmentFactory, benefit="a-nicer-mood"),
    "pledges.RejectionReason.code": copied(_two_reasons, "code"),
    "pledges.RejectionReason.title": copied(_two_reasons, "title"),
    "pledges.Pledge.reference": copied(lambda: PledgeFactory.create_batch(2), "reference"),
    "pledges.Pledge.submission_key": copied(_two_pledges_with_links, "submission_key"),
    "pledges.Pledge.manage_token_hash": copied(_two_pledges_with_links, "manage_token_hash"),
    "pledges.PledgeManageLink.token_hash": copied(_two_manage_links, "token_hash"),
    "pledge_status_valid": changed(PledgeFactory, status="forgotten"),
    "pledge_type_valid": changed(PledgeFactory, pledger_type="robot"),
    "pledge_size_only_for_business": changed(PledgeFactory, organisation_size="small"),
    "pledge_text_max_length": changed(PledgeFactory, text="x" * (PLEDGE_TEXT_MAX_LENGTH + 1)),
    "pledge_published_has_date": changed(PledgeFactory, published_at=None),
    "moderation_action_valid": changed(_event, action="shrugged"),
    "update_status_valid": changed(_update, status="lost"),
    "update_spend_not_negative": changed(_update, spent_locally=-1),
    "campaign_dates_in_order": changed(_campaign, ends_on=datetime.date(2024, 12, 31)),
    "campaign_target_positive": changed(_campaign, target=0),
}


(
    test_every_constraint_has_a_case,
    test_the_database_refuses_a_row_that_breaks,
    test_the_row_breaks_no_other_constraint,
) = constraint_tests("pledges", CASES)
