"""The staff home (/staff/): what waits for the signed-in person, by what their role allows.

Each task is a count from the owning app's selectors (counted in the database) and a link to the
filtered admin list; the oldest few items link to the item itself. A task appears only when the
person's permissions (charter_portal.roles.ROLE_PERMISSIONS) or the workflow table let them do
it. Signing in starts here for staff; a councillor starts at their neighbourhoods' dashboards
(`start_url`). The page runs a fixed number of queries, whatever is waiting.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from audit.selectors import subject_requests_recent
from balancesheets.models import SheetStatus
from balancesheets.selectors import sheets_waiting
from balancesheets.workflows import PUBLISH as SHEET_PUBLISH
from balancesheets.workflows import SHEET_WORKFLOW
from balancesheets.workflows import SUBMIT as SHEET_SUBMIT
from balancesheets.workflows import VALIDATE as SHEET_VALIDATE
from metrics.models import ValueStatus
from metrics.selectors import metric_values_waiting
from metrics.spend.models import ImportBatchStatus
from metrics.spend.selectors import import_batches_in_review
from metrics.workflows import VALIDATE as VALUE_VALIDATE
from metrics.workflows import VALUE_WORKFLOW
from neighbourhoods.current import council_or_404
from neighbourhoods.models import Neighbourhood
from neighbourhoods.selectors import StaffAccess, staff_access
from outbox.models import OutboundEmail
from outbox.selectors import emails_needing_attention
from pledges.models import PledgeStatus, UpdateStatus
from pledges.selectors import moderation_waiting

SHOWN = 5  # the oldest (or latest) items listed under a task
SUBJECT_REQUEST_DAYS = 30


@dataclass(frozen=True)
class Item:
    text: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class Task:
    key: str  # unique on the page: the id its status is described by
    label: str
    count: int
    url: str
    hint: str = ""
    items_heading: str = ""
    items: list[Item] = field(default_factory=list)
    counted: str = "waiting"  # what the count is of: "3 waiting"


@dataclass(frozen=True)
class Section:
    heading: str
    tasks: list[Task] = field(default_factory=list)
    links: list[Item] = field(default_factory=list)


def _changelist(model: str, **filters: str) -> str:
    url = reverse(f"admin:{model}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def _change(model: str, pk: int) -> str:
    return reverse(f"admin:{model}_change", args=[pk])


def _has_staff_role(access: StaffAccess, user) -> bool:
    return user.is_staff or access.sees_all or access.sees_all_personal_data


def start_url(user) -> str:
    """Where signing in leads when no safe `next` is asked for: staff to the staff home; a
    councillor to their neighbourhood's dashboard (to the list of them when they have several)."""
    access = staff_access(user=user)
    if _has_staff_role(access, user) or not access.councillor_of:
        return reverse("staff_home")
    if len(access.councillor_of) == 1:
        (pk,) = access.councillor_of
        slug = Neighbourhood.objects.filter(pk=pk).values_list("slug", flat=True).first()
        if slug:
            return reverse("dashboard_neighbourhood", args=[slug])
    return reverse("dashboard")


def _moderation(user) -> Section | None:
    may_pledges = user.has_perm("pledges.change_pledge")
    may_updates = user.has_perm("pledges.change_pledgeupdate")
    if not (may_pledges or may_updates):
        return None
    waiting = moderation_waiting(shown=SHOWN)
    tasks = []
    if may_pledges:
        tasks += [
            Task(
                "pledges-confirmed",
                "Pledges to moderate",
                waiting.confirmed,
                _changelist("pledges_pledge", status__exact=PledgeStatus.CONFIRMED),
                hint="Confirmed by their pledger by email or on paper: publish or reject each.",
            ),
            Task(
                "pledges-held",
                "Pledges held for review",
                waiting.held,
                _changelist("pledges_pledge", status__exact=PledgeStatus.HELD),
                hint="An abuse rule held these: check each before publishing or rejecting it.",
                items_heading="Held longest",
                items=[
                    Item(
                        pledge.reference,
                        _change("pledges_pledge", pledge.pk),
                        f"Held because: {pledge.hold_reason or 'no reason was recorded'}",
                    )
                    for pledge in waiting.held_oldest
                ],
            ),
        ]
    if may_updates:
        tasks.append(
            Task(
                "updates-pending",
                "Progress updates to moderate",
                waiting.updates,
                _changelist("pledges_pledgeupdate", status__exact=UpdateStatus.PENDING),
                items_heading="Waiting longest",
                items=[
                    Item(
                        f"Update on {update.pledge_reference}",
                        _change("pledges_pledgeupdate", update.pk),
                    )
                    for update in waiting.updates_oldest
                ],
            )
        )
    return Section("Pledges and progress updates", tasks)


