"""The pledge wall's reads: published only, newest first, filters, facets, campaigns, counts."""

import dataclasses
import datetime
import itertools
from zoneinfo import ZoneInfo

import factory
import pytest

from pledges.models import (
    Campaign,
    Commitment,
    Pledge,
    PledgerType,
    PledgeStatus,
    PledgeUpdate,
    UpdateStatus,
)
from pledges.selectors import (
    TOWN_WIDE,
    TOWN_WIDE_NAME,
    PledgeFilters,
    campaign_progress,
    pledge_counts_open_data,
    pledge_filter_choices,
    pledge_filter_counts,
    pledge_published_get,
    pledge_wall_page,
    pledges_published,
)
from tests.factories import (
    CommitmentFactory,
    FoundationFactory,
    NeighbourhoodFactory,
    PledgeFactory,
)

LONDON = ZoneInfo("Europe/London")
UNPUBLISHED = [s for s in PledgeStatus.values if s != PledgeStatus.PUBLISHED]
PRIVATE_FIELDS = {
    "email",
    "contact_name",
    "postcode",
    "ip_hash",
    "hold_reason",
    "submission_key",
    "duplicate_fingerprint",
    "confirmation_nonce",
    "manage_token_hash",
}


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = "The first 100 days"
    target = 100
    starts_on = datetime.date(2025, 6, 1)
    ends_on = datetime.date(2025, 9, 8)
    description = "in the first 100 days"


class PledgeUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PledgeUpdate

    pledge = factory.SubFactory(PledgeFactory)
    text = "We took on two apprentices from the town."
    status = UpdateStatus.PUBLISHED


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


def refs(pledges) -> list[str]:
    return [p.reference for p in pledges]


def wall_refs(**filters) -> list[str]:
    page = pledge_wall_page(filters=PledgeFilters(**filters), page_number=1, per_page=1000)
    return sorted(refs(page.object_list))


# Published only


@pytest.mark.parametrize("status", UNPUBLISHED)
def test_pledges_published_leaves_out_every_other_status(db, status):
    published = PledgeFactory()
    PledgeFactory(status=status)
    assert refs(pledges_published()) == [published.reference]


@pytest.mark.parametrize("status", UNPUBLISHED)
def test_the_wall_leaves_out_every_other_status(db, status):
    published = PledgeFactory()
    PledgeFactory(status=status)
    assert wall_refs() == [published.reference]


# Order and pages


def test_the_wall_shows_the_newest_pledge_first(db):
    old = PledgeFactory(published_at=at(2025, 6, 1, 9))
    new = PledgeFactory(published_at=at(2025, 6, 3, 9))
    middle = PledgeFactory(published_at=at(2025, 6, 2, 9))
    page = pledge_wall_page(page_number=1)
    assert refs(page.object_list) == [new.reference, middle.reference, old.reference]


def test_pledges_published_at_the_same_moment_show_the_latest_made_first(db):
    moment = at(2025, 6, 1, 9)
    first, second = PledgeFactory.create_batch(2, published_at=moment)
    assert refs(pledge_wall_page(page_number=1).object_list) == [second.reference, first.reference]


def test_the_wall_shows_twenty_pledges_a_page(db):
    PledgeFactory.create_batch(45)
    assert len(pledge_wall_page(page_number=1).object_list) == 20
    assert len(pledge_wall_page(page_number=3).object_list) == 5


def test_a_page_number_past_the_end_gives_the_last_page(db):
    PledgeFactory.create_batch(25)
    assert pledge_wall_page(page_number=99999).number == 2


def test_a_page_number_that_is_not_a_number_gives_the_first_page(db):
    PledgeFactory.create_batch(25)
    assert pledge_wall_page(page_number="abc").number == 1


def test_the_wall_does_not_even_load_private_columns(db):
    PledgeFactory(show_name=False)
    pledge = pledge_wall_page(page_number=1).object_list[0]
    assert pledge.get_deferred_fields() >= PRIVATE_FIELDS


