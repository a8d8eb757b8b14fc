"""Admin pages for pledges officers type in: one pledge received on paper, by phone or by email
(the admin's "Add pledge"), and the paper import's template and allowed values.

The one pledge goes through `pledge_submit` like the journey and the import: the same rules
(a duplicate is recognised), confirmed by the pledger when they sent it, so it starts waiting
for moderation; the source says how it reached the officer, who is recorded as its submitter.
"""

import secrets

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from core.csv import csv_download, csv_lines
from neighbourhoods.current import council_or_404
from neighbourhoods.selectors import neighbourhood_for_postcode
from pledges.forms_admin import PledgeByHandForm
from pledges.import_template import (
    ALLOWED_VALUES_FILENAME,
    ALLOWED_VALUES_HEADER,
    TEMPLATE_FILENAME,
    paper_allowed_values,
    paper_template_columns,
    paper_template_example,
)
from pledges.resources import COLUMNS, duplicate_message
from pledges.services import PledgeAnswers, SubmitResult, pledge_submit


def _new_submission_key() -> str:
    return f"by-hand:{secrets.token_hex(16)}"


def pledge_by_hand_view(model_admin, request):
    council = council_or_404()
    neighbourhoods = list(council.neighbourhoods.order_by("order", "name"))
    form = PledgeByHandForm(
        request.POST or None,
        initial={"submission_key": _new_submission_key()},
        neighbourhoods=neighbourhoods,
        area_name=council.area_name,
        find_neighbourhood=lambda code: neighbourhood_for_postcode(council=council, postcode=code),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        neighbourhood = data["neighbourhood"]
        outcome = pledge_submit(
            answers=PledgeAnswers(
                pledger_type=data["pledger_type"],
                organisation_size=data["organisation_size"],
                display_name=data["display_name"],
                show_name=data["show_name"] == "yes",
                contact_name=data["contact_name"],
                email=data["email"],
                postcode=data["postcode"],
                neighbourhood_id=neighbourhood.pk if neighbourhood else None,
                commitment_ids=[commitment.pk for commitment in data["commitments"]],
                text=data["text"],
                target=data["target"],
                contact_consent=data["contact_consent"] == "yes",
            ),
            ip_address="",
            submission_key=data["submission_key"],
            source=data["source"],
            actor=request.user,
        )
        if outcome.result == SubmitResult.DUPLICATE and outcome.pledge is not None:
            form.add_error(None, duplicate_message(outcome.pledge))
        elif outcome.pledge is not None:
            pledge = outcome.pledge
            model_admin.message_user(
                request,
                f"Pledge {pledge.reference} entered: it is waiting for moderation.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:pledges_pledge_change", args=[pledge.pk]))
    request.current_app = model_admin.admin_site.name
    opts = model_admin.opts
    return TemplateResponse(
        request,
        "admin/pledges/pledge/add_by_hand.html",
        {
            **model_admin.admin_site.each_context(request),
            "title": "Enter a pledge received on paper, by phone or by email",
            "opts": opts,
            "form": form,
            "import_url": reverse("admin:pledges_pledge_import"),
            "changelist_url": reverse("admin:pledges_pledge_changelist"),
        },
    )


def import_guide_context() -> dict:
    """The import page's guide: each column, whether it is required, the values it allows."""
    return {
        "template_columns": paper_template_columns(),
        "template_url": reverse("admin:pledges_pledge_import_template"),
        "allowed_values_url": reverse("admin:pledges_pledge_import_allowed_values"),
    }


def import_template_urls(model_admin) -> list:
    def allowed(view):
        def guarded(request):
            if not model_admin.has_import_permission(request):
                raise PermissionDenied("Only officers may import pledges.")
            return view(request)

        return model_admin.admin_site.admin_view(guarded)

    return [
        path(
            "import/template.csv",
            allowed(_template_csv),
            name="pledges_pledge_import_template",
        ),
        path(
            "import/allowed-values.csv",
            allowed(_allowed_values_csv),
            name="pledges_pledge_import_allowed_values",
        ),
    ]


def _template_csv(request):
    """The header row the importer reads and one example row it accepts."""
    columns = paper_template_columns()
    return csv_download(
        filename=TEMPLATE_FILENAME,
        lines=csv_lines(header=COLUMNS, rows=[paper_template_example(columns)]),
    )


def _allowed_values_csv(request):
    return csv_download(
        filename=ALLOWED_VALUES_FILENAME,
        lines=csv_lines(
            header=ALLOWED_VALUES_HEADER, rows=paper_allowed_values(paper_template_columns())
        ),
    )