def _metric_values(user) -> Section | None:
    may_enter = user.has_perm("metrics.add_metricvalue")
    may_validate = VALUE_WORKFLOW.may(VALUE_VALIDATE, None, user)
    if not (may_enter or may_validate):
        return None
    waiting = metric_values_waiting(shown=SHOWN)
    tasks = []
    if may_enter:
        tasks += [
            Task(
                "values-draft",
                "Metric values to submit",
                waiting.drafts,
                _changelist("metrics_metricvalue", status__exact=ValueStatus.DRAFT),
                hint="Drafts, entered or computed: check each and submit it for validation.",
            ),
            Task(
                "values-returned",
                "Metric values returned by the CWB Group",
                waiting.returned,
                _changelist("metrics_metricvalue", status__exact=ValueStatus.RETURNED),
                hint="Correct each as its comment asks, then submit it again.",
                items_heading="Returned longest ago",
                items=[
                    Item(
                        value.label,
                        _change("metrics_metricvalue", value.pk),
                        f"The CWB Group said: {value.comment}",
                    )
                    for value in waiting.returned_oldest
                ],
            ),
        ]
    if may_validate:
        tasks.append(
            Task(
                "values-submitted",
                "Metric values to validate",
                waiting.submitted,
                _changelist("metrics_metricvalue", status__exact=ValueStatus.SUBMITTED),
                hint="Validate each, or return it with a comment saying what must change.",
            )
        )
    return Section("Metric values", tasks)


def _sheet_items(sheets) -> list[Item]:
    return [
        Item(
            str(sheet),
            reverse("balancesheets:manage_sheet", args=[sheet.pk]),
            f"Returned: {sheet.return_comments}" if sheet.is_returned else "",
        )
        for sheet in sheets
    ]


def _balance_sheets(user) -> Section | None:
    if not user.has_perm("balancesheets.view_balancesheet"):
        return None
    offered = [
        (action, key, label, statuses, hint)
        for action, key, label, statuses, hint in (
            (
                SHEET_SUBMIT,
                "sheets-to-submit",
                "Balance sheets to submit",
                (SheetStatus.RETURNED, SheetStatus.DRAFT),
                "Finish their lines and submit them to the CWB Group.",
            ),
            (
                SHEET_VALIDATE,
                "sheets-to-validate",
                "Balance sheets to validate",
                (SheetStatus.SUBMITTED,),
                "Validate each, or return it with comments.",
            ),
            (
                SHEET_PUBLISH,
                "sheets-to-publish",
                "Balance sheets to publish",
                (SheetStatus.VALIDATED,),
                "Validated by the CWB Group: publishing makes each public.",
            ),
        )
        if SHEET_WORKFLOW.may(action, None, user)
    ]
    editor = Item("Open the balance-sheet editor", reverse("balancesheets:manage"))
    if not offered:
        return Section("Balance sheets", links=[editor])
    waiting = sheets_waiting(council=council_or_404(), shown=SHOWN)
    counts = {
        SHEET_SUBMIT: waiting.to_submit,
        SHEET_VALIDATE: waiting.to_validate,
        SHEET_PUBLISH: waiting.to_publish,
    }
    tasks = [
        Task(
            key,
            label,
            counts[action],
            _changelist("balancesheets_balancesheet", status__in=",".join(statuses)),
            hint=hint,
            items_heading="In the editor",
            items=_sheet_items(waiting.sheets(*statuses)),
        )
        for action, key, label, statuses, hint in offered
    ]
    return Section("Balance sheets", tasks, links=[editor])


