"""The pledge journey's questions, one form a page, in the GOV.UK pattern (crispy-forms-gds)."""

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import HTML, Field, Fluid, Layout, Size, Submit
from django import forms

from core.forms import GovukErrorsMixin
from pledges.models import (
    PLEDGE_TEXT_MAX_LENGTH,
    Benefit,
    OrganisationSize,
    PledgerType,
)

TOWN_WIDE = "town-wide"
USE_POSTCODE = "postcode"
YES_NO = [Choice("yes", "Yes"), Choice("no", "No")]


def _helper(*fields, button: str = "Continue") -> FormHelper:
    """A GOV.UK form: no browser validation (our messages are clearer), one submit button."""
    helper = FormHelper()
    helper.attrs = {"novalidate": ""}
    helper.layout = Layout(*fields, Submit("submit", button))
    return helper


class PledgerTypeForm(GovukErrorsMixin, forms.Form):
    pledger_type = forms.ChoiceField(
        label="Who are you pledging as?",
        choices=[Choice(value, label) for value, label in PledgerType.choices],
        widget=forms.RadioSelect,
        error_messages={"required": "Select who you are pledging as"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.radios("pledger_type", legend_size=Size.LARGE, legend_tag="h1"))


class BusinessSizeForm(GovukErrorsMixin, forms.Form):
    organisation_size = forms.ChoiceField(
        label="How many people work for your business?",
        choices=[Choice(value, label) for value, label in OrganisationSize.choices],
        widget=forms.RadioSelect,
        error_messages={"required": "Select how many people work for your business"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.radios("organisation_size", legend_size=Size.LARGE, legend_tag="h1")
        )


class NameForm(GovukErrorsMixin, forms.Form):
    """A resident gives their own name; an organisation gives its name and a private contact."""

    display_name = forms.CharField(max_length=200)
    show_name = forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect)
    contact_name = forms.CharField(
        label="Your name",
        help_text="So that we know who to contact. We will not publish it.",
        max_length=200,
        error_messages={
            "required": "Enter your name",
            "max_length": "Your name must be 200 characters or fewer",
        },
    )

    def __init__(self, *args, pledger_type: str, area_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_resident = pledger_type == PledgerType.RESIDENT
        name = self.fields["display_name"]
        show = self.fields["show_name"]
        if self.is_resident:
            del self.fields["contact_name"]
            name.label = "Your full name"
            name.error_messages["required"] = "Enter your full name"
            show.label = "Can we show your name on the pledge wall?"
            show.help_text = "If you choose no, your pledge will show as from “A local resident”."
            show.error_messages["required"] = "Select yes if we can show your name"
        else:
            name.label = "Name of your organisation"
            name.error_messages["required"] = "Enter the name of your organisation"
            show.label = "Can we show your organisation's name on the pledge wall?"
            show.error_messages["required"] = "Select yes if we can show your organisation's name"
        name.error_messages["max_length"] = "Name must be 200 characters or fewer"
        fields = [Field.text("display_name", field_width=Fluid.TWO_THIRDS)]
        if not self.is_resident:
            fields.append(Field.text("contact_name", field_width=Fluid.TWO_THIRDS))
        fields.append(Field.radios("show_name", legend_size=Size.MEDIUM, inline=True))
        self.helper = _helper(*fields)

    def clean_display_name(self):
        return self.cleaned_data["display_name"].strip()


class AreaForm(GovukErrorsMixin, forms.Form):
    area = forms.ChoiceField(
        label="Where will your pledge make a difference?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select where your pledge will make a difference"},
    )

    def __init__(self, *args, neighbourhoods, area_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [Choice(n.slug, n.name) for n in neighbourhoods]
        if choices:
            choices[-1] = Choice(choices[-1].value, choices[-1].label, divider="or")
        choices += [
            Choice(TOWN_WIDE, f"Across the whole of {area_name}"),
            Choice(USE_POSTCODE, "I do not know: find my neighbourhood from my postcode"),
        ]
        self.fields["area"].choices = choices
        self.fields["area"].help_text = "Choose the Co-operative Neighbourhood your pledge is for."
        self.helper = _helper(Field.radios("area", legend_size=Size.LARGE, legend_tag="h1"))


class PostcodeForm(GovukErrorsMixin, forms.Form):
    postcode = forms.CharField(
        label="What is your postcode?",
        help_text="For example, SG1 1HN. We use it only to find your neighbourhood.",
        max_length=10,
        error_messages={
            "required": "Enter your postcode",
            "max_length": "Enter a real postcode, like SG1 1HN",
        },
    )

    def __init__(self, *args, find_neighbourhood, area_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.find_neighbourhood = find_neighbourhood
        self.area_name = area_name
        self.helper = _helper(
            Field.text("postcode", label_size=Size.LARGE, label_tag="h1", field_width=10)
        )
        self.fields["postcode"].widget.attrs["autocomplete"] = "postal-code"

    def clean_postcode(self):
        from neighbourhoods.postcodes import normalise_postcode

        postcode = normalise_postcode(self.cleaned_data["postcode"])
        if postcode is None:
            raise forms.ValidationError("Enter a real postcode, like SG1 1HN")
        self.neighbourhood = self.find_neighbourhood(postcode)
        if self.neighbourhood is None:
            raise forms.ValidationError(
                f"We cannot find that postcode in {self.area_name}. Check it, or go back "
                "and choose your area"
            )
        return postcode


class CommitmentsForm(GovukErrorsMixin, forms.Form):
    """Checkboxes in two groups, one per benefit; at least one box in all."""

    def __init__(self, *args, commitments_by_benefit, **kwargs):
        super().__init__(*args, **kwargs)
        layout = [HTML('<h1 class="govuk-heading-l">What will you commit to?</h1>')]
        for benefit in Benefit:
            options = commitments_by_benefit.get(benefit.value, [])
            if not options:
                continue
            self.fields[benefit.value] = forms.MultipleChoiceField(
                label=benefit.label,
                required=False,
                choices=[Choice(str(c.pk), c.title, hint=c.help_text) for c in options],
                widget=forms.CheckboxSelectMultiple,
            )
            layout.append(Field.checkboxes(benefit.value, legend_size=Size.MEDIUM))
        first = next(iter(self.fields), None)
        if first:
            self.fields[first].help_text = "Select all that apply."
        self.helper = _helper(*layout)

    def clean(self):
        cleaned = super().clean()
        chosen = [int(pk) for name in self.fields for pk in cleaned.get(name) or []]
        if not chosen and self.fields:
            self.add_error(next(iter(self.fields)), "Select at least one thing you will do")
        cleaned["commitment_ids"] = chosen
        return cleaned


class WordsForm(GovukErrorsMixin, forms.Form):
    text = forms.CharField(
        label="Your pledge in your own words",
        help_text="Say what you or your organisation will do, and when.",
        max_length=PLEDGE_TEXT_MAX_LENGTH,
        widget=forms.Textarea,
        error_messages={
            "required": "Enter your pledge",
            "max_length": f"Your pledge must be {PLEDGE_TEXT_MAX_LENGTH:,} characters or fewer",
        },
    )
    target = forms.CharField(
        label="A measurable target (optional)",
        help_text="For example, “4 work placements a year” or “30% of our spend with local "
        "suppliers”.",
        max_length=200,
        required=False,
        error_messages={"max_length": "Your target must be 200 characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.textarea(
                "text",
                label_size=Size.LARGE,
                label_tag="h1",
                rows=8,
                max_characters=PLEDGE_TEXT_MAX_LENGTH,
            ),
            Field.text("target"),
        )

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError("Enter your pledge")
        return text

    def clean_target(self):
        return self.cleaned_data["target"].strip()


class EmailForm(GovukErrorsMixin, forms.Form):
    email = forms.EmailField(
        label="Email address",
        help_text="We will send you a link to confirm your pledge. We will not publish it.",
        max_length=254,
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )
    contact_consent = forms.BooleanField(
        label="The Charter team may contact me about my pledge",
        required=False,
    )
    # Honeypot: people never see it; bots that fill every field give themselves away.
    website = forms.CharField(required=False, label="Leave this field empty")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        email = self.fields["email"].widget
        email.attrs.update({"autocomplete": "email", "spellcheck": "false"})
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})
        self.helper = _helper(
            HTML('<h1 class="govuk-heading-l">How can we confirm your pledge?</h1>'),
            Field.text("email", field_width=Fluid.TWO_THIRDS),
            Field.checkbox("contact_consent"),
            HTML('<div class="charter-honeypot" aria-hidden="true">'),
            Field.text("website"),
            HTML("</div>"),
        )

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


def _whole_number(label: str) -> forms.IntegerField:
    # GOV.UK: a text input with a numeric keypad, not <input type=number>.
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=10_000_000,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "invalid": f"{label} must be a whole number, like 12",
            "min_value": f"{label} must be 0 or more",
            "max_value": f"{label} must be 10,000,000 or fewer",
        },
    )


