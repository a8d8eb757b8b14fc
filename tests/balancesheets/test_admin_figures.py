"""A balance sheet's lines in admin read in the house style: £3,400.00 and 1,065, not the
columns' 3400.00 and 1065.00, and no "None" for a £ value nobody entered."""

import re

from tests.charter_portal.test_figures_crawl import visible_text
from tests.signin import sign_in_verified


def test_a_published_sheets_lines_in_admin_read_in_the_house_style(
    client, published_sheet, an_officer
):
    sign_in_verified(client, an_officer)
    page = client.get(f"/admin/balancesheets/balancesheet/{published_sheet.pk}/change/")
    lines = re.sub(r"\{[^{}]*\}", "", visible_text(page.content.decode()))  # not the trail's JSON
    assert "£340,000.00" in lines  # 100 regular volunteers at £3,400.00
    assert "£3,400.00" in lines
    assert "340000.00" not in lines
    assert "None" not in lines


def test_a_draft_sheets_lines_in_admin_show_the_proxy_price_in_the_house_style(
    client, council, library, an_officer
):
    from balancesheets import services
    from tests.balancesheets.conftest import fill

    sheet = services.balance_sheet_create(
        council=council, neighbourhood=None, year=2024, actor=an_officer
    )
    fill(sheet, library, an_officer, {"regular-volunteers": 2})
    sign_in_verified(client, an_officer)
    text = visible_text(client.get(f"/admin/balancesheets/balancesheet/{sheet.pk}/change/").text)
    assert "£3,400.00" in text
    assert "£6,800.00" in text
