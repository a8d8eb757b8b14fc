"""Signing staff in within tests: a password sign-in is only half; every private page also
needs a verified second factor (django-otp). The `sign_in` fixture in conftest wraps these."""


def second_factor_device(user):
    """The user's confirmed authenticator app (TOTP) device, made if they have none."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def totp_code(device):
    """The code the user's authenticator app shows now (for typing into a real browser)."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{totp.token():0{device.digits}d}"


def sign_in_verified(client, user):
    """Sign `user` in with the test client AND verify a second factor, as django-otp does after
    a correct code: the session holds the verifying device's persistent id. Returns the device."""
    import django_otp

    client.force_login(user)
    device = second_factor_device(user)
    session = client.session
    session[django_otp.DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def browser_second_factor(page, user):
    """At the second-factor step in a real browser: type the code the user's app shows now.

    The user must have their device before the password step (second_factor_device), or that
    step sends them to set one up instead."""
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from playwright.sync_api import expect

    device = second_factor_device(user)
    # A code is good once; a second sign-in within the same 30 seconds would need the next one.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    device.refresh_from_db()
    expect(page.locator("h1")).to_have_text("Enter the code from your authenticator app")
    page.get_by_label("Code from your authenticator app").fill(totp_code(device))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: "/sign-in/code/" not in url)


def browser_sign_in(page, user, password="a-long-test-password", *, next_path=""):  # noqa: S107
    """Sign in through the real pages: password, then a code from the authenticator app."""
    from urllib.parse import quote

    second_factor_device(user)
    page.goto(f"/sign-in/?next={quote(next_path)}" if next_path else "/sign-in/")
    page.get_by_label("Username").fill(user.get_username())
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    browser_second_factor(page, user)
