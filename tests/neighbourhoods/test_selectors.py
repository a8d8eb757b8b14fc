import datetime

import pytest

from neighbourhoods.selectors import council_current, neighbourhood_get, neighbourhood_list
from tests.factories import CouncilFactory

BEFORE_2024 = datetime.date(2023, 6, 1)
AFTER_2024 = datetime.date(2025, 6, 1)


def _ward_names(wards):
    return sorted(ward.name for ward in wards)


def test_the_current_wards_after_may_2024_use_the_new_names(council):
    neighbourhood = neighbourhood_get(council=council, slug="bedwell-and-pin-green", on=AFTER_2024)
    assert _ward_names(neighbourhood.current_wards) == ["Almond Hill", "Bedwell"]
    assert _ward_names(neighbourhood.former_wards) == ["Bedwell", "Pin Green"]


def test_the_wards_before_may_2024_use_the_old_names(council):
    neighbourhood = neighbourhood_get(
        council=council, slug="shephall-and-bandley-hill", on=BEFORE_2024
    )
    assert _ward_names(neighbourhood.current_wards) == ["Bandley Hill", "Shephall"]
    assert neighbourhood.former_wards == []


def test_every_neighbourhood_has_its_wards_on_both_sides_of_the_boundary_change(council):
    for on in (BEFORE_2024, AFTER_2024):
        counts = [len(n.current_wards) for n in neighbourhood_list(council=council, on=on)]
        assert sum(counts) == 13
        assert all(count in (2, 3) for count in counts)


def test_an_unknown_neighbourhood_is_none(council):
    assert neighbourhood_get(council=council, slug="atlantis") is None


@pytest.mark.django_db
def test_the_council_named_in_settings_is_the_current_one(settings):
    CouncilFactory(slug="first")
    second = CouncilFactory(slug="second")
    settings.CHARTER_COUNCIL_SLUG = "second"
    assert council_current() == second


@pytest.mark.django_db
def test_there_is_no_current_council_before_one_is_loaded():
    assert council_current() is None
