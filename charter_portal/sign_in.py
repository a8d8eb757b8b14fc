"""The one front door for staff and councillors: password, then a second factor.

/sign-in/ checks the password (django-axes throttles guesses per username and IP); the session is
then "signed in, not verified", which reaches nothing private (see staff_sessions). The next step
is /sign-in/code/ (a code from the authenticator app, a recovery code, or a passkey), or
/sign-in/set-up/ at first sign-in. /admin/login/ sends people here rather than being a second,
weaker way in.
"""

import math
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from charter_portal import second_factor
from charter_portal.forms import SecondFactorForm, SignInForm
from charter_portal.staff_home import start_url

# The recovery codes made at enrolment wait here for the one page that shows them.
RECOVERY_CODES_SESSION_KEY = "sign_in_recovery_codes"
SIGN_OUT_REASONS = {
    "idle": "You were signed out because you had not used the service for {idle} minutes.",
    "expired": "You were signed out because you had been signed in for {hours} hours.",
}


# Going on to one of these after signing in would lead straight back here, round and round.
_SIGN_IN_STEPS = ("sign_in", "sign_in_second_factor", "sign_in_set_up")


def _safe_next(request) -> str:
    """The page to go on to, when it is one of ours (never an open redirect, nor a loop)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    if urlsplit(candidate).path in {reverse(name) for name in _SIGN_IN_STEPS}:
        return ""
    return candidate


def _with_next(url_name: str, next_url: str) -> str:
    url = reverse(url_name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


class SignInView(auth_views.LoginView):
    """Username and password; success leads to the second-factor step, never straight in."""

    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_success_url(self):
        return _with_next("sign_in_second_factor", _safe_next(self.request))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reason = SIGN_OUT_REASONS.get(self.request.GET.get("reason", ""))
        if reason:
            context["signed_out_reason"] = reason.format(
                idle=settings.STAFF_SESSION_IDLE_SECONDS // 60,
                hours=settings.STAFF_SESSION_MAX_SECONDS // 3600,
            )
        return context


def _verified_destination(request) -> HttpResponseRedirect:
    """A safe `next` wins; otherwise each role's own start (staff_home.start_url)."""
    return redirect(_safe_next(request) or start_url(request.user))


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def second_factor_step(request):
    """Enter a code from the authenticator app or a recovery code (or use a passkey, with JS)."""
    next_url = _safe_next(request)
    if request.user.is_verified():
        return _verified_destination(request)
    if not second_factor.second_factor_enrolled(request.user):
        return redirect(_with_next("sign_in_set_up", next_url))
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = second_factor.second_factor_verify(request=request, code=form.cleaned_data["code"])
        if result.device is not None:
            request.session.cycle_key()
            return _verified_destination(request)
        form.add_error("code", _wrong_code_message(result.locked_until))
    return render(
        request,
        "registration/second_factor.html",
        {
            "form": form,
            "next": next_url,
            "passkeys": second_factor.passkeys_registered(request.user),
        },
    )


def _wrong_code_message(locked_until) -> str:
    if locked_until is not None:
        wait = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
        return f"Too many wrong codes. Wait {wait} seconds, then enter a new code"
    return "The code is not right. Enter the 6-digit code your authenticator app shows now"


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def set_up(request):
    """First sign-in: add an authenticator app (QR code, or the key as text), confirm it with a
    code, then see ten recovery codes once."""
    next_url = _safe_next(request)
    if request.user.is_verified():
        return _verified_destination(request)
    if second_factor.second_factor_enrolled(request.user):
        # Adding a device needs the existing one first, or a stolen password would be enough.
        return redirect(_with_next("sign_in_second_factor", next_url))
    device = second_factor.enrolment_device(request.user)
    form = SecondFactorForm(request.POST or None, enrolment=True)
    if request.method == "POST" and form.is_valid():
        enrolment = second_factor.enrolment_confirm(
            request=request, device=device, code=form.cleaned_data["code"]
        )
        if enrolment.recovery_codes is not None:
            request.session.cycle_key()
            request.session[RECOVERY_CODES_SESSION_KEY] = enrolment.recovery_codes
            return redirect(_with_next("sign_in_recovery_codes", next_url))
        form.add_error("code", _wrong_code_message(enrolment.locked_until))
    return render(
        request,
        "registration/set_up.html",
        {
            "form": form,
            "next": next_url,
            "qr_svg": second_factor.enrolment_qr_svg(device),
            "secret": second_factor.enrolment_secret_text(device),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def recovery_codes(request):
    """The recovery codes, shown once: the page reads them out of the session and forgets them."""
    codes = request.session.pop(RECOVERY_CODES_SESSION_KEY, None)
    return render(
        request,
        "registration/recovery_codes.html",
        {"codes": codes, "next": _safe_next(request) or start_url(request.user)},
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def account_security(request):
    """Add a passkey (JavaScript) or make new recovery codes."""
    return render(
        request,
        "registration/account_security.html",
        {"passkeys": second_factor.passkeys_registered(request.user)},
    )


@never_cache
@login_required
@require_POST
def recovery_codes_renew(request):
    request.session[RECOVERY_CODES_SESSION_KEY] = second_factor.recovery_codes_replace(request.user)
    return redirect(_with_next("sign_in_recovery_codes", reverse("account_security")))


@require_http_methods(["GET", "HEAD", "POST"])
def admin_login_redirect(request):
    """Admin signs in through the same front door (and the same throttle and second factor)."""
    next_url = _safe_next(request) or reverse("admin:index")
    return redirect(_with_next("sign_in", next_url))


def locked_out(request, response, credentials, *args, **kwargs):
    """django-axes' answer once a username has had too many wrong passwords from one address."""
    return render(
        request,
        "registration/locked_out.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
        status=429,
    )
