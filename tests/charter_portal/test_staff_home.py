"""The staff home: what waits for each role, each a link to the filtered list or the item; and
where signing in takes each role."""

import re

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from audit.models import SubjectRequest
from balancesheets.models import SheetStatus
from core.roles import COUNCILLORS, CWB_GROUP, DATA_PROTECTION, OFFICERS
from metrics.models import ValueStatus
from metrics.spend.models import ImportBatch
from neighbourhoods.models import Membership
from outbox.models import OutboundEmail
from pledges.models import PledgeStatus, PledgeUpdate, UpdateStatus
from tests.balancesheets.factories import BalanceSheetFactory
from tests.factories import MembershipFactory, PledgeFactory, UserFactory
from tests.metrics.factories import MetricValueFactory
from tests.metrics.factories_spend import ImportBatchFactory
from tests.signin import second_factor_device, sign_in_verified, totp_code

PASSWORD = "a-long-test-password"  # UserFactory's

ROLE_TASKS = {
    OFFICERS: {
        "Pledges to moderate",
        "Pledges held for review",
        "Progress updates to moderate",
        "Metric values to submit",
        "Metric values returned by the CWB Group",
        "Balance sheets to submit",
        "Balance sheets to publish",
        "Spend imports to review",
        "Emails that failed",
        "Emails stuck sending",
    },
    CWB_GROUP: {"Metric values to validate", "Balance sheets to validate"},
    DATA_PROTECTION: {
        "Emails that failed",
        "Emails stuck sending",
        "Subject requests answered in the last 30 days",
    },
}
EVERY_TASK = set().union(*ROLE_TASKS.values())
# The item of `waiting_items` each task's list must show.
TASK_ITEMS = {
    "Pledges to moderate": "confirmed",
    "Pledges held for review": "held",
    "Progress updates to moderate": "update",
    "Metric values to submit": "draft",
    "Metric values returned by the CWB Group": "returned",
    "Balance sheets to submit": "sheet_returned",
    "Spend imports to review": "batch",
    "Emails that failed": "failed_email",
    "Metric values to validate": "submitted",
    "Balance sheets to validate": "sheet_submitted",
    "Subject requests answered in the last 30 days": "subject_request",
}


def _user(group_name=None, **kwargs):
    user = UserFactory(is_staff=group_name != COUNCILLORS, **kwargs)
    if group_name:
        user.groups.add(Group.objects.get(name=group_name))
    return user


def _tasks(html: str) -> dict[str, tuple[str, str]]:
    """Each task's label → (its link, its status text)."""
    found = {}
    for item in re.findall(r'<li class="govuk-task-list__item.*?</li>', html, re.S):
        href, label = re.search(r'href="([^"]+)"[^>]*>([^<]+)</a>', item).groups()
        status = re.search(r'class="govuk-task-list__status"[^>]*>(.*?)</div>', item, re.S)
        text = re.sub(r"<[^>]+>", "", status.group(1)).strip()
        found[label] = (href.replace("&amp;", "&"), text)
    return found


def _home(client, user):
    sign_in_verified(client, user)
    response = client.get("/staff/")
    assert response.status_code == 200
    return response.content.decode()


def waiting_items(council) -> dict:
    """Something waiting at every step (also the browser test's data)."""
    area = council.neighbourhoods.order_by("order").first()
    confirmed = PledgeFactory(status=PledgeStatus.CONFIRMED, published_at=None)
    held = PledgeFactory(
        status=PledgeStatus.HELD, published_at=None, hold_reason="Five pledges from one address"
    )
    published = PledgeFactory()
    update = PledgeUpdate.objects.create(
        pledge=published, text="Half way", status=UpdateStatus.PENDING
    )
    draft = MetricValueFactory(status=ValueStatus.DRAFT)
    returned = MetricValueFactory(
        status=ValueStatus.RETURNED, return_comment="Give the source of the figure"
    )
    submitted = MetricValueFactory(status=ValueStatus.SUBMITTED, submitted_at=timezone.now())
    now = timezone.now()
    sheet_returned = BalanceSheetFactory(
        council=council,
        neighbourhood=area,
        status=SheetStatus.RETURNED,
        submitted_at=now,
        returned_at=now,
        return_comments="Count the allotments again",
    )
    sheet_submitted = BalanceSheetFactory(
        council=council, neighbourhood=None, status=SheetStatus.SUBMITTED, submitted_at=now
    )
    batch = ImportBatchFactory(status=ImportBatch.Status.REVIEW, rows=1200, reviewed_at=None)
    failed_email = OutboundEmail.objects.create(
        to="someone@example.org", subject="Hello", body="Hi", kind="confirmation", status="failed"
    )
    subject_request = SubjectRequest.objects.create(
        kind="export", actor=UserFactory(), address_hash="0" * 64
    )
    return {
        "confirmed": confirmed,
        "held": held,
        "update": update,
        "draft": draft,
        "returned": returned,
        "submitted": submitted,
        "sheet_returned": sheet_returned,
        "sheet_submitted": sheet_submitted,
        "batch": batch,
        "failed_email": failed_email,
        "subject_request": subject_request,
    }


