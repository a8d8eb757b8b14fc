"""The pledge wall and one pledge's page, through the test client."""

import datetime
import html
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import factory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from neighbourhoods.models import Neighbourhood
from pledges.models import (
    Campaign,
    Commitment,
    Pledge,
    PledgerType,
    PledgeStatus,
    PledgeUpdate,
    UpdateStatus,
)
from tests.factories import PledgeFactory

LONDON = ZoneInfo("Europe/London")
UNPUBLISHED = [s for s in PledgeStatus.values if s != PledgeStatus.PUBLISHED]


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = "The first 100 days"
    target = 100
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=90))
    description = "in the first 100 days"


class PledgeUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PledgeUpdate

    pledge = factory.SubFactory(PledgeFactory)
    text = "We took on two apprentices from the town."
    status = UpdateStatus.PUBLISHED


def text_of(response) -> str:
    """The page's visible text, tags removed and whitespace collapsed."""
    content = response.content.decode()
    content = re.sub(r"<(script|style)\b.*?</\1>", " ", content, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", content))).strip()


def card_names(response) -> list[str]:
    """The public names on the page's pledge cards, in order."""
    found = re.findall(
        r'<h2 class="govuk-heading-s[^"]*"><a class="govuk-link" href="/pledges/\w+/">([^<]+)<',
        response.content.decode(),
    )
    return [html.unescape(name) for name in found]


def chells(council) -> Neighbourhood:
    return council.neighbourhoods.get(slug="chells-and-manor")


# The wall


def test_the_wall_answers_with_its_heading_and_title(council, client):
    response = client.get("/pledges/")
    assert response.status_code == 200
    assert "<title>Pledge wall \N{EN DASH} Stevenage Inclusive Economy Charter</title>" in (
        response.content.decode()
    )
    assert '<h1 class="govuk-heading-xl">Pledge wall</h1>' in response.content.decode()


@pytest.mark.parametrize("status", UNPUBLISHED)
def test_the_wall_shows_only_published_pledges(council, client, status):
    PledgeFactory(display_name="Published Bakery")
    PledgeFactory(display_name="Hidden Bakery", status=status)
    assert card_names(client.get("/pledges/")) == ["Published Bakery"]


def test_the_wall_shows_the_newest_pledge_first(council, client):
    now = timezone.now()
    PledgeFactory(display_name="Oldest", published_at=now - datetime.timedelta(days=2))
    PledgeFactory(display_name="Newest", published_at=now)
    PledgeFactory(display_name="Middle", published_at=now - datetime.timedelta(days=1))
    assert card_names(client.get("/pledges/")) == ["Newest", "Middle", "Oldest"]


def test_the_wall_shows_twenty_pledges_a_page_and_says_which(council, client):
    PledgeFactory.create_batch(45)
    first, second = client.get("/pledges/"), client.get("/pledges/?page=2")
    assert len(card_names(first)) == 20
    assert "Showing 1 to 20 of 45 pledges" in text_of(first)
    assert "Showing 21 to 40 of 45 pledges" in text_of(second)
    assert "Pledge wall (page 2 of 3)" in text_of(second)


def test_a_card_shows_the_public_details_of_a_pledge(council, client):
    buy_local = Commitment.objects.get(code="buy-local")
    pledge = PledgeFactory(
        display_name="Old Town Hardware",
        pledger_type=PledgerType.BUSINESS,
        organisation_size="micro",
        neighbourhood=chells(council),
        commitments=[buy_local],
        text="We will buy our stock from Stevenage wholesalers.",
        published_at=datetime.datetime(2025, 6, 4, 10, tzinfo=LONDON),
    )
    response = client.get("/pledges/")
    page = text_of(response)
    assert f'href="/pledges/{pledge.reference}/">Old Town Hardware' in response.content.decode()
    assert "A business Chells and Manor" in page
    assert "We will buy our stock from Stevenage wholesalers." in page
    assert "Buying goods or services from others in the local area" in page
    assert "Published 4 June 2025" in page


def test_a_card_says_a_town_wide_pledge_is_across_the_area(council, client):
    PledgeFactory(neighbourhood=None)
    assert "A resident Across Stevenage" in text_of(client.get("/pledges/"))


def test_a_card_cuts_a_long_pledge_short(council, client):
    PledgeFactory(text=" ".join(f"word{n}" for n in range(100)))
    page = text_of(client.get("/pledges/"))
    assert "word39 …" in page
    assert "word40" not in page


def test_a_card_shows_an_anonymous_name_when_the_pledger_chose_not_to_show_theirs(council, client):
    PledgeFactory(display_name="Bartholomew Secretname", show_name=False)
    response = client.get("/pledges/")
    assert card_names(response) == ["A local resident"]
    assert "Secretname" not in response.content.decode()


def test_the_campaign_progress_is_shown_at_the_top(council, client):
    Campaign.objects.all().delete()  # the reference data's own campaigns
    CampaignFactory(target=100, description="in the first 100 days")
    PledgeFactory.create_batch(3)
    PledgeFactory(status=PledgeStatus.CONFIRMED)
    page = text_of(client.get("/pledges/"))
    assert "3 of 100 pledges in the first 100 days" in page
    assert page.index("3 of 100 pledges") < page.index("Filter pledges")


def test_the_campaign_progress_bar_has_a_text_label(council, client):
    Campaign.objects.all().delete()
    CampaignFactory(target=100)
    PledgeFactory.create_batch(3)
    content = client.get("/pledges/").content.decode()
    assert re.search(r'<progress [^>]*max="100" value="3" aria-labelledby="[\w-]+"', content)


def test_without_a_campaign_no_progress_is_shown(council, client):
    Campaign.objects.all().delete()
    PledgeFactory()
    assert "<progress" not in client.get("/pledges/").content.decode()


def test_the_wall_links_to_the_open_data(council, client):
    content = client.get("/pledges/").content.decode()
    assert "Download the pledges as open data" in content
    assert 'href="/pledges.csv"' in content
    assert 'href="/pledges.json"' in content


def test_the_wall_has_no_inline_styles(council, client):
    PledgeFactory.create_batch(25)
    CampaignFactory()
    content = client.get("/pledges/").content.decode()
    assert "style=" not in content
    assert "<style" not in content


def test_the_wall_says_when_nothing_has_been_published(council, client):
    assert "No pledges have been published yet" in text_of(client.get("/pledges/"))


# Filters


def test_the_filter_form_is_a_get_form_with_a_search_box_and_four_filters(council, client):
    content = client.get("/pledges/").content.decode()
    assert re.search(r'<form method="get" action="/pledges/"', content)
    assert '<label class="govuk-label govuk-label--s" for="q">Search pledges</label>' in content
    for name in ("neighbourhood", "pledger_type", "commitment", "foundation"):
        assert f'name="{name}"' in content
    assert "Apply filters" in content
    assert re.search(r'<a class="govuk-link" href="/pledges/">Clear filters</a>', content)


def test_each_filter_option_shows_how_many_pledges_it_has(council, client):
    PledgeFactory.create_batch(2, neighbourhood=chells(council))
    PledgeFactory(neighbourhood=None, pledger_type=PledgerType.BUSINESS)
    page = text_of(client.get("/pledges/"))
    assert "Chells and Manor (2)" in page
    assert "Bedwell and Pin Green (0)" in page
    assert "Across Stevenage (1)" in page
    assert "A business (1)" in page
    assert "A resident (2)" in page


def test_the_neighbourhood_filter_shows_only_that_neighbourhoods_pledges(council, client):
    PledgeFactory(display_name="In Chells", neighbourhood=chells(council))
    PledgeFactory(display_name="Elsewhere", neighbourhood=None)
    response = client.get("/pledges/?neighbourhood=chells-and-manor")
    assert card_names(response) == ["In Chells"]
    assert '<option value="chells-and-manor" selected>' in response.content.decode()


def test_the_town_wide_filter_shows_pledges_for_the_whole_area(council, client):
    PledgeFactory(display_name="In Chells", neighbourhood=chells(council))
    PledgeFactory(display_name="Everywhere", neighbourhood=None)
    assert card_names(client.get("/pledges/?neighbourhood=town-wide")) == ["Everywhere"]


def test_the_pledger_type_filter_shows_only_that_type(council, client):
    PledgeFactory(display_name="A Shop", pledger_type=PledgerType.BUSINESS)
    PledgeFactory(display_name="A Neighbour", pledger_type=PledgerType.RESIDENT)
    assert card_names(client.get("/pledges/?pledger_type=business")) == ["A Shop"]


def test_the_commitment_filter_shows_only_pledges_making_it(council, client):
    PledgeFactory(display_name="Buyer", commitments=[Commitment.objects.get(code="buy-local")])
    PledgeFactory(
        display_name="Mentor", commitments=[Commitment.objects.get(code="careers-advice")]
    )
    assert card_names(client.get("/pledges/?commitment=buy-local")) == ["Buyer"]


def test_the_foundation_filter_shows_only_pledges_in_it(council, client):
    training = Commitment.objects.filter(foundation__code="training-skills")
    PledgeFactory(display_name="Trainer", commitments=list(training[:2]))
    PledgeFactory(display_name="Buyer", commitments=[Commitment.objects.get(code="buy-local")])
    response = client.get("/pledges/?foundation=training-skills")
    assert card_names(response) == ["Trainer"]
    assert "Showing 1 to 1 of 1 pledge" in text_of(response)


def test_the_search_box_finds_words_in_pledges(council, client):
    PledgeFactory(display_name="Mentor", text="Mentoring young entrepreneurs.")
    PledgeFactory(display_name="Shopper", text="Shopping at the market.")
    response = client.get("/pledges/?q=mentor")
    assert card_names(response) == ["Mentor"]
    assert 'value="mentor"' in response.content.decode()


def test_filters_that_match_nothing_say_so(council, client):
    PledgeFactory(neighbourhood=None)
    page = text_of(client.get("/pledges/?neighbourhood=chells-and-manor"))
    assert "No pledges match your filters" in page
    assert "Showing" not in page


def test_an_unknown_filter_value_is_ignored(council, client):
    PledgeFactory.create_batch(2)
    response = client.get("/pledges/?neighbourhood=atlantis&pledger_type=wizard&foundation=x")
    assert response.status_code == 200
    assert len(card_names(response)) == 2


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=0",
        "page=-1",
        "page=99999",
        "page=1e9",
        "page=" + "9" * 400,
        "q=" + "pledge " * 2000,
        "q=%00nul",
        "q=%F0%9F%8C%B3+%E2%80%AE",
        "q=!!!%20%26%20|%20:*%20(",
        "neighbourhood=%00",
        "commitment=" + "x" * 5000,
        "neighbourhood=chells-and-manor&neighbourhood=town-wide",
        "foundation=%27%3B+DROP+TABLE",
    ],
)
def test_odd_query_strings_never_break_the_wall(council, client, query):
    PledgeFactory.create_batch(25)
    assert client.get(f"/pledges/?{query}").status_code == 200