def test_the_wall_loads_neighbourhoods_and_commitments_with_the_page(db, django_assert_num_queries):
    commitments = CommitmentFactory.create_batch(2)
    for _ in range(3):
        PledgeFactory(neighbourhood=NeighbourhoodFactory(), commitments=commitments)
    with django_assert_num_queries(3):  # count, the page, its commitments
        page = pledge_wall_page(page_number=1)
        for pledge in page.object_list:
            assert pledge.neighbourhood.name
            assert len(pledge.commitments.all()) == 2
            assert pledge.public_name


# Filters


def test_the_neighbourhood_filter_shows_that_neighbourhoods_pledges(db):
    chells, bedwell = NeighbourhoodFactory.create_batch(2)
    in_chells = PledgeFactory(neighbourhood=chells)
    PledgeFactory(neighbourhood=bedwell)
    PledgeFactory(neighbourhood=None)
    assert wall_refs(neighbourhood=chells.slug) == [in_chells.reference]


def test_the_town_wide_filter_shows_pledges_with_no_neighbourhood(db):
    town_wide = PledgeFactory(neighbourhood=None)
    PledgeFactory(neighbourhood=NeighbourhoodFactory())
    assert wall_refs(neighbourhood=TOWN_WIDE) == [town_wide.reference]


def test_the_pledger_type_filter_shows_pledges_of_that_type(db):
    business = PledgeFactory(pledger_type=PledgerType.BUSINESS)
    PledgeFactory(pledger_type=PledgerType.RESIDENT)
    assert wall_refs(pledger_type=PledgerType.BUSINESS) == [business.reference]


def test_the_commitment_filter_shows_pledges_making_that_commitment(db):
    buy_local, mentoring = CommitmentFactory.create_batch(2)
    both = PledgeFactory(commitments=[buy_local, mentoring])
    one = PledgeFactory(commitments=[buy_local])
    PledgeFactory(commitments=[mentoring])
    assert wall_refs(commitment=buy_local.code) == sorted([both.reference, one.reference])


def test_the_foundation_filter_shows_each_matching_pledge_once(db):
    training = FoundationFactory()
    careers, placements = CommitmentFactory.create_batch(2, foundation=training)
    both = PledgeFactory(commitments=[careers, placements])
    PledgeFactory(commitments=[CommitmentFactory()])
    page = pledge_wall_page(filters=PledgeFilters(foundation=training.code), page_number=1)
    assert refs(page.object_list) == [both.reference]
    assert page.paginator.count == 1


def test_filters_combine(db):
    chells = NeighbourhoodFactory()
    match = PledgeFactory(neighbourhood=chells, pledger_type=PledgerType.BUSINESS)
    PledgeFactory(neighbourhood=chells, pledger_type=PledgerType.RESIDENT)
    PledgeFactory(neighbourhood=None, pledger_type=PledgerType.BUSINESS)
    assert wall_refs(neighbourhood=chells.slug, pledger_type=PledgerType.BUSINESS) == [
        match.reference
    ]


def test_an_unknown_filter_value_matches_nothing(db):
    PledgeFactory()
    assert wall_refs(neighbourhood="nowhere") == []


# Text search


def test_search_finds_words_in_the_pledge_text(db):
    match = PledgeFactory(text="We will mentor two young entrepreneurs every year.")
    PledgeFactory(text="We will buy our coffee from the market.")
    assert wall_refs(q="mentoring") == [match.reference]


def test_search_finds_a_public_name(db):
    match = PledgeFactory(display_name="Fairlands Valley Bakery", show_name=True)
    PledgeFactory(display_name="Stevenage Cycle Repairs", show_name=True)
    assert wall_refs(q="bakery") == [match.reference]


