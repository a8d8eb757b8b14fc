"""Signing in: password, then a second factor, through one front door, throttled."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.roles import OFFICERS
from tests.factories import UserFactory
from tests.signin import second_factor_device, sign_in_verified, totp_code

PASSWORD = "correct-horse-battery-staple"
WRONG = "wrong-password"

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(staff_roles):
    from django.contrib.auth.models import Group

    user = UserFactory(username="officer", is_staff=True)
    user.set_password(PASSWORD)
    user.save()
    user.groups.add(Group.objects.get(name=OFFICERS))
    return user


def _password(client, username, password, *, path="/sign-in/", ip="192.0.2.10", **extra):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=ip, **extra)


def _signed_in(client) -> bool:
    return SESSION_KEY in client.session


# The second factor -----------------------------------------------------------------------------


def test_the_right_password_leads_to_the_second_factor_not_in(client, officer):
    second_factor_device(officer)
    response = _password(client, "officer", PASSWORD)
    assert response.status_code == 302
    assert response.url.startswith("/sign-in/code/")
    assert client.get("/dashboard/").url.startswith("/sign-in/code/?next=")


def test_the_right_code_signs_in_and_goes_on_to_next(client, officer):
    device = second_factor_device(officer)
    _password(client, "officer", PASSWORD)
    response = client.post(
        "/sign-in/code/", {"code": totp_code(device), "next": "/admin/pledges/pledge/"}
    )
    assert response.status_code == 302
    assert response.url == "/admin/pledges/pledge/"
    assert client.get("/admin/").status_code == 200


def test_next_never_leaves_the_site(client, officer):
    device = second_factor_device(officer)
    _password(client, "officer", PASSWORD)
    response = client.post(
        "/sign-in/code/", {"code": totp_code(device), "next": "https://evil.example/"}
    )
    assert response.url == "/staff/"  # the officer's start: the staff home


def test_a_wrong_code_is_refused_with_a_gov_uk_error(client, officer):
    second_factor_device(officer)
    _password(client, "officer", PASSWORD)
    response = client.post("/sign-in/code/", {"code": "000000"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "The code is not right" in page
    assert client.get("/admin/").status_code == 302


def test_wrong_codes_are_throttled_so_even_the_right_code_waits(client, officer):
    device = second_factor_device(officer)
    _password(client, "officer", PASSWORD)
    for _ in range(3):
        client.post("/sign-in/code/", {"code": "000000"})
    device.refresh_from_db()
    assert device.throttling_failure_count >= 1
    response = client.post("/sign-in/code/", {"code": totp_code(device)})
    assert "Too many wrong codes" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_a_recovery_code_works_once(client, officer):
    from charter_portal.second_factor import recovery_codes_replace

    second_factor_device(officer)
    codes = recovery_codes_replace(officer)
    assert len(codes) == 10
    _password(client, "officer", PASSWORD)
    assert client.post("/sign-in/code/", {"code": codes[0].upper()}).status_code == 302
    assert client.get("/admin/").status_code == 200
    assert not StaticDevice.objects.get(user=officer).token_set.filter(token=codes[0]).exists()


# Enrolment at first sign-in -------------------------------------------------------------------


def test_first_sign_in_sets_up_an_authenticator_app_then_shows_ten_recovery_codes(client, officer):
    response = _password(client, "officer", PASSWORD)
    response = client.get(response.url, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0].startswith("/sign-in/set-up/")
    assert "<svg" in page
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    from charter_portal.second_factor import enrolment_secret_text

    assert enrolment_secret_text(device) in page
    response = client.post("/sign-in/set-up/", {"code": totp_code(device)}, follow=True)
    page = response.content.decode()
    assert page.count("<li><code>") == 10
    device.refresh_from_db()
    assert device.confirmed
    # Shown once: the same page again has no codes.
    assert "<li><code>" not in client.get("/sign-in/recovery-codes/").content.decode()
    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_does_not_confirm_the_app(client, officer):
    _password(client, "officer", PASSWORD)
    client.get("/sign-in/set-up/")
    response = client.post("/sign-in/set-up/", {"code": "000000"})
    assert "The code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=officer, confirmed=True).exists()
    assert client.get("/admin/").status_code == 302


def test_an_enrolled_user_cannot_set_up_another_app_without_their_code(client, officer):
    second_factor_device(officer)
    _password(client, "officer", PASSWORD)
    response = client.get("/sign-in/set-up/")
    assert response.url.startswith("/sign-in/code/")
    assert TOTPDevice.objects.filter(user=officer).count() == 1


# One front door -------------------------------------------------------------------------------


def test_admin_login_sends_people_to_the_sign_in_page_with_next(client):
    response = client.get("/admin/login/?next=/admin/pledges/pledge/")
    assert response.status_code == 302
    assert response.url == "/sign-in/?next=%2Fadmin%2Fpledges%2Fpledge%2F"


def test_admin_login_does_not_sign_anyone_in(client, officer):
    second_factor_device(officer)
    response = _password(client, "officer", PASSWORD, path="/admin/login/")
    assert response.status_code == 302
    assert response.url.startswith("/sign-in/")
    assert not _signed_in(client)


# Throttling wrong passwords -------------------------------------------------------------------


def test_the_eleventh_guess_within_five_minutes_is_refused_even_when_right(client, officer):
    for _ in range(9):
        assert _password(client, "officer", WRONG).status_code == 200
    # The tenth wrong password is still checked; its answer is already the lockout page.
    assert _password(client, "officer", WRONG).status_code == 429
    response = _password(client, "officer", PASSWORD)
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()
    assert not _signed_in(client)


def test_guesses_through_admin_login_never_reach_a_password_check(client, officer):
    for _ in range(11):
        assert _password(client, "officer", WRONG, path="/admin/login/").status_code == 302
    assert not _signed_in(client)
    assert not AccessAttempt.objects.exists()


def test_ten_wrong_guesses_do_not_lock_the_officer_out_from_their_own_address(client, officer):
    for _ in range(11):
        _password(client, "officer", WRONG, ip="203.0.113.66")
    response = _password(client, "officer", PASSWORD, ip="192.0.2.10")
    assert response.status_code == 302
    assert _signed_in(client)


def test_the_lockout_ends_after_the_cool_off(client, officer):
    from datetime import timedelta

    from django.utils import timezone

    for _ in range(11):
        _password(client, "officer", WRONG)
    assert _password(client, "officer", PASSWORD).status_code == 429
    # An hour later (the attempts moved back rather than the clock forward).
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(hours=1))
    response = _password(client, "officer", PASSWORD)
    assert response.status_code == 302
    assert _signed_in(client)


def test_a_right_password_resets_the_count(client, officer):
    for _ in range(9):
        _password(client, "officer", WRONG)
    _password(client, "officer", PASSWORD)
    client.logout()
    for _ in range(9):
        _password(client, "officer", WRONG)
    assert _password(client, "officer", PASSWORD).status_code == 302


def test_the_verified_helper_reaches_admin(client, officer):
    sign_in_verified(client, officer)
    assert client.get("/admin/").status_code == 200


def test_wrong_codes_at_set_up_are_throttled_too(client, officer):
    _password(client, "officer", PASSWORD)
    client.get("/sign-in/set-up/")
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    client.post("/sign-in/set-up/", {"code": "000000"})
    response = client.post("/sign-in/set-up/", {"code": totp_code(device)})
    assert "Too many wrong codes" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=officer, confirmed=True).exists()


def test_a_passkey_cannot_be_added_to_an_enrolled_account_before_its_code(client, officer):
    """Otherwise a stolen password would be enough to add a second factor of one's own."""
    second_factor_device(officer)
    _password(client, "officer", PASSWORD)
    response = client.post(
        "/sign-in/passkeys/registration/begin/", content_type="application/json", data={}
    )
    assert response.status_code == 403
    assert not _verified(client)


