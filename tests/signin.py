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