def test_search_understands_quoted_phrases_and_exclusions(db):
    phrase = PledgeFactory(text="Local suppliers first, always.")
    other = PledgeFactory(text="First we will find suppliers who are local.")
    assert wall_refs(q='"local suppliers"') == [phrase.reference]
    assert wall_refs(q="suppliers -always") == [other.reference]


def test_search_does_not_find_a_name_the_pledger_chose_not_to_show(db):
    PledgeFactory(display_name="Zebedee Quartermaine", show_name=False, contact_name="Someone Else")
    assert wall_refs(q="Quartermaine") == []


def test_search_does_not_find_a_contact_name(db):
    PledgeFactory(display_name="Old Town Traders", contact_name="Philippa Wolstenholme")
    assert wall_refs(q="Wolstenholme") == []


def test_search_does_not_find_an_email_address(db):
    PledgeFactory(email="hidden.pledger@private.example.org")
    assert wall_refs(q="hidden.pledger@private.example.org") == []
    assert wall_refs(q="private") == []


def test_search_follows_a_change_written_without_the_services(db):
    pledge = PledgeFactory(text="We will buy our coffee from the market.")
    Pledge.objects.filter(pk=pledge.pk).update(text="We will plant an orchard.")
    assert wall_refs(q="orchard") == [pledge.reference]
    assert wall_refs(q="coffee") == []


def test_search_finds_the_anonymous_name_shown_in_place_of_a_hidden_one(db):
    hidden = PledgeFactory(pledger_type=PledgerType.RESIDENT, display_name="Ann", show_name=False)
    assert wall_refs(q="local resident") == [hidden.reference]


def test_a_search_of_only_stop_words_or_symbols_finds_nothing_without_failing(db):
    PledgeFactory(text="The best of the town.")
    assert wall_refs(q="the") == []
    assert wall_refs(q="!!! & | :* ( ''") == []


# Facet counts


@pytest.fixture
def facet_data(db):
    """Pledges spread over two neighbourhoods and town-wide, types, commitments, foundations."""
    chells, bedwell = NeighbourhoodFactory.create_batch(2)
    training, procurement = FoundationFactory.create_batch(2)
    careers, placements = CommitmentFactory.create_batch(2, foundation=training)
    buy_local = CommitmentFactory(foundation=procurement)
    places = [chells, bedwell, None]
    types = [PledgerType.RESIDENT, PledgerType.BUSINESS, PledgerType.COMMUNITY]
    commitment_sets = [[careers], [careers, placements], [buy_local], [placements, buy_local]]
    for i, (place, kind, commitments) in enumerate(
        itertools.islice(
            zip(
                itertools.cycle(places),
                itertools.cycle(types),
                itertools.cycle(commitment_sets),
                strict=False,
            ),
            30,
        )
    ):
        PledgeFactory(
            neighbourhood=place,
            pledger_type=kind,
            commitments=commitments,
            text="Apprentices from the town." if i % 3 else "Buying from the market.",
        )
    PledgeFactory(status=PledgeStatus.HELD, neighbourhood=chells, commitments=[careers])
    return {
        "neighbourhood": [chells.slug, bedwell.slug, TOWN_WIDE],
        "pledger_type": [t.value for t in types],
        "commitment": [careers.code, placements.code, buy_local.code],
        "foundation": [training.code, procurement.code],
    }


FILTER_SETS = [
    {},
    {"pledger_type": PledgerType.BUSINESS},
    {"neighbourhood": 0},
    {"neighbourhood": 2, "commitment": 1},
    {"foundation": 1, "q": "apprentices"},
    {"commitment": 0, "foundation": 0, "pledger_type": PledgerType.RESIDENT},
]


