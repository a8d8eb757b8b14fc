"""No private page without a second factor: a session that is signed in but not verified
(here, force_login) reaches nothing but the sign-in steps, whatever URL it asks for."""

import re

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.roles import OFFICERS
from tests.factories import UserFactory
from tests.signin import sign_in_verified

pytestmark = pytest.mark.django_db

SIGN_IN_STEPS = {"sign_in", "sign_out", "sign_in_second_factor", "sign_in_set_up", "healthz"}
SAMPLE_VALUES = ("1", "chells-and-manor", "2024-25", "contacts", "a")


def _sample(converter) -> str:
    for value in SAMPLE_VALUES:
        if re.fullmatch(converter.regex, value):
            return value
    raise AssertionError(f"No sample value for {converter!r}")


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _walk(entry.url_patterns, namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{prefix}{entry.name}", entry


def every_named_url() -> list[str]:
    """One concrete URL for each named route of the site (admin's included), parameters filled
    with values their converters accept."""
    urls = set()
    for name, entry in _walk(get_resolver().url_patterns):
        converters = entry.pattern.converters
        kwargs = {
            key: converter.to_python(_sample(converter)) for key, converter in converters.items()
        }
        try:
            urls.add(reverse(name, kwargs=kwargs))
        except Exception:  # noqa: S112 - routes whose reverse needs positional args
            continue
    return sorted(urls)


def private_urls_of_note() -> list[str]:
    """The pages the issue names: admin index, every changelist, dashboards, exports."""
    urls = ["/admin/", "/dashboard/", "/balance-sheets/manage/", "/sign-in/settings/"]
    for model in admin.site._registry:
        meta = model._meta
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    return urls


@pytest.fixture
def officer(staff_roles):
    from django.contrib.auth.models import Group

    user = UserFactory(is_staff=True, is_superuser=True)
    user.groups.add(Group.objects.get(name=OFFICERS))
    return user


def test_the_crawl_covers_the_private_pages():
    urls = every_named_url()
    assert len(urls) > 150
    for url in ("/admin/", "/dashboard/", "/balance-sheets/manage/", "/admin/pledges/pledge/"):
        assert url in urls


def test_an_unverified_session_is_sent_to_the_second_factor_from_every_url(client, officer):
    client.force_login(officer)
    served = []
    for url in every_named_url() + private_urls_of_note():
        # The sign-in steps themselves, passkeys' included, are what an unverified session is for.
        if url == reverse("sign_in") or url.startswith(
            ("/sign-in/code/", "/sign-in/set-up/", "/sign-in/passkeys/")
        ):
            continue
        if url in (reverse("sign_out"), reverse("healthz")):
            continue
        for method in (client.get, client.post):
            response = method(url)
            if response.status_code != 302 or not response.url.startswith("/sign-in/code/"):
                served.append((method.__name__, url, response.status_code))
    assert served == []


def test_the_second_factor_step_remembers_where_the_person_was_going(client, officer):
    client.force_login(officer)
    response = client.get("/admin/pledges/pledge/?status__exact=held")
    assert (
        response.url == "/sign-in/code/?next=%2Fadmin%2Fpledges%2Fpledge%2F%3Fstatus__exact%3Dheld"
    )


def test_the_same_pages_are_served_once_verified(client, officer, small_council):
    """The counterpart: the crawl above would pass vacuously if these pages redirected anyway."""
    sign_in_verified(client, officer)
    for url in private_urls_of_note():
        assert client.get(url).status_code == 200, url
