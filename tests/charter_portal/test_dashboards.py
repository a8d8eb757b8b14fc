"""The neighbourhood dashboards: who may see what, figures, and bounded queries."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import PersonalDataView
from core.roles import COUNCILLORS, CWB_GROUP, OFFICERS
from neighbourhoods.models import Membership
from pledges.models import Pledge, PledgeStatus, PledgeUpdate, UpdateStatus
from tests.factories import MembershipFactory, PledgeFactory, UserFactory
from tests.signin import sign_in_verified

A, B = "bedwell-and-pin-green", "chells-and-manor"
CONTACT_EMAIL = "consenting.pledger@private.example.org"


def _user(role, council):
    if role == "anonymous":
        return None
    user = UserFactory(username=role, is_staff=role.startswith("officer") or role == "cwb")
    if role.startswith("officer"):
        user.groups.add(Group.objects.get(name=OFFICERS))
        # "officer_a" works in neighbourhood A, "officer_b" in B, "officer" in none.
        if role != "officer":
            MembershipFactory(
                user=user,
                neighbourhood=council.neighbourhoods.get(slug=A if role == "officer_a" else B),
                role=Membership.Role.OFFICER,
            )
    elif role == "cwb":
        user.groups.add(Group.objects.get(name=CWB_GROUP))
    else:
        user.groups.add(Group.objects.get(name=COUNCILLORS))
        slug = A if role == "councillor_a" else B
        MembershipFactory(
            user=user,
            neighbourhood=council.neighbourhoods.get(slug=slug),
            role=Membership.Role.COUNCILLOR,
        )
    return user


@pytest.fixture
def seeded(council):
    area_a = council.neighbourhoods.get(slug=A)
    PledgeFactory(neighbourhood=area_a, contact_consent=True, email=CONTACT_EMAIL)
    PledgeFactory(neighbourhood=council.neighbourhoods.get(slug=B))
    return council


# (role, path, status, whether neighbourhood A's consenting pledger's email is shown).
# Contact details are for the officers of A (and the data-protection staff) only.
MATRIX = [
    ("anonymous", "/dashboard/", 302, False),
    ("anonymous", f"/dashboard/{A}/", 302, False),
    ("councillor_a", "/dashboard/", 200, False),
    ("councillor_a", f"/dashboard/{A}/", 200, False),
    ("councillor_a", f"/dashboard/{B}/", 403, False),
    ("councillor_b", f"/dashboard/{A}/", 403, False),
    ("councillor_b", f"/dashboard/{B}/", 200, False),
    ("officer", "/dashboard/", 200, False),
    ("officer", f"/dashboard/{A}/", 200, False),
    ("officer_a", f"/dashboard/{A}/", 200, True),
    ("officer_a", f"/dashboard/{B}/", 200, False),  # B's list has no A contacts
    ("officer_b", f"/dashboard/{A}/", 200, False),
    ("cwb", f"/dashboard/{A}/", 200, False),
    ("cwb", f"/dashboard/{B}/", 200, False),
    ("anonymous", f"/dashboard/{A}/contacts.csv", 302, False),
    ("councillor_a", f"/dashboard/{A}/contacts.csv", 403, False),
    ("councillor_b", f"/dashboard/{A}/contacts.csv", 403, False),
    ("cwb", f"/dashboard/{A}/contacts.csv", 403, False),
    ("officer", f"/dashboard/{A}/contacts.csv", 403, False),
    ("officer_b", f"/dashboard/{A}/contacts.csv", 403, False),
    ("officer_a", f"/dashboard/{A}/contacts.csv", 200, True),
]


@pytest.mark.parametrize(("role", "path", "status", "sees_contacts"), MATRIX)
def test_the_permission_matrix_holds(seeded, client, role, path, status, sees_contacts):
    user = _user(role, seeded)
    if user:
        sign_in_verified(client, user)
    response = client.get(path)
    assert response.status_code == status
    body = response.content.decode("utf-8-sig") if status == 200 else ""
    assert (CONTACT_EMAIL in body) == sees_contacts


def test_a_signed_in_user_without_a_role_is_refused(seeded, client):
    sign_in_verified(client, UserFactory())
    assert client.get("/dashboard/").status_code == 403


def test_a_councillor_sees_only_their_neighbourhoods_on_the_index(seeded, client):
    sign_in_verified(client, _user("councillor_a", seeded))
    page = client.get("/dashboard/").content.decode()
    assert "Bedwell and Pin Green" in page
    assert "Chells and Manor" not in page


def test_an_officer_sees_all_six_side_by_side(seeded, client):
    sign_in_verified(client, _user("officer", seeded))
    page = client.get("/dashboard/").content.decode()
    for neighbourhood in seeded.neighbourhoods.all():
        assert neighbourhood.name in page


def test_every_view_of_the_contact_list_is_logged(seeded, client):
    officer = _user("officer_a", seeded)
    sign_in_verified(client, officer)
    client.get(f"/dashboard/{A}/")
    client.get(f"/dashboard/{A}/contacts.csv")
    views = list(PersonalDataView.objects.order_by("viewed_at"))
    shown = Pledge.objects.get(email=CONTACT_EMAIL).pk
    assert [(v.viewer, v.what, v.how, v.object_ids) for v in views] == [
        (officer, "Contact list: Bedwell and Pin Green", "viewed", [shown]),
        (officer, "Contact list: Bedwell and Pin Green", "exported", [shown]),
    ]
    assert views[0].people == 1


def test_the_figures_equal_an_independent_count(seeded, client):
    area = seeded.neighbourhoods.get(slug=A)
    for status in (PledgeStatus.CONFIRMED, PledgeStatus.HELD, PledgeStatus.REJECTED):
        PledgeFactory(neighbourhood=area, status=status, published_at=None)
    pledge = PledgeFactory(neighbourhood=area)
    PledgeUpdate.objects.create(
        pledge=pledge, text="Done", hours_volunteered=7, status=UpdateStatus.PUBLISHED
    )
    PledgeUpdate.objects.create(pledge=pledge, text="Pending", hours_volunteered=100)
    sign_in_verified(client, _user("officer", seeded))
    dashboard = client.get(f"/dashboard/{A}/").context["pledges"]
    in_area = Pledge.objects.filter(neighbourhood=area)
    assert dashboard.published == in_area.filter(status=PledgeStatus.PUBLISHED).count() == 2
    assert dashboard.awaiting_moderation == 2
    assert dashboard.figures.hours_volunteered == 7
    assert sum(n for _, n in dashboard.by_pledger_type) == dashboard.published


def test_the_public_neighbourhood_page_never_shows_contact_details(seeded, client):
    page = client.get(f"/neighbourhoods/{A}/").content.decode()
    assert CONTACT_EMAIL not in page


def _bulk_pledges(neighbourhood, first, last):
    """Many published pledges in one statement (the factories would take minutes)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {Pledge._meta.db_table} (reference, pledger_type, organisation_size,
                display_name, show_name, contact_name, email, postcode, contact_consent, ip_hash,
                neighbourhood_id, text, target, status, source, hold_reason,
                duplicate_fingerprint, confirmation_nonce, created_at, confirmed_at,
                published_at)
            SELECT 'B' || lpad(to_hex(n), 7, '0'), 'resident', '', 'Bulk ' || n, true,
                'Contact ' || n, 'bulk' || n || '@private.example.org', '', n %% 2 = 0, '',
                %s, 'A pledge', '', 'published', 'online', '', '', '',
                now() - (n || ' hours')::interval, now(), now() - (n || ' hours')::interval
            FROM generate_series(%s, %s) AS n
            """,  # noqa: S608
            [neighbourhood.pk, first, last],
        )


@pytest.mark.parametrize("path", ["/dashboard/", f"/dashboard/{A}/"])
def test_queries_are_the_same_for_100_and_100000_pledges(seeded, client, path):
    sign_in_verified(client, _user("officer_a", seeded))
    area = seeded.neighbourhoods.get(slug=A)
    _bulk_pledges(area, 1, 100)
    # Process-wide caches (content types) are filled by the first request, whatever came before.
    assert client.get(path).status_code == 200
    with CaptureQueriesContext(connection) as small:
        assert client.get(path).status_code == 200
    _bulk_pledges(area, 101, 100_000)
    with CaptureQueriesContext(connection) as large:
        assert client.get(path).status_code == 200
    assert len(large) == len(small)
    assert len(small) <= 35