@pytest.fixture
def waiting(council):
    return waiting_items(council)


@pytest.mark.parametrize("role", [OFFICERS, CWB_GROUP, DATA_PROTECTION])
def test_each_role_sees_its_own_tasks_and_not_the_others(waiting, client, role):
    tasks = _tasks(_home(client, _user(role)))
    assert set(tasks) == ROLE_TASKS[role]
    assert not (EVERY_TASK - ROLE_TASKS[role]) & set(tasks)


def test_a_superuser_sees_every_task_but_validating_which_is_the_cwb_groups(waiting, client):
    tasks = _tasks(_home(client, _user(is_superuser=True)))
    assert set(tasks) == EVERY_TASK - ROLE_TASKS[CWB_GROUP]


def test_the_counts_are_what_waits(waiting, client):
    tasks = _tasks(_home(client, _user(OFFICERS)))
    assert tasks["Pledges to moderate"][1] == "1 waiting"
    assert tasks["Pledges held for review"][1] == "1 waiting"
    assert tasks["Progress updates to moderate"][1] == "1 waiting"
    assert tasks["Metric values to submit"][1] == "1 waiting"
    assert tasks["Balance sheets to submit"][1] == "1 waiting"
    assert tasks["Balance sheets to publish"][1] == "None waiting"
    assert tasks["Spend imports to review"][1] == "1 waiting"
    assert tasks["Emails that failed"][1] == "1 waiting"


def test_a_held_pledge_says_why_it_was_held_and_links_to_itself(waiting, client):
    html = _home(client, _user(OFFICERS))
    held = waiting["held"]
    assert f'href="/admin/pledges/pledge/{held.pk}/change/">{held.reference}</a>' in html
    assert "Held because: Five pledges from one address" in html


def test_a_returned_value_shows_what_the_cwb_group_asked(waiting, client):
    html = _home(client, _user(OFFICERS))
    assert f'href="/admin/metrics/metricvalue/{waiting["returned"].pk}/change/"' in html
    assert "The CWB Group said: Give the source of the figure" in html


def test_sheets_link_to_the_balance_sheet_editor(waiting, client):
    officer_html = _home(client, _user(OFFICERS))
    assert f'href="/balance-sheets/manage/{waiting["sheet_returned"].pk}/"' in officer_html
    assert "Returned: Count the allotments again" in officer_html
    assert 'href="/balance-sheets/manage/">Open the balance-sheet editor</a>' in officer_html
    validator_html = _home(client, _user(CWB_GROUP))
    assert f'href="/balance-sheets/manage/{waiting["sheet_submitted"].pk}/"' in validator_html
    assert f'href="/balance-sheets/manage/{waiting["sheet_returned"].pk}/"' not in validator_html


def test_a_batch_in_review_links_to_its_page(waiting, client):
    html = _home(client, _user(OFFICERS))
    assert f'href="/admin/metrics/importbatch/{waiting["batch"].pk}/change/"' in html
    assert "1,200 rows" in html


def _listed(client, url, obj) -> bool:
    html = client.get(url).content.decode()
    return f"/{obj.pk}/change/" in html


@pytest.mark.parametrize(
    ("role", "label", "listed", "not_listed"),
    [
        (OFFICERS, "Pledges to moderate", "confirmed", "held"),
        (OFFICERS, "Pledges held for review", "held", "confirmed"),
        (OFFICERS, "Progress updates to moderate", "update", None),
        (OFFICERS, "Metric values to submit", "draft", "returned"),
        (OFFICERS, "Metric values returned by the CWB Group", "returned", "draft"),
        (OFFICERS, "Balance sheets to submit", "sheet_returned", "sheet_submitted"),
        (OFFICERS, "Spend imports to review", "batch", None),
        (OFFICERS, "Emails that failed", "failed_email", None),
        (CWB_GROUP, "Metric values to validate", "submitted", "draft"),
        (CWB_GROUP, "Balance sheets to validate", "sheet_submitted", "sheet_returned"),
    ],
)
def test_each_task_links_to_the_list_of_what_it_counts(
    waiting, client, role, label, listed, not_listed
):
    url, _ = _tasks(_home(client, _user(role)))[label]
    response = client.get(url)
    assert response.status_code == 200
    assert _listed(client, url, waiting[listed])
    if not_listed:
        assert not _listed(client, url, waiting[not_listed])


