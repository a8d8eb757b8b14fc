"""The council's pages in admin."""

from tests.factories import UserFactory
from tests.signin import sign_in_verified


def test_the_councils_change_and_add_pages_open(council, client):
    # They answered 500 while a URL field's form warned of Django 6's default scheme.
    sign_in_verified(client, UserFactory(is_staff=True, is_superuser=True))
    assert client.get(f"/admin/neighbourhoods/council/{council.pk}/change/").status_code == 200
    assert client.get("/admin/neighbourhoods/council/add/").status_code == 200


def test_a_website_typed_without_a_scheme_is_https(council):
    from django.contrib import admin

    from neighbourhoods.models import Council

    form = admin.site._registry[Council].get_form(None)()
    assert form.fields["website"].assume_scheme == "https"
