"""Links the pledger gets by email: a signed, expiring, single-use confirmation link and a
long-lived private manage link. Only hashes of secrets are stored."""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.core import signing

CONFIRMATION_SALT = "pledges.confirmation"


def confirmation_token_make(*, reference: str, nonce: str) -> str:
    return signing.dumps({"r": reference, "n": nonce}, salt=CONFIRMATION_SALT, compress=True)


def confirmation_token_read(token: str) -> tuple[str, str]:
    """(reference, nonce); raises signing.SignatureExpired or signing.BadSignature."""
    data = signing.loads(
        token, salt=CONFIRMATION_SALT, max_age=settings.PLEDGE_CONFIRMATION_MAX_AGE
    )
    if not isinstance(data, dict) or not {"r", "n"} <= data.keys():
        raise signing.BadSignature("Malformed confirmation token")
    return str(data["r"]), str(data["n"])


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def ip_address_hash(ip_address: str) -> str:
    """A keyed hash, so that an IP can be compared with recent ones but never read back."""
    return hmac.new(
        settings.PLEDGE_IP_HASH_SALT.encode(), ip_address.encode(), hashlib.sha256
    ).hexdigest()
