"""Councillors' and officers' dashboards: each app's figures for a neighbourhood, side by side.

Access (docs/architecture.md): officers and the CWB Group see every neighbourhood; a councillor
sees the dashboards of the neighbourhoods they represent and a 403 page for the others. Contact
details are for the neighbourhood's own officers (and the data-protection staff) only, and every
view of them is logged (audit.PersonalDataView). Each page runs a fixed number of queries,
whatever the number of pledges.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from balancesheets.dashboard import sheet_dashboard_summaries
from core.csv import csv_download, csv_lines
from metrics.dashboard import metric_values_for_area
from metrics.spend.dashboard import spend_with_neighbourhood_suppliers
from neighbourhoods.current import council_or_404
from neighbourhoods.selectors import neighbourhood_list, staff_access
from pledges.dashboard import (
    pledge_contacts,
    pledge_dashboard,
    pledge_summaries_by_neighbourhood,
)
from pledges.models import PledgerType
from pledges.services import contact_list_viewed

CONTACTS_SHOWN = 200


def _access_or_403(request):
    access = staff_access(user=request.user)
    if not access.has_any:
        raise PermissionDenied("Your account has no dashboard role.")
    return access


@never_cache
@login_required
@require_safe
def dashboard_index(request):
    access = _access_or_403(request)
    council = council_or_404()
    neighbourhoods = [n for n in neighbourhood_list(council=council) if access.sees(n)]
    pledges = pledge_summaries_by_neighbourhood()
    sheets = sheet_dashboard_summaries(council=council)
    rows = [
        {
            "neighbourhood": n,
            "pledges": pledges.get(n.pk),
            "sheet": sheets.get(n.pk),
        }
        for n in neighbourhoods
    ]
    return render(
        request,
        "dashboards/index.html",
        {"rows": rows, "access": access, "town_wide": pledges.get(None)},
    )


def _neighbourhood_or_403(request, slug):
    access = _access_or_403(request)
    council = council_or_404()
    neighbourhood = council.neighbourhoods.filter(slug=slug).first()
    if neighbourhood is None:
        raise Http404("No such neighbourhood.")
    if not access.sees(neighbourhood):
        raise PermissionDenied("You are not a councillor for this neighbourhood.")
    return access, council, neighbourhood


def _town_average(summaries: dict, neighbourhood_count: int) -> dict:
    published = sum(s.published for key, s in summaries.items() if key is not None)
    updates = sum(s.updates for key, s in summaries.items() if key is not None)
    count = max(neighbourhood_count, 1)
    return {"published": round(published / count, 1), "updates": round(updates / count, 1)}


@never_cache
@login_required
@require_safe
def dashboard_neighbourhood(request, slug: str):
    access, council, neighbourhood = _neighbourhood_or_403(request, slug)
    summaries = pledge_summaries_by_neighbourhood()
    this = summaries.get(neighbourhood.pk)
    contacts = None
    if access.sees_contacts(neighbourhood):
        contacts = list(pledge_contacts(neighbourhood=neighbourhood)[:CONTACTS_SHOWN])
        contact_list_viewed(viewer=request.user, neighbourhood=neighbourhood, pledges=contacts)
    pledges = pledge_dashboard(neighbourhood=neighbourhood)
    return render(
        request,
        "dashboards/neighbourhood.html",
        {
            "neighbourhood": neighbourhood,
            "access": access,
            "pledges": pledges,
            "tables": _pledge_tables(pledges),
            "summary": this,
            "town_average": _town_average(summaries, council.neighbourhoods.count()),
            "contacts": contacts,
            "contacts_limit": CONTACTS_SHOWN,
            "sheet": sheet_dashboard_summaries(council=council).get(neighbourhood.pk),
            "metric_values": metric_values_for_area(
                neighbourhood=neighbourhood, include_drafts=access.sees_drafts
            ),
            "spend": spend_with_neighbourhood_suppliers(neighbourhood=neighbourhood),
        },
    )


def _pledge_tables(pledges) -> list[dict]:
    def table(slug, caption, label, rows, **extra):
        return {
            "slug": slug,
            "caption": caption,
            "label": label,
            "rows": rows,
            "max": max((count for _, count in rows), default=0) or 1,
            **extra,
        }

    return [
        table(
            "by-commitment", "Published pledges by commitment", "Commitment", pledges.by_commitment
        ),
        table(
            "by-foundation", "Published pledges by foundation", "Foundation", pledges.by_foundation
        ),
        table(
            "by-pledger-type",
            "Published pledges by who pledged",
            "Pledging as",
            pledges.by_pledger_type,
        ),
        table(
            "by-month",
            "Pledges published each month",
            "Month",
            pledges.by_month,
            is_month=True,
            count_label="Pledges published",
        ),
    ]


TABLES = ("by-commitment", "by-foundation", "by-pledger-type", "by-month", "contacts")


@never_cache
@login_required
@require_safe
def dashboard_table_csv(request, slug: str, table: str):
    access, _, neighbourhood = _neighbourhood_or_403(request, slug)
    if table not in TABLES:
        raise Http404("No such table.")
    if table == "contacts":
        if not access.sees_contacts(neighbourhood):
            raise PermissionDenied("Contact details are for this neighbourhood's officers.")
        contacts = list(pledge_contacts(neighbourhood=neighbourhood))
        contact_list_viewed(
            viewer=request.user,
            neighbourhood=neighbourhood,
            pledges=contacts,
            export=True,
        )
        labels = dict(PledgerType.choices)
        header = ["Reference", "Pledging as", "Name", "Contact name", "Email", "Status"]
        rows = [
            [
                p.reference,
                labels.get(p.pledger_type, p.pledger_type),
                p.display_name,
                p.contact_name,
                p.email,
                p.get_status_display(),
            ]
            for p in contacts
        ]
    else:
        pledges = pledge_dashboard(neighbourhood=neighbourhood)
        header, rows = {
            "by-commitment": (["Commitment", "Published pledges"], pledges.by_commitment),
            "by-foundation": (["Foundation", "Published pledges"], pledges.by_foundation),
            "by-pledger-type": (["Pledging as", "Published pledges"], pledges.by_pledger_type),
            "by-month": (
                ["Month", "Pledges published"],
                [(month.strftime("%Y-%m"), n) for month, n in pledges.by_month],
            ),
        }[table]
    return csv_download(
        filename=f"{neighbourhood.slug}-{table}.csv", lines=csv_lines(header=header, rows=rows)
    )