def test_a_page_past_the_end_shows_the_last_page(council, client):
    PledgeFactory.create_batch(25)
    assert "Showing 21 to 25 of 25 pledges" in text_of(client.get("/pledges/?page=99999"))


def test_pagination_links_keep_the_filters_and_drop_unknown_ones(council, client):
    PledgeFactory.create_batch(45, pledger_type=PledgerType.BUSINESS, organisation_size="small")
    response = client.get("/pledges/?pledger_type=business&neighbourhood=atlantis&page=2")
    content = response.content.decode()
    assert '<nav class="govuk-pagination" aria-label="Results pages">' in content
    links = re.findall(r'class="govuk-link govuk-pagination__link" href="([^"]+)"', content)
    assert links
    for link in links:
        query = parse_qs(urlsplit(html.unescape(link)).query)
        assert query["pledger_type"] == ["business"]
        assert "neighbourhood" not in query
    assert 'aria-current="page">2</a>' in content


def test_pagination_is_not_shown_for_one_page(council, client):
    PledgeFactory.create_batch(3)
    assert "govuk-pagination" not in client.get("/pledges/").content.decode()


def test_pagination_shows_an_ellipsis_between_distant_pages(council, client):
    PledgeFactory.create_batch(20 * 9 + 1)
    content = client.get("/pledges/?page=5").content.decode()
    numbers = re.findall(r'aria-label="Page (\d+)"', content)
    assert numbers == ["1", "4", "5", "6", "10"]
    assert content.count("govuk-pagination__item--ellipses") == 2


