"""The officers' balance sheet pages in the public site's look: start a sheet, enter its lines by
capital with running totals, copy last year's lines forward, submit; the CWB Group validates or
returns; officers publish and restate. Staff only; every change goes through the services."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from balancesheets import forms, services
from balancesheets.models import SheetStatus
from balancesheets.selectors import (
    indicator_library,
    indicators_for_choice,
    sheet_detail,
    sheet_get_manage,
    sheet_history_page,
    sheet_history_recent,
    sheet_line_get,
    sheet_list_manage_page,
    sheet_years,
)
from balancesheets.views.public import sheet_url
from balancesheets.workflows import EDITABLE_STATUSES, SHEET_WORKFLOW
from core.periods import financial_year_label
from neighbourhoods.current import council_or_404

VIEW_PERMISSION = "balancesheets.view_balancesheet"
INDICATORS_PER_PAGE = 50
GET_POST = ["GET", "HEAD", "POST"]


def staff_required(view):
    """Signed-in staff who may see balance sheets; others are sent to sign in, or refused."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (user.is_active and user.is_staff and user.has_perm(VIEW_PERMISSION)):
            raise PermissionDenied("You cannot see balance sheets.")
        return never_cache(view)(request, *args, **kwargs)

    return wrapper


def _posted(request):
    """The submitted data, or None: an empty POST is still a submission (with errors)."""
    return request.POST if request.method == "POST" else None


def _sheet(pk: int):
    sheet = sheet_get_manage(council=council_or_404(), pk=pk)
    if sheet is None:
        raise Http404("No such balance sheet.")
    return sheet


def _editor(sheet) -> str:
    return reverse("balancesheets:manage_sheet", args=[sheet.pk])


