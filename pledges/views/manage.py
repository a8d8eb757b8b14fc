"""The pledger's private page, reached by the link in their confirmation email."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.workflow import TransitionNotAllowed
from pledges.forms import ConsentForm, ProgressForm
from pledges.models import PledgeStatus
from pledges.services import (
    UpdateAnswers,
    pledge_consent_set_by_pledger,
    pledge_erase_personal_data,
    pledge_for_manage_token,
    pledge_update_submit,
    pledge_withdraw,
)
from pledges.workflows import PLEDGE_WORKFLOW, REPORT_PROGRESS, WITHDRAW


def _offered(action, pledge) -> bool:
    # The pledger holds the link, not an account: the table decides by the pledge's state.
    return action in PLEDGE_WORKFLOW.available(pledge, None)


def _pledge(token: str):
    pledge = pledge_for_manage_token(token=token)
    if pledge is None:
        raise Http404("No pledge has this link.")
    return pledge


def _private(response):
    # The URL is a secret: keep the page out of search engines and shared caches.
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_http_methods(["GET", "HEAD"])
def manage(request, token: str):
    pledge = _pledge(token)
    return _private(
        render(
            request,
            "pledges/manage/manage.html",
            {
                "pledge": pledge,
                "token": token,
                "updates": pledge.updates.order_by("-created_at")[:50],
                "commitments": pledge.commitments.all(),
                "on_wall": pledge.status == PledgeStatus.PUBLISHED,
                "can_report": _offered(REPORT_PROGRESS, pledge),
                "can_withdraw": _offered(WITHDRAW, pledge),
                "can_erase": pledge.personal_data_erased_at is None,
            },
        )
    )


def _question_page(request, token: str, *, form, title: str):
    """One question about the pledge, in the journey's layout, back to the manage page."""
    return _private(
        render(
            request,
            "pledges/journey/question.html",
            {
                "form": form,
                "step": {"title": title},
                "back_url": reverse("pledges:manage", args=[token]),
            },
        )
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def consent(request, token: str):
    """The pledger changes what they agreed to: showing their name, being contacted."""
    pledge = _pledge(token)
    if pledge.personal_data_erased_at is not None:
        return redirect("pledges:manage", token)
    yes_no = {True: "yes", False: "no"}
    form = ConsentForm(
        request.POST or None,
        initial={
            "show_name": yes_no[pledge.show_name],
            "contact_consent": yes_no[pledge.contact_consent],
        },
    )
    if request.method == "POST" and form.is_valid():
        pledge_consent_set_by_pledger(pledge=pledge, **form.answers())
        messages.success(request, "We have saved what you agree to.")
        return redirect("pledges:manage", token)
    return _question_page(request, token, form=form, title="What you agree to")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def report_progress(request, token: str):
    pledge = _pledge(token)
    if not _offered(REPORT_PROGRESS, pledge):
        return redirect("pledges:manage", token)
    form = ProgressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        pledge_update_submit(pledge=pledge, answers=UpdateAnswers(**form.cleaned_data))
        messages.success(
            request, "Thank you. We will check your update before it shows on the pledge wall."
        )
        return redirect("pledges:manage", token)
    return _question_page(request, token, form=form, title="Tell us about your progress")


def _confirm_page(request, token, *, template, action):
    pledge = _pledge(token)
    if request.method == "POST":
        action(pledge)
        return redirect("pledges:manage", token)
    return _private(
        render(
            request,
            template,
            {"pledge": pledge, "token": token, "on_wall": pledge.status == PledgeStatus.PUBLISHED},
        )
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def withdraw(request, token: str):
    def action(pledge):
        if not _offered(WITHDRAW, pledge):
            return
        try:
            pledge_withdraw(pledge=pledge)
        except TransitionNotAllowed:
            return  # changed meanwhile (moderated, or withdrawn twice): the page shows its state
        messages.success(request, "Your pledge has been withdrawn.")

    return _confirm_page(request, token, template="pledges/manage/withdraw.html", action=action)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def erase(request, token: str):
    def action(pledge):
        pledge_erase_personal_data(pledge=pledge, note="Asked for by the pledger")
        messages.success(request, "We have deleted your personal details.")

    return _confirm_page(request, token, template="pledges/manage/erase.html", action=action)