def _spend_imports(user) -> Section | None:
    if not user.has_perm("metrics.add_importbatch"):
        return None
    in_review = import_batches_in_review()
    batches = list(in_review.only("pk", "file_name", "imported_at", "rows")[:SHOWN])
    count = len(batches) if len(batches) < SHOWN else in_review.count()
    task = Task(
        "imports-review",
        "Spend imports to review",
        count,
        _changelist("metrics_importbatch", status__exact=ImportBatchStatus.REVIEW),
        hint="Not public yet: check each preview, then publish or discard it.",
        items_heading="Waiting longest",
        items=[
            Item(str(batch), _change("metrics_importbatch", batch.pk), f"{batch.rows:,} rows")
            for batch in batches
        ],
    )
    upload = Item("Upload a spending file", reverse("admin:metrics_importbatch_upload"))
    return Section("Spend imports", [task], links=[upload])


def _emails(user) -> Section | None:
    if not user.has_perm("outbox.view_outboundemail"):
        return None
    emails = emails_needing_attention()
    return Section(
        "Emails",
        [
            Task(
                "emails-failed",
                "Emails that failed",
                emails.failed,
                _changelist("outbox_outboundemail", status__exact=OutboundEmail.Status.FAILED),
                hint="The mail server refused them after every retry: fix the cause, then retry.",
            ),
            Task(
                "emails-stuck",
                "Emails stuck sending",
                emails.stuck,
                _changelist("outbox_outboundemail", stuck="yes"),
                hint="Their worker stopped mid-send; a running worker sends them again.",
            ),
        ],
    )


def _subject_requests(user) -> Section | None:
    may_export = user.has_perm("audit.export_subject_data")
    may_erase = user.has_perm("audit.erase_subject_data")
    if not (may_export or may_erase):
        return None
    recent = subject_requests_recent(days=SUBJECT_REQUEST_DAYS)
    links = []
    if may_export:
        links.append(
            Item(
                "Export everything held about an email address",
                reverse("admin:audit_subjectrequest_export"),
            )
        )
    if may_erase:
        links.append(
            Item(
                "Erase everything held about an email address",
                reverse("admin:audit_subjectrequest_erase"),
            )
        )
    if user.has_perm("audit.view_personaldataview"):
        links.append(Item("Who saw personal data", _changelist("audit_personaldataview")))
    task = Task(
        "subject-requests",
        f"Subject requests answered in the last {SUBJECT_REQUEST_DAYS} days",
        recent["exports"] + recent["erasures"],
        _changelist("audit_subjectrequest"),
        hint=f"{recent['exports']} exports and {recent['erasures']} erasures. Requests arrive "
        "by email or post: answer each within one month.",
        counted="answered",
    )
    return Section("Data subject requests", [task], links=links)


def staff_sections(user) -> list[Section]:
    """Every section the user's role allows, in the order of the day's work."""
    sections = (
        _moderation(user),
        _metric_values(user),
        _balance_sheets(user),
        _spend_imports(user),
        _emails(user),
        _subject_requests(user),
    )
    return [section for section in sections if section is not None]


@never_cache
@login_required
@require_safe
def staff_home(request):
    access = staff_access(user=request.user)
    if not _has_staff_role(access, request.user) and access.councillor_of:
        return redirect(start_url(request.user))
    sections = staff_sections(request.user)
    return render(
        request,
        "staff/home.html",
        {
            "sections": sections,
            "sees_dashboards": access.has_any,
        },
    )
