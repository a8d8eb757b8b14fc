from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fluid, Layout, Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm

from core.forms import GovukErrorsMixin


class SignInForm(GovukErrorsMixin, AuthenticationForm):
    """Django's sign-in, in the GOV.UK pattern, for councillors as well as staff."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is not active. Ask the Charter team to check it.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            Field.text("username", field_width=Fluid.TWO_THIRDS),
            Field.text("password", field_width=Fluid.TWO_THIRDS),
            Submit("submit", "Sign in"),
        )


class SecondFactorForm(GovukErrorsMixin, forms.Form):
    """The second step of signing in, and the confirming step of setting up an authenticator app.

    The hidden `next` travels with the form, so a person lands where they were going."""

    code = forms.CharField(
        max_length=32,
        strip=True,
        error_messages={"required": "Enter the code from your authenticator app"},
    )

    def __init__(self, *args, enrolment: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        code = self.fields["code"]
        if enrolment:
            code.label = "Code from your authenticator app"
            code.help_text = "Enter the 6-digit code the app shows after you add this account."
            code.widget.attrs.update({"inputmode": "numeric"})
        else:
            code.label = "Code from your authenticator app"
            code.help_text = (
                "The 6-digit code the app shows now. If you do not have the app, enter one of "
                "your recovery codes instead."
            )
        code.widget.attrs.update(
            {"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "none"}
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.text("code", field_width=10),
            Submit("submit", "Continue"),
        )
