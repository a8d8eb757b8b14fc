"""The officers' forms for balance sheets, in the GOV.UK pattern (crispy-forms-gds)."""

from decimal import Decimal

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from balancesheets.models import MAX_AMOUNT, Indicator
from core.formatting import pounds
from core.forms import GovukErrorsMixin
from core.periods import FinancialYear, financial_year_label

BOROUGH_CHOICE = "borough"
TEXT_MAX_LENGTH = 2000


def _helper(*fields, button: str = "Continue") -> FormHelper:
    """A GOV.UK form: no browser validation (our messages are clearer), one submit button."""
    helper = FormHelper()
    helper.attrs = {"novalidate": ""}
    helper.layout = Layout(*fields, Submit("submit", button))
    return helper


def year_choices(*, before: int = 4, after: int = 1) -> list[Choice]:
    current = FinancialYear.current().start_year
    return [
        Choice(str(year), financial_year_label(year))
        for year in range(current + after, current - before - 1, -1)
    ]


class AmountField(forms.DecimalField):
    """A number as people type it: "1,200", "£3,400.50" or "12.5"; a text input (GOV.UK)."""

    def __init__(self, *, label: str, required: bool = True, what: str | None = None, **kwargs):
        what = what or label
        super().__init__(
            label=label,
            required=required,
            min_value=Decimal(0),
            max_value=MAX_AMOUNT,
            max_digits=14,
            decimal_places=2,
            widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
            error_messages={
                "required": f"Enter the {what.lower()}",
                "invalid": f"{what} must be a number, like 120 or 12.5",
                "min_value": f"{what} must be 0 or more",
                "max_value": f"{what} must be less than 1,000,000,000,000",
                "max_digits": f"{what} must be less than 1,000,000,000,000",
                "max_whole_digits": f"{what} must be less than 1,000,000,000,000",
                "max_decimal_places": f"{what} can have at most 2 decimal places",
            },
            **kwargs,
        )

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace(",", "").replace("£", "").strip()
        return super().to_python(value)


def _text(label: str, *, required: bool = False, help_text: str = "", message: str = ""):
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": message or f"Enter the {label.lower()}",
            "max_length": f"{label} must be {TEXT_MAX_LENGTH:,} characters or fewer",
        },
    )