class ProgressForm(GovukErrorsMixin, forms.Form):
    text = forms.CharField(
        label="Tell us about the great things you are doing",
        help_text="What have you done towards your pledge? We check updates before they show.",
        max_length=PLEDGE_TEXT_MAX_LENGTH,
        widget=forms.Textarea,
        error_messages={
            "required": "Tell us what you have done",
            "max_length": f"Your update must be {PLEDGE_TEXT_MAX_LENGTH:,} characters or fewer",
        },
    )
    hours_volunteered = _whole_number("Hours volunteered")
    people_supported = _whole_number("People supported")
    placements_offered = _whole_number("Placements offered")
    spent_locally = forms.DecimalField(
        label="Pounds spent with local suppliers",
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={
            "invalid": "Pounds spent with local suppliers must be an amount, like 1500 or 1500.50",
            "min_value": "Pounds spent with local suppliers must be 0 or more",
            "max_digits": "Pounds spent with local suppliers is too large",
            "max_decimal_places": "Pounds spent with local suppliers can have at most 2 decimal "
            "places",
            "max_whole_digits": "Pounds spent with local suppliers is too large",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.textarea(
                "text",
                label_size=Size.LARGE,
                label_tag="h1",
                rows=6,
                max_characters=PLEDGE_TEXT_MAX_LENGTH,
            ),
            HTML('<h2 class="govuk-heading-m">Figures (optional)</h2>'),
            Field.text("hours_volunteered", field_width=10),
            Field.text("people_supported", field_width=10),
            Field.text("placements_offered", field_width=10),
            Field.text("spent_locally", field_width=10),
            button="Send update",
        )

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError("Tell us what you have done")
        return text


class ConsentForm(GovukErrorsMixin, forms.Form):
    """The pledger changes what they agreed to, through their manage link."""

    show_name = forms.ChoiceField(
        label="Can we show your name on the pledge wall?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if we can show your name"},
    )
    contact_consent = forms.ChoiceField(
        label="Can the Charter team contact you about your pledge?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if the Charter team can contact you"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            HTML('<h1 class="govuk-heading-l">What you agree to</h1>'),
            Field.radios("show_name", legend_size=Size.MEDIUM, inline=True),
            Field.radios("contact_consent", legend_size=Size.MEDIUM, inline=True),
            button="Save",
        )

    def answers(self) -> dict[str, bool]:
        return {name: self.cleaned_data[name] == "yes" for name in ("show_name", "contact_consent")}
