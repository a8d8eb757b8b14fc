"""The pledger's private manage page: progress, withdraw, erase."""

import pytest

from pledges.models import Pledge, PledgeStatus, PledgeUpdate, UpdateStatus
from pledges.tokens import new_secret, secret_hash
from tests.factories import PledgeFactory


@pytest.fixture
def pledge_with_link(db):
    token = new_secret()
    pledge = PledgeFactory(manage_token_hash=secret_hash(token))
    return pledge, f"/pledge/manage/{token}/"


def test_the_manage_page_is_private_and_not_indexed(pledge_with_link, client):
    pledge, url = pledge_with_link
    response = client.get(url)
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in response["Cache-Control"]
    assert pledge.reference in response.content.decode()


def test_an_unknown_manage_link_is_not_found(db, client):
    assert client.get(f"/pledge/manage/{new_secret()}/").status_code == 404


def test_reported_progress_waits_for_moderation(pledge_with_link, client):
    pledge, url = pledge_with_link
    response = client.post(
        f"{url}progress/",
        {"text": "We hosted two placements.", "placements_offered": "2", "spent_locally": "1500"},
    )
    assert response.status_code == 302
    update = PledgeUpdate.objects.get(pledge=pledge)
    assert (update.status, update.placements_offered) == (UpdateStatus.PENDING, 2)
    assert str(update.spent_locally) == "1500.00"


def test_progress_figures_that_are_not_numbers_get_a_clear_error(pledge_with_link, client):
    _, url = pledge_with_link
    response = client.post(f"{url}progress/", {"text": "Done.", "hours_volunteered": "lots"})
    page = response.content.decode()
    assert "Hours volunteered must be a whole number, like 12" in page
    assert "govuk-error-summary" in page
    assert not PledgeUpdate.objects.exists()


def test_withdrawing_takes_the_pledge_off_the_wall(pledge_with_link, client):
    pledge, url = pledge_with_link
    assert client.get(f"{url}withdraw/").status_code == 200
    client.post(f"{url}withdraw/")
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.WITHDRAWN
    assert client.get(f"/pledges/{pledge.reference}/").status_code == 404


def test_erasing_deletes_the_pledgers_personal_details(pledge_with_link, client):
    pledge, url = pledge_with_link
    client.post(f"{url}erase/")
    pledge = Pledge.objects.get(pk=pledge.pk)
    assert (pledge.email, pledge.postcode, pledge.contact_name) == ("", "", "")
    assert pledge.personal_data_erased_at is not None