def test_the_data_protection_role_reaches_subject_requests(waiting, client):
    html = _home(client, _user(DATA_PROTECTION))
    tasks = _tasks(html)
    assert tasks["Subject requests answered in the last 30 days"][1] == "1 answered"
    for url in ("/admin/audit/subjectrequest/export/", "/admin/audit/subjectrequest/erase/"):
        assert f'href="{url}"' in html
        assert client.get(url).status_code == 200


def test_a_councillor_is_sent_to_their_dashboard(council, client):
    area = council.neighbourhoods.order_by("order").first()
    councillor = _user(COUNCILLORS)
    MembershipFactory(user=councillor, neighbourhood=area, role=Membership.Role.COUNCILLOR)
    sign_in_verified(client, councillor)
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response.url == f"/dashboard/{area.slug}/"


def test_someone_without_a_role_is_told_so(council, client):
    html = _home(client, UserFactory(is_staff=False))
    assert "Your account has no staff role yet" in html
    assert not _tasks(html)


@pytest.mark.parametrize("role", [OFFICERS, CWB_GROUP, DATA_PROTECTION])
def test_the_page_runs_a_fixed_number_of_queries(
    council, client, role, django_assert_max_num_queries
):
    user = _user(role)
    sign_in_verified(client, user)

    def load(bound):
        with django_assert_max_num_queries(bound):
            assert client.get("/staff/").status_code == 200

    load(25)
    PledgeFactory.create_batch(
        30, status=PledgeStatus.HELD, published_at=None, hold_reason="Too many"
    )
    for n in range(12):
        MetricValueFactory(status=ValueStatus.RETURNED, return_comment=f"Comment {n}")
    for area in council.neighbourhoods.all():
        BalanceSheetFactory(
            council=council, neighbourhood=area, status=SheetStatus.SUBMITTED,
            submitted_at=timezone.now(),
        )  # fmt: skip
    ImportBatchFactory.create_batch(8, status=ImportBatch.Status.REVIEW, reviewed_at=None)
    load(25)


# Where signing in leads --------------------------------------------------------------------


def _sign_in(client, user, next_path=""):
    device = second_factor_device(user)
    client.post("/sign-in/", {"username": user.username, "password": PASSWORD})
    data = {"code": totp_code(device)}
    if next_path:
        data["next"] = next_path
    return client.post("/sign-in/code/", data)


@pytest.mark.parametrize("role", [OFFICERS, CWB_GROUP, DATA_PROTECTION, None])
def test_staff_sign_in_to_the_staff_home(council, client, role):
    user = _user(role, is_superuser=role is None)
    assert _sign_in(client, user).url == "/staff/"


def test_a_councillor_of_one_neighbourhood_signs_in_to_its_dashboard(council, client):
    area = council.neighbourhoods.order_by("order").first()
    councillor = _user(COUNCILLORS)
    MembershipFactory(user=councillor, neighbourhood=area, role=Membership.Role.COUNCILLOR)
    assert _sign_in(client, councillor).url == f"/dashboard/{area.slug}/"


def test_a_councillor_of_several_signs_in_to_the_dashboards(council, client):
    councillor = _user(COUNCILLORS)
    for area in council.neighbourhoods.order_by("order")[:2]:
        MembershipFactory(user=councillor, neighbourhood=area, role=Membership.Role.COUNCILLOR)
    assert _sign_in(client, councillor).url == "/dashboard/"


def test_a_safe_next_still_wins(council, client):
    assert _sign_in(client, _user(OFFICERS), "/admin/pledges/pledge/").url == (
        "/admin/pledges/pledge/"
    )


def test_an_unsafe_next_leads_to_the_role_start(council, client):
    area = council.neighbourhoods.order_by("order").first()
    councillor = _user(COUNCILLORS)
    MembershipFactory(user=councillor, neighbourhood=area, role=Membership.Role.COUNCILLOR)
    assert _sign_in(client, councillor, "https://evil.example/").url == f"/dashboard/{area.slug}/"


# Admin's home and the footer ---------------------------------------------------------------


def test_admin_home_links_to_the_staff_home_and_the_balance_sheet_editor(council, client):
    sign_in_verified(client, _user(OFFICERS))
    html = client.get("/admin/").content.decode()
    assert 'href="/staff/"' in html
    assert 'href="/balance-sheets/manage/"' in html


def test_admin_home_says_in_words_that_nothing_was_done_through_admin_yet(council, client):
    sign_in_verified(client, _user(OFFICERS))
    html = client.get("/admin/").content.decode()
    assert "None available" not in html
    assert "You have not added, changed or deleted anything" in html


def test_the_footer_sign_in_link_leads_to_sign_in_without_a_next(council, client):
    html = client.get("/").content.decode()
    assert re.search(r'href="/sign-in/"[^>]*>Sign in for councillors and staff</a>', html)
