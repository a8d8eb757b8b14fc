"""Passkeys, the phishing-resistant second factor, in Chromium with a virtual authenticator:
add one on the sign-in settings page, then use it instead of a code."""

import pytest
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from tests.browser.fixtures import assert_no_axe_violations
from tests.factories import UserFactory
from tests.signin import browser_sign_in, second_factor_device


@pytest.fixture
def officer(small_council, live_server, settings):
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    user = UserFactory(username="passkey-officer", is_staff=True, is_superuser=True)
    second_factor_device(user)
    return user


@pytest.fixture
def authenticator(page):
    """A platform authenticator that says yes, as a fingerprint reader would."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return cdp


def test_a_passkey_is_added_then_signs_in_instead_of_a_code(officer, page, authenticator):
    """The same browser signs in again (the passkey lives in its virtual authenticator), after
    signing out."""
    browser_sign_in(page, officer, next_path="/sign-in/settings/")
    expect(page.locator("h1")).to_have_text("Your sign-in settings")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.locator("#passkey-register-status-message")).to_have_text(
        "Registration successful!"
    )
    assert WebAuthnCredential.objects.filter(user=officer, confirmed=True).count() == 1

    page.goto("/admin/")
    page.get_by_role("button", name="Log out").click()
    page.goto("/sign-in/?next=/admin/")
    page.get_by_label("Username").fill(officer.username)
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Use your passkey")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Use your passkey").click()
    expect(page.locator("#site-name")).to_be_visible()
