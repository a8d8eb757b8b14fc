"""Staff sessions: idle and absolute timeouts, cookies, headers and caching of private pages."""

import os
import subprocess
import sys
import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import override_settings

from charter_portal.staff_sessions import LAST_SEEN_AT, SIGNED_IN_AT
from pledges.tokens import new_secret, secret_hash
from tests.factories import PledgeFactory, UserFactory
from tests.signin import second_factor_device, sign_in_verified, totp_code

pytestmark = pytest.mark.django_db

MINUTE = 60
HOUR = 3600


@pytest.fixture
def officer(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def signed_in(client, officer):
    sign_in_verified(client, officer)
    assert client.get("/admin/").status_code == 200
    return client


def _age_session(client, *, idle: float, signed_in_for: float):
    session = client.session
    now = time.time()
    session[LAST_SEEN_AT] = now - idle
    session[SIGNED_IN_AT] = now - signed_in_for
    session.save()


# Timeouts ------------------------------------------------------------------------------------


def test_29_minutes_idle_is_still_signed_in(signed_in):
    _age_session(signed_in, idle=29 * MINUTE, signed_in_for=2 * HOUR)
    assert signed_in.get("/admin/").status_code == 200


def test_30_minutes_idle_signs_the_person_out(signed_in):
    _age_session(signed_in, idle=30 * MINUTE, signed_in_for=2 * HOUR)
    response = signed_in.get("/admin/pledges/pledge/")
    assert response.status_code == 302
    assert response.url == "/sign-in/?reason=idle&next=%2Fadmin%2Fpledges%2Fpledge%2F"
    assert SESSION_KEY not in signed_in.session
    page = signed_in.get(response.url).content.decode()
    assert "You were signed out because you had not used the service for 30 minutes." in page


def test_12_hours_in_all_signs_the_person_out_however_busy(signed_in):
    _age_session(signed_in, idle=1 * MINUTE, signed_in_for=12 * HOUR)
    response = signed_in.get("/admin/")
    assert response.url.startswith("/sign-in/?reason=expired")
    assert SESSION_KEY not in signed_in.session


def test_the_session_itself_ends_with_the_idle_limit(signed_in):
    """The stored session and its cookie expire too, not only the check on each request."""
    signed_in.get("/admin/")
    assert signed_in.session.get_expiry_age() <= 30 * MINUTE
    assert 0 < int(signed_in.cookies["sessionid"]["max-age"]) <= 30 * MINUTE


def test_the_absolute_limit_caps_the_cookie_too(signed_in):
    _age_session(signed_in, idle=0, signed_in_for=12 * HOUR - 10 * MINUTE)
    signed_in.get("/admin/")
    assert int(signed_in.cookies["sessionid"]["max-age"]) <= 10 * MINUTE


@override_settings(STAFF_SESSION_IDLE_SECONDS=5 * MINUTE, STAFF_SESSION_MAX_SECONDS=HOUR)
def test_the_limits_come_from_settings(signed_in):
    _age_session(signed_in, idle=5 * MINUTE, signed_in_for=10 * MINUTE)
    assert signed_in.get("/admin/").url.startswith("/sign-in/?reason=idle")


# Cookies and headers in production -------------------------------------------------------------


def _production_setting(*names):
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "charter.example.org",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        "DJANGO_SETTINGS_MODULE": "charter_portal.settings",
    }
    code = f"from django.conf import settings; print(*[getattr(settings, n) for n in {names!r}])"
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()


def test_production_cookies_have_host_prefixed_names():
    assert _production_setting("SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME") == [
        "__Host-sessionid",
        "__Host-csrftoken",
    ]


@override_settings(
    SESSION_COOKIE_NAME="__Host-sessionid",
    CSRF_COOKIE_NAME="__Host-csrftoken",
    SESSION_COOKIE_SECURE=True,
    CSRF_COOKIE_SECURE=True,
)
def test_host_cookies_are_secure_for_the_whole_site_and_no_domain(client, officer):
    """What a browser demands of a __Host- cookie, checked on a real sign-in."""
    device = second_factor_device(officer)
    officer.set_password("a-long-password-for-tests")
    officer.save()
    client.get("/sign-in/", secure=True)
    client.post(
        "/sign-in/",
        {"username": officer.username, "password": "a-long-password-for-tests"},
        secure=True,
    )
    client.post("/sign-in/code/", {"code": totp_code(device)}, secure=True)
    for name in ("__Host-sessionid", "__Host-csrftoken"):
        cookie = client.cookies[name]
        assert cookie["secure"]
        assert cookie["path"] == "/"
        assert not cookie["domain"]
    assert client.get("/admin/", secure=True).status_code == 200


def test_permissions_policy_denies_unused_features_and_allows_passkeys(client, db):
    policy = client.get("/healthz")["Permissions-Policy"]
    for denied in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert denied in policy
    assert "publickey-credentials-get=(self)" in policy
    assert "publickey-credentials-create=(self)" in policy


# Cache-Control: no-store ------------------------------------------------------------------------


def test_every_page_to_a_signed_in_person_is_no_store(signed_in, small_council):
    for url in ("/admin/", "/admin/pledges/pledge/", "/dashboard/", "/", "/pledges/"):
        assert "no-store" in signed_in.get(url)["Cache-Control"], url


def test_the_sign_in_steps_are_no_store(client, officer):
    assert "no-store" in client.get("/sign-in/")["Cache-Control"]
    client.force_login(officer)
    assert "no-store" in client.get("/sign-in/set-up/")["Cache-Control"]


def test_public_pages_stay_cacheable_for_everyone_else(client, small_council):
    assert "no-store" not in client.get("/pledges/").get("Cache-Control", "")


def test_the_private_manage_link_is_no_store(client, db):
    token = new_secret()
    PledgeFactory(manage_token_hash=secret_hash(token))
    for url in (f"/pledge/manage/{token}/", f"/pledge/manage/{token}/progress/"):
        assert "no-store" in client.get(url)["Cache-Control"], url


@pytest.mark.parametrize(
    "path",
    ["/pledge/", "/pledge/name/", "/pledge/postcode/", "/pledge/email/", "/pledge/check-answers/"],
)
def test_journey_pages_that_show_answers_back_are_no_store(client, small_council, path):
    assert "no-store" in client.get(path)["Cache-Control"]