@pytest.mark.parametrize("given", FILTER_SETS)
def test_each_facet_count_is_what_choosing_that_option_would_show(facet_data, given):
    filters = PledgeFilters(
        **{
            name: facet_data[name][value] if isinstance(value, int) else value
            for name, value in given.items()
        }
    )
    counts = pledge_filter_counts(filters=filters)
    for facet in ("neighbourhood", "pledger_type", "commitment", "foundation"):
        for option in facet_data[facet]:
            chosen = dataclasses.replace(filters, **{facet: option})
            expected = pledge_wall_page(filters=chosen, page_number=1).paginator.count
            assert getattr(counts, facet).get(option, 0) == expected, (facet, option)


def test_facet_counts_use_one_query_a_facet(facet_data, django_assert_num_queries):
    with django_assert_num_queries(4):
        pledge_filter_counts(filters=PledgeFilters(q="apprentices", foundation="x"))


def test_facet_counts_leave_out_unpublished_pledges(db):
    chells = NeighbourhoodFactory()
    PledgeFactory(neighbourhood=chells)
    PledgeFactory(neighbourhood=chells, status=PledgeStatus.CONFIRMED)
    assert pledge_filter_counts(filters=PledgeFilters()).neighbourhood == {chells.slug: 1}


def test_the_filter_choices_are_the_councils_neighbourhoods_then_town_wide(council):
    NeighbourhoodFactory(name="Another council's neighbourhood")
    choices = pledge_filter_choices(council=council, town_wide_label="Across Stevenage")
    assert len(choices.neighbourhood) == 7
    assert ("chells-and-manor", "Chells and Manor") in choices.neighbourhood
    assert choices.neighbourhood[-1] == (TOWN_WIDE, "Across Stevenage")
    assert len(choices.commitment) == Commitment.objects.count()
    assert len(choices.foundation) == 4
    assert choices.valid(name="pledger_type", value="business")
    assert not choices.valid(name="neighbourhood", value="nowhere")


# One pledge


def test_a_published_pledge_is_found_by_its_reference(db):
    pledge = PledgeFactory()
    assert pledge_published_get(reference=pledge.reference) == pledge


@pytest.mark.parametrize("status", UNPUBLISHED)
def test_an_unpublished_pledge_is_not_found(db, status):
    pledge = PledgeFactory(status=status)
    assert pledge_published_get(reference=pledge.reference) is None


def test_a_pledge_comes_with_its_published_updates_only(db):
    pledge = PledgeFactory()
    published = PledgeUpdateFactory(pledge=pledge)
    PledgeUpdateFactory(pledge=pledge, status=UpdateStatus.PENDING)
    PledgeUpdateFactory(pledge=pledge, status=UpdateStatus.REJECTED)
    found = pledge_published_get(reference=pledge.reference)
    assert found.published_updates == [published]
    assert found.get_deferred_fields() >= PRIVATE_FIELDS


# Campaign progress


def test_there_is_no_campaign_progress_without_a_campaign(db):
    assert campaign_progress(today=datetime.date(2025, 7, 1)) is None


def test_a_campaign_that_has_not_started_is_not_shown(db):
    CampaignFactory(starts_on=datetime.date(2025, 8, 1), ends_on=datetime.date(2025, 9, 1))
    assert campaign_progress(today=datetime.date(2025, 7, 1)) is None


def test_the_running_campaign_is_shown(db):
    CampaignFactory(
        name="Earlier", starts_on=datetime.date(2025, 1, 1), ends_on=datetime.date(2025, 12, 31)
    )
    running = CampaignFactory(
        name="Summer", starts_on=datetime.date(2025, 6, 1), ends_on=datetime.date(2025, 6, 30)
    )
    CampaignFactory(
        name="Later", starts_on=datetime.date(2025, 7, 1), ends_on=datetime.date(2025, 7, 31)
    )
    assert campaign_progress(today=datetime.date(2025, 6, 15)) == running


def test_after_every_campaign_the_most_recent_one_is_shown(db):
    CampaignFactory(starts_on=datetime.date(2025, 1, 1), ends_on=datetime.date(2025, 2, 1))
    latest = CampaignFactory(starts_on=datetime.date(2025, 3, 1), ends_on=datetime.date(2025, 4, 1))
    assert campaign_progress(today=datetime.date(2025, 7, 1)) == latest


