"""The /spend/ page's six tables: the columns each shows, over the rows the view prepared.

Declared here once so the template renders every table with `{% govuk_table %}`; the figures
are already formatted text ("£1,234", "12.5%"), with the raw shares beside them for the charts.
"""

from collections.abc import Mapping
from typing import Any

from django.contrib.humanize.templatetags.humanize import apnumber, intcomma
from django.template.defaultfilters import pluralize

from core.tables import Column, Table

SPENT = Column("Spent", "total", numeric=True)


def spend_page_tables(context: Mapping[str, Any]) -> dict[str, Table]:
    """The tables of the spend page's `context` (its period, headline and breakdown rows)."""
    period = context["period"].short_label
    leakage = context["leakage"]
    localities = context["localities"]
    all_named = {"label": "All named suppliers", "total": context["headline"]["total"]}
    return {
        "localities": Table(
            caption="Spending by where suppliers are",
            chart="localities",
            small_text=True,
            columns=[
                Column("Where", "label"),
                SPENT,
                Column("Share", "value_share", numeric=True, chart_key="value_share_raw"),
            ],
            rows=[*localities, {**all_named, "value_share": "100%"}],
        ),
        "payments": Table(
            caption="Payments by where suppliers are",
            small_text=True,
            columns=[
                Column("Where", "label"),
                Column("Payments", "count", numeric=True),
                Column("Share", "count_share", numeric=True),
            ],
            rows=[{**row, "count": intcomma(row["count"])} for row in localities],
        ),
        "quarters": Table(
            caption=f"Share of spending by quarter, up to {period}",
            chart="quarters",
            small_text=True,
            narrow=True,
            columns=[
                Column("Quarter", "label"),
                SPENT,
                Column("Borough", "borough", numeric=True, chart_key="borough_raw"),
                Column(
                    "County",
                    "county",
                    numeric=True,
                    hidden=", the borough included",
                    chart_key="county_raw",
                ),
            ],
            rows=context["trend"],
        ),
        "departments": Table(
            caption=f"Share of spending by department, {period}",
            small_text=True,
            columns=[
                Column("Department", "label"),
                SPENT,
                Column("In the borough", "borough", numeric=True),
            ],
            rows=[*context["departments"], *context["other_departments"]],
        ),
        "leakage": Table(
            caption=f"The {apnumber(len(leakage))} supplier{pluralize(len(leakage))} outside "
            f"the borough paid the most, {period}",
            small_text=True,
            columns=[Column("Supplier", "name"), Column("Where", "where"), SPENT],
            rows=leakage,
        ),
        "excluded": Table(
            caption=f"Spending left out of influenceable spending, {period}",
            small_text=True,
            columns=[
                Column("What is left out", "name"),
                Column("Why", "reason"),
                Column("Left out", "total", numeric=True),
                Column("Share of spending", "share", numeric=True),
            ],
            rows=context["headline"]["excluded"],
        ),
        "sme_vcse": Table(
            caption=f"Spending with SMEs and VCSEs, {period}",
            small_text=True,
            narrow=True,
            columns=[
                Column("Suppliers", "label"),
                Column("Share", "share", numeric=True),
                Column("Where known", "share_of_known", numeric=True),
                Column("Known for", "coverage", numeric=True),
            ],
            rows=context["flags"],
        ),
    }


def top_suppliers_table(*, period, rows: list[dict]) -> Table:
    """The largest suppliers of a period, where each is based, their flags and spend."""
    return Table(
        caption=f"The {intcomma(len(rows))} supplier{pluralize(len(rows))} paid the most, "
        f"{period.short_label}, largest first",
        small_text=True,
        columns=[
            Column("Supplier", "name"),
            Column("Based", "where"),
            Column("SME", "sme"),
            Column("VCSE", "vcse"),
            SPENT,
            Column("Share of spending", "share", numeric=True),
            Column("Not influenceable", "excluded", numeric=True),
        ],
        rows=rows,
    )
