"""The life of a pledge and of a progress update, declared once (see core.workflow).

    unconfirmed ──confirm (email link)──▶ confirmed ──publish──▶ published
         │                                 │  ▲ hold (a rate rule; system)   │
         │                                 ▼  │                              │
         │                                held ──publish─────────────────────┤
         │                      reject (with a reason) from confirmed, held or published
         └── withdraw (the pledger) from unconfirmed, confirmed, held or published

Rejected and withdrawn pledges are final. Moderation (publish, reject, and the updates') is open
to whoever reaches the service: the admin lets only officers with the pledges' change permission.
The pledger acts through the secret manage link, so withdraw and report progress need no user.
"""

from core.workflow import NEW, Action, Workflow
from pledges.models import PledgeStatus, UpdateStatus

_AWAITING_MODERATION = frozenset({PledgeStatus.CONFIRMED, PledgeStatus.HELD})

PLEDGE_WORKFLOW = Workflow(
    state_field="status",
    states=frozenset(PledgeStatus.values),
    actions=(
        Action(
            name="submit",
            label="Make a pledge",
            sources=frozenset({NEW}),
            target=PledgeStatus.UNCONFIRMED,
        ),
        Action(
            name="confirm",
            label="Confirm by email",
            sources=frozenset({PledgeStatus.UNCONFIRMED}),
            target=PledgeStatus.CONFIRMED,
            refusal="Only an unconfirmed pledge can be confirmed; this one is {state}.",
        ),
        Action(
            name="hold",
            label="Hold for review",
            sources=frozenset({PledgeStatus.CONFIRMED}),
            target=PledgeStatus.HELD,
            needs_reason=True,
            refusal="Only a confirmed pledge can be held for review; this one is {state}.",
        ),
        Action(
            name="publish",
            label="Publish",
            sources=_AWAITING_MODERATION,
            target=PledgeStatus.PUBLISHED,
            refusal="Only a pledge waiting for moderation can be published; this one is {state}.",
        ),
        Action(
            name="reject",
            label="Reject",
            sources=_AWAITING_MODERATION | {PledgeStatus.PUBLISHED},
            target=PledgeStatus.REJECTED,
            needs_reason=True,
            refusal="This pledge is {state}, so it cannot be rejected.",
        ),
        Action(
            name="withdraw",
            label="Withdraw your pledge",
            sources=_AWAITING_MODERATION | {PledgeStatus.UNCONFIRMED, PledgeStatus.PUBLISHED},
            target=PledgeStatus.WITHDRAWN,
            refusal="This pledge is {state}, so it cannot be withdrawn.",
        ),
        Action(
            name="report_progress",
            label="Report progress",
            sources=_AWAITING_MODERATION | {PledgeStatus.PUBLISHED},
            target=None,
            refusal="This pledge is {state}, so progress cannot be reported on it.",
        ),
    ),
)

SUBMIT = PLEDGE_WORKFLOW["submit"]
CONFIRM = PLEDGE_WORKFLOW["confirm"]
HOLD = PLEDGE_WORKFLOW["hold"]
PUBLISH = PLEDGE_WORKFLOW["publish"]
REJECT = PLEDGE_WORKFLOW["reject"]
WITHDRAW = PLEDGE_WORKFLOW["withdraw"]
REPORT_PROGRESS = PLEDGE_WORKFLOW["report_progress"]


UPDATE_WORKFLOW = Workflow(
    state_field="status",
    states=frozenset(UpdateStatus.values),
    actions=(
        Action(
            name="submit",
            label="Report progress",
            sources=frozenset({NEW}),
            target=UpdateStatus.PENDING,
        ),
        Action(
            name="publish",
            label="Publish",
            sources=frozenset({UpdateStatus.PENDING}),
            target=UpdateStatus.PUBLISHED,
            refusal="This update was moderated already: it is {state}.",
        ),
        Action(
            name="reject",
            label="Reject",
            sources=frozenset({UpdateStatus.PENDING}),
            target=UpdateStatus.REJECTED,
            needs_reason=True,
            refusal="This update was moderated already: it is {state}.",
        ),
    ),
)

UPDATE_SUBMIT = UPDATE_WORKFLOW["submit"]
UPDATE_PUBLISH = UPDATE_WORKFLOW["publish"]
UPDATE_REJECT = UPDATE_WORKFLOW["reject"]