def test_a_verified_person_can_start_adding_a_passkey(client, officer):
    sign_in_verified(client, officer)
    response = client.post(
        "/sign-in/passkeys/registration/begin/", content_type="application/json", data={}
    )
    assert response.status_code == 200
    assert response.json()["rp"]["id"] == "localhost"


def test_the_demo_logins_are_sent_to_set_up_an_app_at_first_sign_in(client, small_council):
    from charter_portal.demo import demo_users_ensure

    for login in demo_users_ensure(council=small_council):
        client.logout()
        response = _password(client, login.username, login.password)
        assert client.get(response.url).url.startswith("/sign-in/set-up/"), login.username


def _verified(client) -> bool:
    import django_otp

    return django_otp.DEVICE_ID_SESSION_KEY in client.session


def test_new_recovery_codes_replace_the_old_ones(client, officer):
    from charter_portal.second_factor import recovery_codes_replace

    old = recovery_codes_replace(officer)
    sign_in_verified(client, officer)
    response = client.post("/sign-in/settings/recovery-codes/", follow=True)
    page = response.content.decode()
    assert page.count("<li><code>") == 10
    tokens = set(StaticDevice.objects.get(user=officer).token_set.values_list("token", flat=True))
    assert len(tokens) == 10
    assert not tokens & set(old)


@pytest.mark.parametrize("verified", [False, True])
def test_the_sign_in_pages_run_few_queries(
    client, officer, django_assert_max_num_queries, verified
):
    if verified:
        sign_in_verified(client, officer)
        urls = ["/sign-in/settings/", "/sign-in/recovery-codes/"]
    else:
        client.force_login(officer)
        urls = ["/sign-in/set-up/", "/sign-in/set-up/"]
    for url in urls:
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200


def test_the_second_factor_page_runs_few_queries(client, officer, django_assert_max_num_queries):
    second_factor_device(officer)
    client.force_login(officer)
    with django_assert_max_num_queries(12):
        assert client.get("/sign-in/code/").status_code == 200
    with django_assert_max_num_queries(16):
        client.post("/sign-in/code/", {"code": "000000"})


def test_next_pointing_back_at_the_sign_in_steps_does_not_loop(client, officer, small_council):
    sign_in_verified(client, officer)
    for step in ("/sign-in/", "/sign-in/code/", "/sign-in/set-up/"):
        response = client.get(f"/sign-in/?next={step}", follow=True)
        assert response.status_code == 200
        assert response.redirect_chain[-1][0] == "/staff/"