# One pledge


def test_a_pledge_page_shows_the_pledge_in_full(council, client):
    pledge = PledgeFactory(
        display_name="Old Town Hardware",
        pledger_type=PledgerType.BUSINESS,
        organisation_size="small",
        neighbourhood=chells(council),
        commitments=list(Commitment.objects.filter(code__in=["buy-local", "careers-advice"])),
        text="We will buy locally.\n\nAnd we will visit schools.",
        target="4 school visits a year",
        published_at=datetime.datetime(2025, 6, 4, 10, tzinfo=LONDON),
    )
    response = client.get(f"/pledges/{pledge.reference}/")
    content, page = response.content.decode(), text_of(response)
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-xl">Old Town Hardware</h1>' in content
    assert "<p>We will buy locally.</p>\n\n<p>And we will visit schools.</p>" in content
    for expected in (
        "Pledging as A business",
        "Size of business Small (10 to 49 people)",
        "Neighbourhood Chells and Manor",
        "Buying goods or services from others in the local area",
        "Offering careers advice in schools",
        "Measurable target 4 school visits a year",
        "Published 4 June 2025",
        f"Reference {pledge.reference}",
    ):
        assert expected in page


def test_a_pledge_page_has_breadcrumbs_back_to_the_wall(council, client):
    pledge = PledgeFactory()
    content = client.get(f"/pledges/{pledge.reference}/").content.decode()
    assert re.search(
        r'<nav class="govuk-breadcrumbs".*href="/">Home</a>.*href="/pledges/">Pledge wall</a>',
        content,
        flags=re.S,
    )


