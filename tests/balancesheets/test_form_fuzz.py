"""Property-based: whatever an officer (or anyone) posts to the balance sheet forms, no page
fails with a server error."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from balancesheets import services
from tests.signin import sign_in_verified

any_text = st.text(max_size=2500) | st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "=SUM(1)",
        "1,200",
        "£3,400.50",
        "1e999999",
        "-0",
        "NaN",
        "Infinity",
        "12.345",
        "999999999999.99",
        "0.001",
        "١٢٣",
        "2024",
        "borough",
    ]
)
FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
LINE_FIELDS = ["indicator", "quantity", "value", "override_reason", "evidence", "note"]


@pytest.fixture
def sheet_and_line(council, library, an_officer):
    sheet = services.balance_sheet_create(
        council=council,
        neighbourhood=council.neighbourhoods.order_by("order").first(),
        year=2024,
        actor=an_officer,
    )
    line = services.balance_sheet_line_add(
        sheet=sheet,
        indicator=library["people-in-work"],
        data=services.LineInput(quantity=1),
        actor=an_officer,
    )
    return sheet, line


@FUZZ
@given(data=st.data())
def test_no_input_makes_a_line_form_fail(client, sheet_and_line, an_officer, data):
    sheet, line = sheet_and_line
    sign_in_verified(client, an_officer)
    for path in (
        f"/balance-sheets/manage/{sheet.pk}/lines/add/",
        f"/balance-sheets/manage/{sheet.pk}/lines/{line.pk}/",
    ):
        posted = {name: data.draw(any_text, label=name) for name in LINE_FIELDS}
        assert client.post(path, posted).status_code in (200, 302)


@FUZZ
@given(area=any_text, year=any_text, copy_forward=any_text)
def test_no_input_makes_starting_a_sheet_fail(
    client, council, an_officer, area, year, copy_forward
):
    sign_in_verified(client, an_officer)
    posted = {"area": area, "year": year, "copy_forward": copy_forward}
    assert client.post("/balance-sheets/manage/new/", posted).status_code in (200, 302)
    assert client.post("/balance-sheets/manage/borough/", {"year": year}).status_code in (200, 302)


@FUZZ
@given(comments=any_text, reason=any_text, year=any_text, page=any_text)
def test_no_input_makes_the_workflow_pages_or_lists_fail(
    client, sheet_and_line, an_officer, a_validator, comments, reason, year, page
):
    sheet, _ = sheet_and_line
    sign_in_verified(client, a_validator)
    for step in ("validate", "return"):
        response = client.post(f"/balance-sheets/manage/{sheet.pk}/{step}/", {"comments": comments})
        assert response.status_code in (200, 302, 403)
    sign_in_verified(client, an_officer)
    response = client.post(f"/balance-sheets/manage/{sheet.pk}/restate/", {"reason": reason})
    assert response.status_code in (200, 302, 403)
    assert client.get("/balance-sheets/manage/", {"year": year, "page": page}).status_code == 200
    history = client.get(f"/balance-sheets/manage/{sheet.pk}/history/", {"page": page})
    assert history.status_code == 200
