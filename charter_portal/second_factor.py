"""The second factor every staff and councillor account needs (django-otp).

An authenticator app (TOTP, works with JavaScript off) is every account's first factor after the
password, enrolled at first sign-in; ten single-use recovery codes (django-otp's static device)
come with it. A passkey (django-otp-webauthn) can be added afterwards as the phishing-resistant
choice. Wrong codes are throttled by django-otp itself: each failure doubles the wait
(1, 2, 4 ... seconds), so ten wrong codes in a row cost over eight minutes.
"""

import re
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime

import django_otp
import segno
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_APP = "Authenticator app"
RECOVERY_CODES = "Recovery codes"
# A TOTP code is digits only; a recovery code is django-otp's 8 base32 characters.
_TOTP_CODE = re.compile(r"\d{6}")


def second_factor_enrolled(user) -> bool:
    """Whether the user has a confirmed authenticator app or passkey to verify with."""
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
    )


def passkeys_registered(user) -> bool:
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()


def enrolment_device(user) -> TOTPDevice:
    """The unconfirmed authenticator-app device the set-up page shows, made on first visit.

    The same secret is shown again on reload, so a person who scanned it then reloaded the page
    still has the right key in their app."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_APP, confirmed=False)


def enrolment_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL (issuer from OTP_TOTP_ISSUER) as an inline SVG QR code: no image
    request, nothing leaves the page. The page gives the secret as text beside it."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, border=4, dark="#0b0c0c", light="#ffffff"
    )


def enrolment_secret_text(device: TOTPDevice) -> str:
    """The secret key in groups of four base32 characters, to type in instead of scanning."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@dataclass(frozen=True)
class Enrolment:
    # The new recovery codes (shown once), or None when the code was not accepted.
    recovery_codes: list[str] | None
    # When wrong codes have been throttled: the time the next attempt is allowed.
    locked_until: datetime | None = None


@transaction.atomic
def enrolment_confirm(*, request, device: TOTPDevice, code: str) -> Enrolment:
    """Confirm the authenticator app with a code it shows and verify the session; wrong codes
    are throttled like any other."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, confirmed=False)
    allowed, details = device.verify_is_allowed()
    if not allowed:
        return Enrolment(None, locked_until=(details or {}).get("locked_until"))
    if not device.verify_token(_normalised(code)):
        return Enrolment(None)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    django_otp.login(request, device)
    return Enrolment(recovery_codes_replace(device.user))


@transaction.atomic
def recovery_codes_replace(user) -> list[str]:
    """Make ten new single-use recovery codes; the old ones stop working."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_CODES, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@dataclass(frozen=True)
class Verification:
    device: object | None
    # When wrong codes have been throttled: the time the next attempt is allowed.
    locked_until: datetime | None = None


def second_factor_verify(*, request, code: str) -> Verification:
    """Check a code from the authenticator app, or a recovery code, against the signed-in
    user's devices. On success the session is marked verified (django_otp.login)."""
    user = request.user
    code = _normalised(code)
    if _TOTP_CODE.fullmatch(code):
        devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    else:
        devices = list(StaticDevice.objects.filter(user=user, confirmed=True))
    locked_until = None
    for device in devices:
        with transaction.atomic():
            device = type(device).objects.select_for_update().get(pk=device.pk)
            allowed, details = device.verify_is_allowed()
            if not allowed:
                locked_until = (details or {}).get("locked_until")
                continue
            if device.verify_token(code):
                django_otp.login(request, device)
                return Verification(device=device)
    return Verification(device=None, locked_until=locked_until)


def _normalised(code: str) -> str:
    """People type spaces and hyphens (the codes are shown in groups); lower-case recovery codes."""
    return re.sub(r"[\s-]", "", code or "").lower()