def _form_errors(form, error: ValidationError) -> None:
    """A service's refusal, shown on the form: by field where it names one of the form's."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            for message in errors:
                form.add_error(name if name in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _abilities(user, sheet) -> dict[str, bool]:
    """can_edit, can_submit, can_validate, can_return, …: what the workflow offers `user`."""
    return SHEET_WORKFLOW.abilities(sheet, user)


# Lists


@staff_required
@require_safe
def sheet_list(request):
    council = council_or_404()
    years = sheet_years(council=council)
    year = request.GET.get("year", "")
    chosen = int(year) if year.isdigit() and int(year) in years else None
    page = sheet_list_manage_page(council=council, year=chosen, page_number=request.GET.get("page"))
    return render(
        request,
        "balancesheets/manage/list.html",
        {
            "page": page,
            "sheets": page.object_list,
            "years": [(y, financial_year_label(y)) for y in years],
            "chosen_year": chosen,
            "page_query": {"year": chosen} if chosen else {},
            "can_edit": services.user_can_edit(request.user),
        },
    )


@staff_required
@require_safe
def indicator_list(request):
    page = Paginator(indicator_library(), INDICATORS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "balancesheets/manage/indicators.html",
        {"page": page, "indicators": page.object_list},
    )


# Starting a sheet, and the borough sheet


@staff_required
@require_http_methods(GET_POST)
def sheet_new(request):
    council = council_or_404()
    if not services.user_can_edit(request.user):
        raise PermissionDenied("You cannot start balance sheets.")
    neighbourhoods = list(council.neighbourhoods.order_by("order", "name"))
    form = forms.SheetStartForm(
        _posted(request), neighbourhoods=neighbourhoods, area_name=council.area_name
    )
    if request.method == "POST" and form.is_valid():
        try:
            sheet = services.balance_sheet_create(
                council=council,
                neighbourhood=form.neighbourhood,
                year=form.cleaned_data["year"],
                actor=request.user,
                copy_forward=False,
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            message = f"You started the balance sheet for {sheet}."
            if form.cleaned_data["copy_forward"]:
                try:
                    added = services.balance_sheet_copy_forward(sheet=sheet, actor=request.user)
                    message += (
                        f" {added} line{'s' if added != 1 else ''} copied from the year before."
                    )
                except ValidationError:
                    message += " There is no sheet for the year before to copy from."
            messages.success(request, message)
            return redirect(_editor(sheet))
    return render(request, "balancesheets/manage/form.html", {
        "form": form, "title": "Start a balance sheet", "back_url": reverse("balancesheets:manage"),
    })  # fmt: skip


@staff_required
@require_http_methods(GET_POST)
def borough_build(request):
    council = council_or_404()
    if not services.user_can_edit(request.user):
        raise PermissionDenied("You cannot change balance sheets.")
    form = forms.BoroughBuildForm(_posted(request), years=sheet_years(council=council))
    if request.method == "POST" and form.is_valid():
        try:
            built = services.borough_sheet_build(
                council=council, year=form.cleaned_data["year"], actor=request.user
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            message = (
                f"You built the borough sheet from {len(built.used)} neighbourhood "
                f"sheet{'s' if len(built.used) != 1 else ''}."
            )
            if built.missing:
                message += " Not yet validated: " + ", ".join(n.name for n in built.missing) + "."
            messages.success(request, message)
            return redirect(_editor(built.sheet))
    return render(request, "balancesheets/manage/form.html", {
        "form": form,
        "title": "Build the borough sheet",
        "caption": "Whole borough",
        "intro": "The borough sheet is made as the sum of the neighbourhoods' validated or "
        "published sheets for the year, line by line. Building it again replaces its lines.",
        "back_url": reverse("balancesheets:manage"),
    })  # fmt: skip


# The editor


@staff_required
@require_safe
def sheet_edit(request, pk: int):
    sheet = _sheet(pk)
    detail = sheet_detail(sheet=sheet)
    previous = services.sheet_previous_year(sheet=sheet)
    return render(
        request,
        "balancesheets/manage/sheet.html",
        {
            "sheet": sheet,
            "detail": detail,
            "previous": previous,
            "history": sheet_history_recent(sheet=sheet),
            # A version's address sends the current version on to the area's page.
            "public_url": (
                sheet_url(sheet, current=False) if sheet.status == SheetStatus.PUBLISHED else None
            ),
            **_abilities(request.user, sheet),
        },
    )


def _line_input(data) -> services.LineInput:
    return services.LineInput(
        quantity=data["quantity"],
        value=data.get("value"),
        override_reason=data.get("override_reason", ""),
        evidence=data.get("evidence", ""),
        note=data.get("note", ""),
    )


def _editable_or_back(request, sheet):
    if not _abilities(request.user, sheet)["can_edit"]:
        if sheet.status not in EDITABLE_STATUSES:
            messages.error(
                request,
                f"This sheet is {sheet.get_status_display().lower()}, so its lines cannot be "
                "changed.",
            )
            return redirect(_editor(sheet))
        raise PermissionDenied("You cannot change balance sheets.")
    return None


@staff_required
@require_http_methods(GET_POST)
def line_add(request, pk: int):
    sheet = _sheet(pk)
    if refused := _editable_or_back(request, sheet):
        return refused
    form = forms.LineForm(_posted(request), indicator_groups=indicators_for_choice(sheet=sheet))
    if request.method == "POST" and form.is_valid():
        try:
            line = services.balance_sheet_line_add(
                sheet=sheet,
                indicator=form.indicator,
                data=_line_input(form.cleaned_data),
                actor=request.user,
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, f"You added {line.indicator.name}.")
            return redirect(f"{_editor(sheet)}#capital-{line.indicator.capital.code}")
    return render(request, "balancesheets/manage/form.html", {
        "form": form, "sheet": sheet, "title": "Add a line", "caption": str(sheet),
        "back_url": _editor(sheet),
    })  # fmt: skip


@staff_required
@require_http_methods(GET_POST)
def line_change(request, pk: int, line_pk: int):
    sheet = _sheet(pk)
    line = sheet_line_get(sheet=sheet, pk=line_pk)
    if line is None:
        raise Http404("No such line.")
    if refused := _editable_or_back(request, sheet):
        return refused
    initial = {
        "quantity": line.quantity,
        "value": line.value if line.value_overridden else None,
        "override_reason": line.override_reason,
        "evidence": line.evidence,
        "note": line.note,
    }
    form = forms.LineForm(_posted(request), initial=initial, indicator=line.indicator)
    if request.method == "POST" and form.is_valid():
        try:
            services.balance_sheet_line_change(
                line=line, data=_line_input(form.cleaned_data), actor=request.user
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, f"You changed {line.indicator.name}.")
            return redirect(f"{_editor(sheet)}#capital-{line.indicator.capital.code}")
    return render(request, "balancesheets/manage/form.html", {
        "form": form, "sheet": sheet, "line": line, "title": line.indicator.name,
        "caption": str(sheet), "back_url": _editor(sheet),
    })  # fmt: skip


def _confirm(request, sheet, *, title, intro, button, warning=False, errors=(), extra=None):
    return render(request, "balancesheets/manage/confirm.html", {
        "sheet": sheet, "title": title, "intro": intro, "button": button, "warning": warning,
        "errors": list(errors), "back_url": _editor(sheet), **(extra or {}),
    })  # fmt: skip


@staff_required
@require_http_methods(GET_POST)
def line_remove(request, pk: int, line_pk: int):
    sheet = _sheet(pk)
    line = sheet_line_get(sheet=sheet, pk=line_pk)
    if line is None:
        raise Http404("No such line.")
    if refused := _editable_or_back(request, sheet):
        return refused
    errors = []
    if request.method == "POST":
        try:
            services.balance_sheet_line_remove(line=line, actor=request.user)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, f"You removed {line.indicator.name}.")
            return redirect(_editor(sheet))
    return _confirm(
        request,
        sheet,
        title=f"Remove {line.indicator.name}?",
        intro="The line is removed from this sheet. The sheet's history keeps what it said.",
        button="Remove the line",
        warning=True,
        errors=errors,
    )


@staff_required
@require_http_methods(GET_POST)
def copy_forward(request, pk: int):
    sheet = _sheet(pk)
    if refused := _editable_or_back(request, sheet):
        return refused
    previous = services.sheet_previous_year(sheet=sheet)
    if previous is None:
        messages.error(request, f"There is no sheet for {financial_year_label(sheet.year - 1)}.")
        return redirect(_editor(sheet))
    errors = []
    if request.method == "POST":
        try:
            added = services.balance_sheet_copy_forward(sheet=sheet, actor=request.user)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(
                request,
                f"You copied {added} line{'s' if added != 1 else ''} from {previous}. "
                "Check each quantity and its evidence for this year.",
            )
            return redirect(_editor(sheet))
    return _confirm(
        request,
        sheet,
        title=f"Copy lines from {previous.year_label}?",
        intro=f"Each line of {previous} for an indicator this sheet does not count yet is added "
        "with last year's quantity, evidence and note, priced with this year's proxies. £ values "
        "entered by hand last year are not carried. Lines already on this sheet are left alone.",
        button="Copy the lines",
        errors=errors,
    )


# Workflow


@staff_required
@require_http_methods(GET_POST)
def submit(request, pk: int):
    sheet = _sheet(pk)
    if not _abilities(request.user, sheet)["can_submit"]:
        return _refuse(request, sheet, "submitted", action="submit")
    errors = []
    if request.method == "POST":
        try:
            services.balance_sheet_submit(sheet=sheet, actor=request.user)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, "You submitted the sheet to the CWB Group for validation.")
            return redirect(_editor(sheet))
    detail = sheet_detail(sheet=sheet)
    return _confirm(
        request,
        sheet,
        title="Submit the sheet for validation?",
        intro="A member of the CWB Group checks the sheet and validates it or returns it with "
        "comments. Its lines cannot be changed while it is with them. £ values are priced again "
        "with the current proxies.",
        button="Submit for validation",
        errors=errors,
        extra={"totals": detail.totals},
    )


def _refuse(request, sheet, verb: str, *, action: str):
    # A step this user may take, but not from the sheet's state (someone else took one since
    # the page was opened, or it is final), is worth a message; any other is a matter of role.
    step = SHEET_WORKFLOW[action]
    if SHEET_WORKFLOW.may(step, sheet, request.user):
        messages.error(
            request,
            f"{SHEET_WORKFLOW.refusal(step, sheet)} It may have changed since you opened it. "
            "Nothing was changed.",
        )
        return redirect(_editor(sheet))
    if request.user.has_perm(VIEW_PERMISSION) and sheet.status in SHEET_WORKFLOW.final_states():
        messages.error(request, f"This sheet cannot be {verb} now.")
        return redirect(_editor(sheet))
    raise PermissionDenied(f"You cannot do that to this sheet now ({verb}).")


def _comments_page(request, sheet, *, form, title):
    return render(request, "balancesheets/manage/form.html", {
        "form": form, "sheet": sheet, "title": title, "caption": str(sheet),
        "back_url": _editor(sheet), "show_totals": True, "detail": sheet_detail(sheet=sheet),
    })  # fmt: skip


def _comments_step(request, pk, *, action, refused, service, form_options, success, title):
    """A CWB Group step that takes comments: validate, or return with what to change."""
    sheet = _sheet(pk)
    if not _abilities(request.user, sheet)[f"can_{action}"]:
        return _refuse(request, sheet, refused, action=action)
    form = forms.CommentsForm(_posted(request), **form_options)
    if request.method == "POST" and form.is_valid():
        try:
            service(sheet=sheet, actor=request.user, comments=form.cleaned_data["comments"])
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, success)
            return redirect(_editor(sheet))
    return _comments_page(request, sheet, form=form, title=title)


@staff_required
@require_http_methods(GET_POST)
def validate(request, pk: int):
    return _comments_step(
        request,
        pk,
        action="validate",
        refused="validated",
        service=services.balance_sheet_validate,
        form_options={
            "required": False,
            "label": "Comments (optional)",
            "help_text": "Recorded in the sheet's history.",
            "button": "Validate the sheet",
        },
        success="You validated the sheet. It can now be published.",
        title="Validate the sheet",
    )


@staff_required
@require_http_methods(GET_POST)
def return_sheet(request, pk: int):
    return _comments_step(
        request,
        pk,
        action="return",
        refused="returned",
        service=services.balance_sheet_return,
        form_options={
            "required": True,
            "label": "What do the officers need to change?",
            "help_text": "The officers see these comments on the sheet.",
            "button": "Return the sheet",
        },
        success="You returned the sheet to the officers with comments.",
        title="Return the sheet for changes",
    )


@staff_required
@require_http_methods(GET_POST)
def publish(request, pk: int):
    sheet = _sheet(pk)
    if not _abilities(request.user, sheet)["can_publish"]:
        return _refuse(request, sheet, "published", action="publish")
    errors = []
    if request.method == "POST":
        try:
            services.balance_sheet_publish(sheet=sheet, actor=request.user)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, "You published the sheet. It is on the public pages now.")
            return redirect(_editor(sheet))
    return _confirm(
        request,
        sheet,
        title="Publish the sheet?",
        intro="The sheet appears on the public pages, with its CSV, JSON and PDF. A published "
        "sheet cannot be changed: a correction is published as a restatement, and both versions "
        "stay public.",
        button="Publish the sheet",
        errors=errors,
        extra={"totals": sheet_detail(sheet=sheet).totals},
    )


@staff_required
@require_http_methods(GET_POST)
def restate(request, pk: int):
    sheet = _sheet(pk)
    if not _abilities(request.user, sheet)["can_restate"]:
        return _refuse(request, sheet, "restated", action="restate")
    form = forms.RestateForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            restated = services.balance_sheet_restate(
                sheet=sheet, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request,
                f"You started version {restated.version}. Correct its lines and submit it; "
                f"version {sheet.version} stays public until the restatement is published.",
            )
            return redirect(_editor(restated))
    return render(request, "balancesheets/manage/form.html", {
        "form": form, "sheet": sheet, "title": "Restate the sheet", "caption": str(sheet),
        "intro": "A published sheet is not changed. A restatement is a new version with the same "
        "lines for you to correct; it is validated and published like any sheet, and then the "
        "public page shows what was restated and when, with the earlier version still public.",
        "back_url": _editor(sheet),
    })  # fmt: skip


@staff_required
@require_safe
def history(request, pk: int):
    sheet = _sheet(pk)
    page = sheet_history_page(sheet=sheet, page_number=request.GET.get("page"))
    return render(
        request,
        "balancesheets/manage/history.html",
        {"sheet": sheet, "page": page, "events": page.object_list},
    )
