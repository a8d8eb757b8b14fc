"""The paper import's template: its columns, what goes in each, and the values the coded columns
allow, written from the reference data (the council's neighbourhoods, the Charter's active
commitments, the pledger types), so the template and the importer never disagree.

Officers download `paper-pledges-template.csv` (the header row the importer reads and one example
row) and `paper-pledges-allowed-values.csv`; the import page shows the same guide.
"""

from dataclasses import dataclass

from neighbourhoods.models import Neighbourhood
from pledges.models import PLEDGE_TEXT_MAX_LENGTH, Commitment, OrganisationSize, PledgerType
from pledges.resources import COLUMNS, COMMITMENT_SEPARATOR, REQUIRED_COLUMNS

TEMPLATE_FILENAME = "paper-pledges-template.csv"
ALLOWED_VALUES_FILENAME = "paper-pledges-allowed-values.csv"
ALLOWED_VALUES_HEADER = ("column", "value", "meaning")
YES_NO = (("yes", "Yes"), ("no", "No (an empty cell is no)"))

# What an officer types in each column. A test checks every column the importer reads is here.
COLUMN_HELP = {
    "pledger_type": "Who is pledging",
    "organisation_size": "Businesses only: how many people work there; empty for everyone else",
    "display_name": "The person's or the organisation's name",
    "show_name": "Whether they agreed to show that name on the pledge wall",
    "contact_name": "Organisations: the person to contact. Never published",
    "email": "Their email address, if they gave one. Never published",
    "postcode": "Their postcode, if they gave one, like SG1 1HN. Never published",
    "neighbourhood": "Where the pledge will make a difference; empty for the whole area",
    "commitments": f"What they will do: one or more codes, separated by “{COMMITMENT_SEPARATOR}”",
    "text": f"The pledge in their words, up to {PLEDGE_TEXT_MAX_LENGTH:,} characters",
    "target": "A measurable target, if they gave one (up to 200 characters)",
    "contact_consent": "Whether they agreed that the Charter team may contact them",
}


@dataclass(frozen=True)
class TemplateColumn:
    name: str
    required: bool
    help: str
    allowed: tuple[tuple[str, str], ...]  # (value, meaning); empty when any text will do


def paper_template_columns() -> list[TemplateColumn]:
    """Each column the importer reads, in its order, with the values a coded column allows."""
    neighbourhoods = tuple(
        (n.slug, n.name) for n in Neighbourhood.objects.order_by("order", "name")
    )
    commitments = tuple(
        (c.code, c.title)
        for c in Commitment.objects.filter(is_active=True).order_by("benefit", "order", "title")
    )
    allowed = {
        "pledger_type": tuple(PledgerType.choices),
        "organisation_size": tuple(OrganisationSize.choices),
        "show_name": YES_NO,
        "contact_consent": YES_NO,
        "neighbourhood": neighbourhoods,
        "commitments": commitments,
    }
    return [
        TemplateColumn(
            name=name,
            required=name in REQUIRED_COLUMNS,
            help=COLUMN_HELP[name],
            allowed=allowed.get(name, ()),
        )
        for name in COLUMNS
    ]


def paper_template_example(columns: list[TemplateColumn]) -> list[str]:
    """One example row the importer accepts: a small business, from the first allowed values."""
    first = {column.name: column.allowed[0][0] for column in columns if column.allowed}
    commitments = [
        value for value, _ in next(c for c in columns if c.name == "commitments").allowed
    ]
    example = {
        "pledger_type": PledgerType.BUSINESS,
        "organisation_size": first["organisation_size"],
        "display_name": "Example Bakery",
        "show_name": "yes",
        "contact_name": "Sam Example",
        "email": "sam@example.com",
        "postcode": "",
        "neighbourhood": first.get("neighbourhood", ""),
        "commitments": f"{COMMITMENT_SEPARATOR} ".join(commitments[:2]),
        "text": "Replace this example: the pledge in the pledger's own words.",
        "target": "2 work placements a year",
        "contact_consent": "no",
    }
    return [str(example[column.name]) for column in columns]


def paper_allowed_values(columns: list[TemplateColumn]) -> list[tuple[str, str, str]]:
    """(column, value, meaning) for every value a coded column allows."""
    return [
        (column.name, value, meaning) for column in columns for value, meaning in column.allowed
    ]