class SheetStartForm(GovukErrorsMixin, forms.Form):
    area = forms.ChoiceField(
        label="Which area is the balance sheet for?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the area the balance sheet is for"},
    )
    year = forms.TypedChoiceField(
        label="Financial year",
        coerce=int,
        error_messages={
            "required": "Select the financial year",
            "invalid_choice": "Select one of the financial years in the list",
        },
    )
    copy_forward = forms.BooleanField(
        label="Start with the lines of the year before, where there is a sheet for it",
        required=False,
    )

    def __init__(self, *args, neighbourhoods, area_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [Choice(n.slug, n.name) for n in neighbourhoods]
        if choices:
            choices[-1] = Choice(choices[-1].value, choices[-1].label, divider="or")
        choices.append(Choice(BOROUGH_CHOICE, f"The whole of {area_name}"))
        self.fields["area"].choices = choices
        self.fields["area"].error_messages["invalid_choice"] = "Select one of the areas"
        self.fields["year"].choices = year_choices()
        self.neighbourhoods = {n.slug: n for n in neighbourhoods}
        self.helper = _helper(
            Field.radios("area", legend_size=Size.MEDIUM),
            Field.select("year"),
            Field.checkbox("copy_forward"),
            button="Start the balance sheet",
        )

    def clean_area(self):
        area = self.cleaned_data["area"]
        self.neighbourhood = None if area == BOROUGH_CHOICE else self.neighbourhoods[area]
        return area


def _indicator_label(indicator: Indicator) -> str:
    proxies = getattr(indicator, "usable_proxies", None)
    side = "liability" if indicator.side == "liability" else "asset"
    if not proxies:
        return f"{indicator.name} ({side}; no £ proxy for this year)"
    proxy = proxies[0]
    illustrative = ", illustrative" if proxy.is_illustrative else ""
    price = pounds(proxy.value_per_unit, pence=True)
    return f"{indicator.name} ({side}; {price} per {indicator.unit}{illustrative})"


class LineForm(GovukErrorsMixin, forms.Form):
    """A line of a sheet. On a new line the officer chooses the indicator; on a change it is set."""

    indicator = forms.TypedChoiceField(
        label="Indicator",
        coerce=int,
        error_messages={
            "required": "Select the indicator this line counts",
            "invalid_choice": "Select one of the indicators in the list",
        },
    )
    quantity = AmountField(label="Quantity", help_text="How many, in the indicator's unit.")
    value = AmountField(
        label="£ value, if not the quantity times the proxy (optional)",
        what="The £ value",
        required=False,
        help_text="Leave this empty to use the proxy. If you enter a value, say why below.",
    )
    override_reason = _text(
        "Reason for entering the £ value",
        help_text="Needed only when you enter a £ value.",
    )
    evidence = _text(
        "Evidence or source",
        help_text="Where the quantity comes from, for example “Volunteer Centre register, "
        "March 2025”.",
    )
    note = _text("Note (optional)", help_text="Shown with the line on the public page.")

    def __init__(self, *args, indicator_groups=None, indicator: Indicator | None = None, **kw):
        super().__init__(*args, **kw)
        self.fixed_indicator = indicator
        fields = []
        if indicator is None:
            self.fields["indicator"].choices = [
                ("", "Choose an indicator"),
                *[
                    (group, [(i.pk, _indicator_label(i)) for i in members])
                    for group, members in indicator_groups or []
                ],
            ]
            self.indicators = {i.pk: i for _, members in indicator_groups or [] for i in members}
            fields.append(Field.select("indicator"))
        else:
            del self.fields["indicator"]
            self.fields["quantity"].label = f"Quantity ({indicator.unit})"
        fields += [
            Field.text("quantity", field_width=10),
            Field.text("value", field_width=10),
            Field.textarea("override_reason", rows=3),
            Field.textarea("evidence", rows=3),
            Field.textarea("note", rows=2),
        ]
        self.helper = _helper(*fields, button="Save line")

    def clean_indicator(self):
        self.indicator = self.indicators.get(self.cleaned_data["indicator"])
        if self.indicator is None:
            raise forms.ValidationError("Select one of the indicators in the list")
        return self.cleaned_data["indicator"]

    def clean(self):
        cleaned = super().clean()
        if self.fixed_indicator is not None:
            self.indicator = self.fixed_indicator
        for name in ("override_reason", "evidence", "note"):
            if name in cleaned:
                cleaned[name] = cleaned[name].strip()
        return cleaned


class CommentsForm(GovukErrorsMixin, forms.Form):
    """Comments a CWB Group member gives when validating (optional) or returning (required)."""

    comments = _text("Comments")

    def __init__(self, *args, required: bool, label: str, button: str, help_text: str = "", **kw):
        super().__init__(*args, **kw)
        field = self.fields["comments"]
        field.required = required
        field.label = label
        field.help_text = help_text
        field.error_messages["required"] = "Enter what the officers need to change"
        field.error_messages["max_length"] = (
            f"Comments must be {TEXT_MAX_LENGTH:,} characters or fewer"
        )
        self.helper = _helper(
            Field.textarea("comments", label_size=Size.MEDIUM, rows=5), button=button
        )

    def clean_comments(self):
        return self.cleaned_data["comments"].strip()


class RestateForm(GovukErrorsMixin, forms.Form):
    reason = _text(
        "What is being corrected, and why?",
        required=True,
        help_text="Shown on the public page beside the restated figures, as in restated accounts.",
        message="Enter what is being corrected and why",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.textarea("reason", label_size=Size.MEDIUM, rows=5),
            button="Start the restatement",
        )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Enter what is being corrected and why")
        return reason


class BoroughBuildForm(GovukErrorsMixin, forms.Form):
    year = forms.TypedChoiceField(
        label="Financial year",
        coerce=int,
        error_messages={
            "required": "Select the financial year",
            "invalid_choice": "Select one of the financial years in the list",
        },
    )

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [
            Choice(str(year), financial_year_label(year)) for year in years
        ] or year_choices()
        self.helper = _helper(
            Field.select("year", label_size=Size.MEDIUM),
            button="Build the borough sheet",
        )
