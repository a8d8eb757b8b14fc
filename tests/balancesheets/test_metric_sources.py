"""The metrics balance sheets compute for the CWB framework: published sheets only."""

import datetime
from decimal import Decimal

from balancesheets.metric_sources import net_position, social_value
from metrics.sources import metric_source_get

FY_2024 = (datetime.date(2024, 4, 1), datetime.date(2025, 3, 31))


def test_balance_sheets_register_their_metric_sources(db):
    assert metric_source_get("balancesheets.net_position") is not None
    assert metric_source_get("balancesheets.social_capital_assets") is not None


def test_the_net_position_of_a_published_sheet(published_sheet):
    neighbourhood = published_sheet.neighbourhood
    assert net_position(*FY_2024, neighbourhood) == Decimal("2414000.50")
    assert social_value(*FY_2024, neighbourhood) == Decimal("340000.00")
    # No borough sheet: the borough is the sum of the published neighbourhood sheets.
    assert net_position(*FY_2024, None) == Decimal("2414000.50")
    assert net_position(datetime.date(2023, 4, 1), datetime.date(2024, 3, 31), None) is None
    other = published_sheet.council.neighbourhoods.exclude(pk=neighbourhood.pk).first()
    assert net_position(*FY_2024, other) is None
