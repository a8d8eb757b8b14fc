"""The pledge journey: question pages, check your answers, and the email confirmation."""

import re

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.client_address import client_address
from neighbourhoods.current import council_or_404
from pledges import forms
from pledges.journey import STEP_BY_NAME, Journey, journey_sent, journey_sent_record
from pledges.models import Benefit, Commitment, OrganisationSize, PledgerType
from pledges.selectors import commitment_list_active
from pledges.services import (
    ConfirmResult,
    PledgeAnswers,
    ResendResult,
    confirmation_link_state,
    pledge_confirm,
    pledge_confirmation_resend,
    pledge_submit,
)

SUBMISSION_KEY_PATTERN = re.compile(r"^[0-9a-f]{32}$")


def _question(request, name: str, *, make_form, store, initial=None):
    """Show a question page, or save its answer and go on to the next one."""
    journey = Journey(request.session)
    step = STEP_BY_NAME[name]
    missing = journey.first_unanswered(before=name)
    if missing:
        return redirect(f"pledges:{missing.name}")
    if not step.applies(journey.answers):
        return redirect(f"pledges:{journey.next(name)}")
    changing = request.GET.get("change") == "1"
    if request.method == "POST":
        form = make_form(journey, data=request.POST)
        if form.is_valid():
            store(journey, form.cleaned_data, form)
            following = journey.next(name)
            if changing and journey.first_unanswered() is None:
                following = "check"
            return redirect(f"pledges:{following}")
    else:
        form = make_form(journey, initial=(initial or {}) | _initial(journey, step))
    previous = journey.previous(name)
    back_url = reverse("pledges:check") if changing else None
    back_url = back_url or (reverse(f"pledges:{previous}") if previous else reverse("home"))
    return render(
        request,
        "pledges/journey/question.html",
        {"form": form, "step": step, "back_url": back_url},
    )


