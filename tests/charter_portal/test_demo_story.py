"""The demo data tells one story per neighbourhood: what a pledge or a supplier names is where it
is (the wards of data/councils/stevenage.toml), and no supplier appears twice."""

import re
from collections import Counter

from balancesheets.models import BalanceSheet
from metrics.models import MetricValue
from metrics.spend.models import Supplier
from metrics.spend.names import supplier_name_normalise
from neighbourhoods.models import Neighbourhood, PostcodeLookup, Ward
from outbox.models import OutboundEmail
from pledges.models import Pledge, PledgeStatus

LEGAL_FORMS = {"ltd", "plc", "llp", "cic", "cio", "lp"}


def _places() -> dict[str, int]:
    """Every ward name (then and now) and neighbourhood name: the neighbourhood it is in."""
    places = {name: pk for pk, name in Neighbourhood.objects.values_list("pk", "name")}
    places.update(dict(Ward.objects.values_list("name", "neighbourhood_id")))
    return places


def _named(text: str, places: dict[str, int]) -> set[int]:
    """The neighbourhoods whose places the text names."""
    return {
        neighbourhood
        for place, neighbourhood in places.items()
        if re.search(rf"\b{re.escape(place)}\b", text)
    }


def test_no_published_pledge_names_a_place_in_another_neighbourhood(seeded):
    places = _places()
    pledges = Pledge.objects.filter(status=PledgeStatus.PUBLISHED)
    assert pledges.count() >= 300
    wrong = [
        (pledge.reference, pledge.neighbourhood_id, pledge.display_name, pledge.text)
        for pledge in pledges.only("reference", "neighbourhood", "display_name", "text")
        if _named(f"{pledge.display_name}\n{pledge.text}", places) - {pledge.neighbourhood_id}
    ]
    assert wrong == []


def test_pledges_name_their_own_neighbourhoods_places(seeded):
    places = _places()
    naming = [
        pledge
        for pledge in Pledge.objects.exclude(neighbourhood=None).only("neighbourhood", "text")
        if _named(pledge.text, places)
    ]
    assert len(naming) >= 50  # the story is told, not avoided
    assert all(_named(p.text, places) == {p.neighbourhood_id} for p in naming)


def test_the_demo_pledgers_live_in_their_pledges_neighbourhood(seeded):
    where = dict(PostcodeLookup.objects.values_list("postcode", "ward__neighbourhood_id"))
    pledges = Pledge.objects.exclude(neighbourhood=None).exclude(postcode="")
    assert pledges.count() >= 100
    assert all(where.get(p.postcode) == p.neighbourhood_id for p in pledges)


def test_no_two_suppliers_share_a_name_whatever_their_legal_form(seeded):
    def trading(name: str) -> str:
        words = supplier_name_normalise(name).split()
        while len(words) > 1 and words[-1] in LEGAL_FORMS:
            words.pop()
        if len(words) > 2 and words[-2:] == ["and", "co"]:
            words = words[:-2]
        return " ".join(words)

    names = list(Supplier.objects.values_list("name", flat=True))
    assert len(names) >= 150
    assert len({supplier_name_normalise(name) for name in names}) == len(names)
    shared = {key: n for key, n in Counter(trading(name) for name in names).items() if n > 1}
    assert shared == {}


def test_a_supplier_named_after_a_ward_sits_in_that_wards_neighbourhood(seeded):
    wards = dict(Ward.objects.values_list("name", "neighbourhood_id"))
    named = [
        (supplier.name, supplier.neighbourhood_id, wards[ward])
        for supplier in Supplier.objects.only("name", "neighbourhood")
        for ward in wards
        if supplier.name.startswith(f"{ward} ")
    ]
    assert len(named) >= 30
    assert [row for row in named if row[1] != row[2]] == []


def test_the_emails_of_submitted_values_and_sheets_went_when_they_were_submitted(seeded):
    emails = OutboundEmail.objects.filter(kind__in=["value_submitted", "sheet_submitted"])
    about = {
        "value_submitted": dict(MetricValue.objects.values_list("pk", "submitted_at")),
        "sheet_submitted": dict(BalanceSheet.objects.values_list("pk", "submitted_at")),
    }
    sent = list(emails.values_list("kind", "about_id", "sent_at"))
    assert "sheet_submitted" in {kind for kind, _, _ in sent}
    assert [row for row in sent if row[2] != about[row[0]][row[1]]] == []
