import pytest
from django.core.management import CommandError, call_command

from metrics.models import Foundation
from neighbourhoods.models import Council, Neighbourhood, Ward
from pledges.models import Benefit, Commitment

STEVENAGE_NEIGHBOURHOODS = [
    "Bedwell and Pin Green",
    "Chells and Manor",
    "Longmeadow and Roebuck",
    "Old Town, Symonds Green and Woodfield",
    "Shephall and Bandley Hill",
    "St Nicholas and Martins Wood",
]


def test_stevenage_has_its_six_neighbourhoods_in_order(council):
    names = list(council.neighbourhoods.order_by("order").values_list("name", flat=True))
    assert names == STEVENAGE_NEIGHBOURHOODS


def test_both_vintages_of_thirteen_wards_are_loaded(council):
    assert Ward.objects.filter(valid_to__isnull=False).count() == 13
    assert Ward.objects.filter(valid_to__isnull=True).count() == 13
    assert Ward.objects.filter(name="Almond Hill", valid_to__isnull=True).exists()
    assert Ward.objects.filter(name="Pin Green", valid_to__isnull=False).exists()


def test_the_charter_has_four_foundations_and_both_benefits(council):
    assert Foundation.objects.count() == 4
    assert set(Commitment.objects.values_list("benefit", flat=True)) == set(Benefit.values)


@pytest.mark.django_db
def test_loading_twice_changes_nothing():
    call_command("load_reference_data")
    counts = (Council.objects.count(), Neighbourhood.objects.count(), Ward.objects.count())
    call_command("load_reference_data")
    assert (Council.objects.count(), Neighbourhood.objects.count(), Ward.objects.count()) == counts
    assert counts == (1, 6, 26)


@pytest.mark.django_db
def test_a_broken_file_loads_nothing_and_says_why(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text('[council]\nname = "Nowhere Council"\nslug = "nowhere"\n[[neighbourhoods]]\n')
    with pytest.raises(CommandError, match="Nothing was loaded"):
        call_command("load_reference_data", str(broken))
    assert not Council.objects.exists()


@pytest.mark.django_db
def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("load_reference_data", str(tmp_path / "missing.toml"))