def _initial(journey: Journey, step) -> dict:
    answers = journey.answers
    initial = {key: answers[key] for key in step.answers if key in answers}
    if "show_name" in initial:
        initial["show_name"] = "yes" if initial["show_name"] else "no"
    if "contact_name" in answers:
        initial["contact_name"] = answers["contact_name"]
    if "target" in answers:
        initial["target"] = answers["target"]
    if "contact_consent" in answers:
        initial["contact_consent"] = answers["contact_consent"]
    if "commitment_ids" in initial:
        chosen = [str(pk) for pk in initial.pop("commitment_ids")]
        initial |= {benefit.value: chosen for benefit in Benefit}
    return initial


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def pledger_type(request):
    return _question(
        request,
        "start",
        make_form=lambda journey, **kw: forms.PledgerTypeForm(**kw),
        store=lambda journey, data, form: journey.save(pledger_type=data["pledger_type"]),
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def business_size(request):
    return _question(
        request,
        "size",
        make_form=lambda journey, **kw: forms.BusinessSizeForm(**kw),
        store=lambda journey, data, form: journey.save(organisation_size=data["organisation_size"]),
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def name(request):
    council = council_or_404()

    def store(journey, data, form):
        journey.save(
            display_name=data["display_name"],
            show_name=data["show_name"] == "yes",
            contact_name=data.get("contact_name") or data["display_name"],
        )

    return _question(
        request,
        "name",
        make_form=lambda journey, **kw: forms.NameForm(
            pledger_type=journey.answers.get("pledger_type"), area_name=council.area_name, **kw
        ),
        store=store,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def area(request):
    council = council_or_404()
    neighbourhoods = list(council.neighbourhoods.order_by("order", "name"))
    return _question(
        request,
        "area",
        make_form=lambda journey, **kw: forms.AreaForm(
            neighbourhoods=neighbourhoods, area_name=council.area_name, **kw
        ),
        store=lambda journey, data, form: journey.save(area=data["area"]),
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def postcode(request):
    from neighbourhoods.selectors import neighbourhood_for_postcode

    council = council_or_404()

    def store(journey, data, form):
        journey.save(postcode=data["postcode"], postcode_neighbourhood=form.neighbourhood.slug)

    return _question(
        request,
        "postcode",
        make_form=lambda journey, **kw: forms.PostcodeForm(
            find_neighbourhood=lambda code: neighbourhood_for_postcode(
                council=council, postcode=code
            ),
            area_name=council.area_name,
            **kw,
        ),
        store=store,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def commitments(request):
    grouped: dict[str, list[Commitment]] = {}
    for commitment in commitment_list_active():
        grouped.setdefault(commitment.benefit, []).append(commitment)
    return _question(
        request,
        "commitments",
        make_form=lambda journey, **kw: forms.CommitmentsForm(commitments_by_benefit=grouped, **kw),
        store=lambda journey, data, form: journey.save(commitment_ids=data["commitment_ids"]),
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def words(request):
    return _question(
        request,
        "words",
        make_form=lambda journey, **kw: forms.WordsForm(**kw),
        store=lambda journey, data, form: journey.save(text=data["text"], target=data["target"]),
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def email(request):
    def store(journey, data, form):
        if form.is_bot:
            journey.save(bot=True)
        journey.save(email=data["email"], contact_consent=data["contact_consent"])

    return _question(
        request,
        "email",
        make_form=lambda journey, **kw: forms.EmailForm(**kw),
        store=store,
    )


def _summary_rows(journey: Journey, council) -> list[tuple[str, str, str]]:
    """(question, answer, change URL) for check your answers."""
    answers = journey.answers

    def change(step_name):
        return f"{reverse(f'pledges:{step_name}')}?change=1"

    rows = [("Pledging as", PledgerType(answers["pledger_type"]).label, change("start"))]
    if answers.get("organisation_size"):
        rows.append(("Size", OrganisationSize(answers["organisation_size"]).label, change("size")))
    is_resident = answers["pledger_type"] == PledgerType.RESIDENT
    rows.append(
        ("Your name" if is_resident else "Organisation", answers["display_name"], change("name"))
    )
    if not is_resident:
        rows.append(("Contact name", answers.get("contact_name", ""), change("name")))
    rows.append(("Show the name publicly", "Yes" if answers["show_name"] else "No", change("name")))
    slug = journey.neighbourhood_slug()
    neighbourhood = council.neighbourhoods.filter(slug=slug).first() if slug else None
    where = neighbourhood.name if neighbourhood else f"Across the whole of {council.area_name}"
    if answers.get("postcode"):
        where = f"{where} (from postcode {answers['postcode']})"
    rows.append(("Area", where, change("area")))
    titles = Commitment.objects.filter(pk__in=answers["commitment_ids"]).values_list(
        "title", flat=True
    )
    rows.append(("Commitments", "\n".join(titles), change("commitments")))
    rows.append(("Your pledge", answers["text"], change("words")))
    rows.append(("Measurable target", answers.get("target") or "None", change("words")))
    rows.append(("Email address", answers["email"], change("email")))
    rows.append(
        ("We may contact you", "Yes" if answers.get("contact_consent") else "No", change("email"))
    )
    return rows


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def check_answers(request):
    council = council_or_404()
    journey = Journey(request.session)
    if request.method == "POST":
        posted_key = request.POST.get("submission_key", "")
        if not SUBMISSION_KEY_PATTERN.match(posted_key):
            return redirect("pledges:start")
        if journey.first_unanswered() is not None or posted_key != journey.submission_key:
            # Posted twice (the first post cleared the answers): the first pledge stands.
            return redirect("pledges:sent")
        slug = journey.neighbourhood_slug()
        neighbourhood = council.neighbourhoods.filter(slug=slug).first() if slug else None
        answers = journey.answers
        outcome = pledge_submit(
            answers=PledgeAnswers(
                pledger_type=answers["pledger_type"],
                organisation_size=answers.get("organisation_size", ""),
                display_name=answers["display_name"],
                show_name=answers["show_name"],
                contact_name=answers.get("contact_name", ""),
                email=answers["email"],
                neighbourhood_id=neighbourhood.pk if neighbourhood else None,
                postcode=answers.get("postcode", ""),
                commitment_ids=answers["commitment_ids"],
                text=answers["text"],
                target=answers.get("target", ""),
                contact_consent=answers.get("contact_consent", False),
            ),
            ip_address=client_address(request),
            submission_key=posted_key,
            # Held for review, never dropped: autofill fills hidden fields for real people.
            hidden_field_filled=bool(answers.get("bot")),
        )
        journey.clear()
        journey_sent_record(
            request.session,
            email=answers["email"],
            pledge_id=outcome.pledge.pk if outcome.pledge else None,
        )
        return redirect("pledges:sent")
    missing = journey.first_unanswered()
    if missing:
        return redirect(f"pledges:{missing.name}")
    return render(
        request,
        "pledges/journey/check_answers.html",
        {
            "rows": _summary_rows(journey, council),
            "submission_key": journey.submission_key,
            "back_url": reverse("pledges:email"),
        },
    )


RESEND_MESSAGES = {
    ResendResult.SENT: (messages.SUCCESS, "We have sent the email again."),
    ResendResult.CAPPED: (
        messages.ERROR,
        "We have already sent {cap} emails to this address in the last hour, so we have not sent "
        "another. Check your spam or junk folder, or try again in an hour.",
    ),
    ResendResult.NOT_NEEDED: (
        messages.INFO,
        "This pledge does not need confirming any more, so we have not sent the email again.",
    ),
}


@never_cache  # the page shows the pledger's email address: never kept by a cache
@require_http_methods(["GET", "HEAD", "POST"])
def check_your_email(request):
    """Where the email went, and a button to send it again (no new pledge; the per-address cap
    applies). The address is the pledger's own, from their session."""
    sent = journey_sent(request.session)
    if request.method == "POST":
        if sent is not None:
            result = pledge_confirmation_resend(pledge_id=sent["pledge_id"], email=sent["email"])
            level, text = RESEND_MESSAGES[result]
            cap = settings.OUTBOX_EMAILS_PER_ADDRESS_PER_HOUR
            messages.add_message(request, level, text.format(cap=cap))
        return redirect("pledges:sent")
    return render(
        request,
        "pledges/journey/check_your_email.html",
        {
            "expires_days": settings.PLEDGE_CONFIRMATION_MAX_AGE // 86400,
            "email": sent["email"] if sent else "",
        },
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token: str):
    """GET shows a button (or why the link no longer confirms); POST confirms. Mail scanners
    that open links confirm nothing."""
    if request.method == "POST":
        result, pledge = pledge_confirm(token=token)
    else:
        result, pledge = confirmation_link_state(token=token)
    status = 404 if result == ConfirmResult.INVALID else 200
    return render(
        request,
        "pledges/journey/confirm.html",
        {"result": result and result.value, "pledge": pledge, "token": token},
        status=status,
    )