def test_a_pledge_page_shows_the_anonymous_name_when_the_name_is_private(council, client):
    pledge = PledgeFactory(
        display_name="Bartholomew Secretname", show_name=False, neighbourhood=None
    )
    response = client.get(f"/pledges/{pledge.reference}/")
    assert '<h1 class="govuk-heading-xl">A local resident</h1>' in response.content.decode()
    assert "Secretname" not in response.content.decode()
    assert "Neighbourhood Across Stevenage" in text_of(response)


def test_a_pledge_page_shows_published_progress_with_its_figures(council, client):
    pledge = PledgeFactory()
    PledgeUpdateFactory(
        pledge=pledge,
        text="Two apprentices started in September.",
        hours_volunteered=1200,
        people_supported=35,
        placements_offered=4,
        spent_locally=Decimal("12500.50"),
    )
    PledgeUpdateFactory(pledge=pledge, text="Waiting to be checked.", status=UpdateStatus.PENDING)
    PledgeUpdateFactory(pledge=pledge, text="Turned down.", status=UpdateStatus.REJECTED)
    page = text_of(client.get(f"/pledges/{pledge.reference}/"))
    assert "Two apprentices started in September." in page
    assert "Hours volunteered 1,200" in page
    assert "People supported 35" in page
    assert "Placements offered 4" in page
    assert "Spent locally £12,500.50" in page
    assert "Waiting to be checked." not in page
    assert "Turned down." not in page


def test_a_pledge_page_without_progress_says_so(council, client):
    pledge = PledgeFactory()
    page = text_of(client.get(f"/pledges/{pledge.reference}/"))
    assert "No progress has been reported on this pledge yet." in page


@pytest.mark.parametrize("status", UNPUBLISHED)
def test_an_unpublished_pledge_has_no_page(council, client, status):
    pledge = PledgeFactory(status=status)
    response = client.get(f"/pledges/{pledge.reference}/")
    assert response.status_code == 404
    assert "Page not found" in text_of(response)


@pytest.mark.parametrize("reference", ["ZZZZZZZZ", "abc%00def", "A" * 300, "AB-CD"])
def test_an_unknown_reference_has_no_page(council, client, reference):
    PledgeFactory()
    assert client.get(f"/pledges/{reference}/").status_code == 404


def test_a_pledge_page_has_no_inline_styles(council, client):
    pledge = PledgeFactory()
    PledgeUpdateFactory(pledge=pledge, hours_volunteered=3)
    assert "style=" not in client.get(f"/pledges/{pledge.reference}/").content.decode()


# Bounded queries


def published_in_bulk(count: int, *, council) -> None:
    """`count` published pledges with neighbourhoods and two commitments each, made quickly."""
    neighbourhoods = [*council.neighbourhoods.all(), None]
    commitments = list(Commitment.objects.all())
    now = timezone.now()
    pledges = Pledge.objects.bulk_create(
        PledgeFactory.build(
            neighbourhood=neighbourhoods[i % len(neighbourhoods)],
            published_at=now - datetime.timedelta(minutes=i),
            text=f"Pledge number {i} to help the town.",
        )
        for i in range(count)
    )
    Pledge.commitments.through.objects.bulk_create(
        Pledge.commitments.through(pledge_id=pledge.pk, commitment_id=commitment.pk)
        for i, pledge in enumerate(pledges)
        for commitment in (
            commitments[i % len(commitments)],
            commitments[(i + 5) % len(commitments)],
        )
    )
    # As autovacuum would on a live site: without fresh statistics the planner takes a thousand
    # rows for one and can choose plans that take minutes.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE pledges_pledge, pledges_pledge_commitments")


def query_count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
        assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "path",
    [
        "/pledges/",
        "/pledges/?page=3",
        # Every filter at once, chosen to match pledges among the first ten as well.
        "/pledges/?neighbourhood=chells-and-manor&commitment=buy-local"
        "&foundation=cooperative-social-economy&pledger_type=resident&q=town",
        "/pledges.json",
        "/pledges.json?page=2",
        "/pledges/counts.json",
    ],
)
def test_pages_make_the_same_few_queries_for_ten_or_a_thousand_pledges(council, client, path):
    CampaignFactory()
    published_in_bulk(10, council=council)
    with_ten = query_count(client, path.replace("page=3", "page=1").replace("page=2", "page=1"))
    published_in_bulk(990, council=council)
    with_a_thousand = query_count(client, path)
    assert with_ten == with_a_thousand
    assert with_a_thousand <= 15


def test_a_pledge_page_makes_a_fixed_number_of_queries(council, client):
    pledge = PledgeFactory(commitments=list(Commitment.objects.all()[:3]))
    PledgeUpdateFactory.create_batch(2, pledge=pledge)
    few = query_count(client, f"/pledges/{pledge.reference}/")
    PledgeUpdateFactory.create_batch(20, pledge=pledge)
    assert query_count(client, f"/pledges/{pledge.reference}/") == few
    assert few <= 6