def test_a_running_campaign_wins_over_one_that_started_later_and_ended(db):
    running = CampaignFactory(
        starts_on=datetime.date(2025, 1, 1), ends_on=datetime.date(2025, 12, 31)
    )
    CampaignFactory(starts_on=datetime.date(2025, 3, 1), ends_on=datetime.date(2025, 4, 1))
    assert campaign_progress(today=datetime.date(2025, 7, 1)) == running


def test_campaign_progress_counts_published_pledges_confirmed_within_its_dates(db):
    CampaignFactory(starts_on=datetime.date(2025, 6, 1), ends_on=datetime.date(2025, 6, 30))
    PledgeFactory(confirmed_at=at(2025, 6, 1, 0, 30))  # 31 May in UTC, 1 June here
    PledgeFactory(confirmed_at=at(2025, 6, 30, 23, 30))
    PledgeFactory(confirmed_at=at(2025, 5, 31, 23, 30))
    PledgeFactory(confirmed_at=at(2025, 7, 1, 0, 30))
    PledgeFactory(confirmed_at=at(2025, 6, 15), status=PledgeStatus.CONFIRMED)
    PledgeFactory(confirmed_at=at(2025, 6, 15), status=PledgeStatus.WITHDRAWN)
    progress = campaign_progress(today=datetime.date(2025, 6, 20))
    assert progress.count == 2
    assert progress.target == 100


def test_campaign_progress_falls_back_to_when_a_pledge_was_made(db):
    CampaignFactory(starts_on=datetime.date(2025, 6, 1), ends_on=datetime.date(2025, 6, 30))
    inside, outside = PledgeFactory.create_batch(2, confirmed_at=None)
    type(inside).objects.filter(pk=inside.pk).update(created_at=at(2025, 6, 10))
    type(outside).objects.filter(pk=outside.pk).update(created_at=at(2025, 7, 10))
    assert campaign_progress(today=datetime.date(2025, 6, 20)).count == 1


def test_campaign_progress_is_one_query(db, django_assert_num_queries):
    CampaignFactory()
    PledgeFactory.create_batch(3, confirmed_at=at(2025, 6, 10))
    with django_assert_num_queries(1):
        assert campaign_progress(today=datetime.date(2025, 7, 1)).count == 3


# Open-data counts


def test_open_data_counts_break_published_pledges_down_every_way(db):
    chells = NeighbourhoodFactory(name="Chells and Manor")
    training, procurement = FoundationFactory.create_batch(2)
    careers, placements = CommitmentFactory.create_batch(2, foundation=training)
    buy_local = CommitmentFactory(foundation=procurement)
    PledgeFactory(
        neighbourhood=chells,
        pledger_type=PledgerType.BUSINESS,
        commitments=[careers, placements],
        published_at=at(2025, 6, 30, 23, 30),  # still June in the UK
    )
    PledgeFactory(
        neighbourhood=None,
        commitments=[careers, buy_local],
        published_at=at(2025, 7, 1, 0, 30),  # July in the UK, though June in UTC
    )
    PledgeFactory(status=PledgeStatus.REJECTED, neighbourhood=chells, commitments=[careers])
    assert pledge_counts_open_data() == {
        "neighbourhoods": {"Chells and Manor": 1, TOWN_WIDE_NAME: 1},
        "pledger_types": {"business": 1, "resident": 1},
        "commitments": {careers.code: 2, placements.code: 1, buy_local.code: 1},
        "foundations": {training.code: 2, procurement.code: 1},
        "months": {"2025-06": 1, "2025-07": 1},
    }


def test_open_data_counts_are_empty_with_no_pledges(db):
    assert pledge_counts_open_data() == {
        "neighbourhoods": {},
        "pledger_types": {},
        "commitments": {},
        "foundations": {},
        "months": {},
    }
