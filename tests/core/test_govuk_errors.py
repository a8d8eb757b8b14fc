"""Error messages in the GOV.UK voice on every public and staff form, never Django's own
("This field is required.", "Ensure this value has at most …", "Enter a valid date.",
"… with this … already exists.")."""

import pytest
from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from balancesheets.forms import LineForm, SheetStartForm
from charter_portal.forms import SignInForm
from core.forms import GovukErrorsMixin
from metrics.models import Metric
from pledges.forms import ConsentForm, ProgressForm
from pledges.forms_admin import ConsentChangeForm

DJANGO_PHRASES = (
    "This field is required",
    "Ensure this value",
    "Enter a valid",
    "Select a valid choice",
    "Enter a number.",
    "Enter a whole number.",
    "already exists",
    "is not one of the available choices",
    "is not a valid value",
)


def _django_phrases(messages) -> list[str]:
    return [str(m) for m in messages if any(p in str(m) for p in DJANGO_PHRASES)]


EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.com"


class Sample(GovukErrorsMixin, forms.Form):
    name = forms.CharField(label="Name", max_length=5)
    email = forms.EmailField(label="Email address")
    amount = forms.DecimalField(label="Amount", max_digits=4, decimal_places=1, min_value=0)
    count = forms.IntegerField(label="Number of placements", max_value=10)
    start = forms.DateField(label="Period start")
    foundation = forms.ChoiceField(label="Foundation", choices=[("a", "A")])
    vcse = forms.ChoiceField(label="VCSE flag", choices=[("y", "Yes")], required=False)
    own = forms.CharField(label="Own", error_messages={"required": "Tell us your own words"})


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "name", "Enter the name"),
        ({"name": "toolong"}, "name", "Name must be 5 characters or fewer"),
        ({"email": "nope"}, "email", EMAIL_FORMAT),
        ({"amount": "lots"}, "amount", "Amount must be a number"),
        ({"amount": "-1"}, "amount", "Amount must be 0 or more"),
        ({"amount": "12345"}, "amount", "Amount must be 4 digits or fewer"),
        ({"amount": "1.25"}, "amount", "Amount must have 1 decimal places or fewer"),
        ({"count": "2.5"}, "count", "Number of placements must be a whole number"),
        ({"count": "11"}, "count", "Number of placements must be 10 or less"),
        ({"start": "31/02/2025"}, "start", "Period start must be a real date"),
        ({}, "foundation", "Select the foundation"),
        ({"foundation": "z"}, "foundation", "Select the foundation from the list"),
        ({"vcse": "z"}, "vcse", "Select the VCSE flag from the list"),
        ({}, "own", "Tell us your own words"),  # a form's own message is kept
    ],
)
def test_each_django_message_is_written_in_the_govuk_voice(data, field, message):
    form = Sample(data=data)
    assert not form.is_valid()
    assert form.errors[field] == [message]


@pytest.fixture
def superuser_request(db):
    request = RequestFactory().get("/admin/")
    request.user = get_user_model().objects.create_superuser("root", "root@example.invalid", "x")
    return request


OUR_APPS = {"metrics", "pledges", "balancesheets", "neighbourhoods", "outbox", "audit", "auth"}


@pytest.mark.parametrize(
    "model_admin",
    [ma for model, ma in admin.site._registry.items() if model._meta.app_label in OUR_APPS],
    ids=lambda ma: ma.model._meta.label,
)
def test_every_admin_form_speaks_govuk(superuser_request, model_admin):
    form = model_admin.get_form(superuser_request, None)()
    found = {
        name: _django_phrases(field.error_messages.values()) for name, field in form.fields.items()
    }
    assert {name: m for name, m in found.items() if m} == {}


def test_a_code_already_used_says_so_plainly(council, superuser_request):
    existing = Metric.objects.first()
    form_class = admin.site._registry[Metric].get_form(superuser_request, None)
    form = form_class(data={"code": existing.code, "name": "Another"})
    assert not form.is_valid()
    assert form.errors["code"] == ["There is already a metric with that code"]


def test_a_too_long_name_in_admin_says_how_long_it_may_be(council, superuser_request):
    form_class = admin.site._registry[Metric].get_form(superuser_request, None)
    form = form_class(data={"name": "x" * 300})
    assert not form.is_valid()
    assert form.errors["name"] == ["Name must be 200 characters or fewer"]


def _errors(form) -> list[str]:
    assert not form.is_valid()
    return [str(m) for messages in form.errors.values() for m in messages]


def test_the_public_and_staff_forms_speak_govuk(council):
    neighbourhoods = list(council.neighbourhoods.all())
    bad = {
        "sign in": SignInForm(data={}),
        "sheet start": SheetStartForm(
            data={"area": "nowhere", "year": "x"}, neighbourhoods=neighbourhoods, area_name="Here"
        ),
        "sheet line": LineForm(data={"quantity": "lots", "indicator": "x"}, indicator_groups=[]),
        "progress": ProgressForm(data={"hours_volunteered": "many", "text": "x" * 2000}),
        "consent": ConsentForm(data={"show_name": "maybe", "contact_consent": "maybe"}),
        "consent change": ConsentChangeForm(data={"reason": "x" * 5000}),
    }
    found = {name: _django_phrases(_errors(form)) for name, form in bad.items()}
    assert {name: m for name, m in found.items() if m} == {}
