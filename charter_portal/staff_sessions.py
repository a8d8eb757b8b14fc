"""What a signed-in session may reach, for how long, and what browsers may keep of it.

Three middlewares, after Django's AuthenticationMiddleware and django-otp's OTPMiddleware:

- StaffSessionTimeoutMiddleware signs a person out after 30 minutes idle or 12 hours in all
  (STAFF_SESSION_IDLE_MINUTES, STAFF_SESSION_MAX_HOURS).
- SecondFactorRequiredMiddleware sends a session that is signed in but has no verified second
  factor to the second-factor step, whatever it asks for: it is the one place the rule lives,
  so a new private page (or an admin page, or a session made some other way, such as
  force_login) cannot forget it. Only the sign-in steps themselves are let through.
- PrivateNoStoreMiddleware marks every response to a signed-in person `Cache-Control: no-store`,
  so no shared or browser cache keeps a page of contact details.
"""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import add_never_cache_headers

SIGNED_IN_AT = "staff_signed_in_at"
LAST_SEEN_AT = "staff_last_seen_at"

# The steps an unverified session needs to finish (or abandon) signing in.
UNVERIFIED_URL_NAMES = frozenset(
    {"sign_in", "sign_out", "sign_in_second_factor", "sign_in_set_up", "healthz"}
)
UNVERIFIED_NAMESPACES = frozenset({"otp_webauthn"})


@receiver(user_logged_in)
def _signed_in_now(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN_AT] = now


def _authenticated(request) -> bool:
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


class StaffSessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _authenticated(request):
            now = time.time()
            session = request.session
            signed_in_at = session.get(SIGNED_IN_AT, now)
            last_seen_at = session.get(LAST_SEEN_AT, now)
            reason = None
            if now - signed_in_at >= settings.STAFF_SESSION_MAX_SECONDS:
                reason = "expired"
            elif now - last_seen_at >= settings.STAFF_SESSION_IDLE_SECONDS:
                reason = "idle"
            if reason:
                logout(request)
                query = {"reason": reason}
                if request.method in ("GET", "HEAD"):
                    query["next"] = request.get_full_path()
                return redirect(f"{reverse('sign_in')}?{urlencode(query)}")
            session[SIGNED_IN_AT] = signed_in_at
            session[LAST_SEEN_AT] = now
            # The database row and the cookie end with the idle limit too (or at the absolute
            # limit if that comes first), so a stolen cookie is no good once either has passed.
            remaining = settings.STAFF_SESSION_MAX_SECONDS - (now - signed_in_at)
            session.set_expiry(max(1, int(min(settings.STAFF_SESSION_IDLE_SECONDS, remaining))))
        return self.get_response(request)


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            _authenticated(request)
            and not request.user.is_verified()
            and not self._sign_in_step(request)
        ):
            query = {"next": request.get_full_path()} if request.method in ("GET", "HEAD") else {}
            url = reverse("sign_in_second_factor")
            return redirect(f"{url}?{urlencode(query)}" if query else url)
        return self.get_response(request)

    @staticmethod
    def _sign_in_step(request) -> bool:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.url_name in UNVERIFIED_URL_NAMES or bool(
            UNVERIFIED_NAMESPACES.intersection(match.namespaces)
        )


class PrivateNoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        signed_in = _authenticated(request)
        response = self.get_response(request)
        if signed_in or _authenticated(request):
            add_never_cache_headers(response)
        return response
