"""Forms for the officers' admin: corrections to a pledge and the intermediate pages of actions."""

import re

from django import forms

from core.forms import GovukErrorsMixin
from neighbourhoods.postcodes import normalise_postcode
from pledges.models import (
    PLEDGE_TEXT_MAX_LENGTH,
    STAFF_ENTERED_SOURCES,
    Commitment,
    OrganisationSize,
    Pledge,
    PledgerType,
    RejectionReason,
)


class PledgeCorrectionForm(forms.ModelForm):
    """What an officer may correct on a pledge; everything else is read-only or hidden."""

    commitments = forms.ModelMultipleChoiceField(
        queryset=Commitment.objects.order_by("benefit", "order", "title"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one commitment"},
    )

    class Meta:
        model = Pledge
        fields = ["display_name", "show_name", "neighbourhood", "commitments", "text", "target"]
        widgets = {"text": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "neighbourhood" in self.fields:
            self.fields["neighbourhood"].empty_label = "The whole area (no neighbourhood)"

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError("Enter the pledge")
        return text


class ActionConfirmationForm(GovukErrorsMixin, forms.Form):
    """The intermediate page of an admin action that needs a reason, a note, or both."""

    reason = forms.ModelChoiceField(
        queryset=RejectionReason.objects.none(),
        empty_label="Choose a reason",
        help_text="Its explanation is emailed to the pledger.",
        error_messages={"required": "Choose a reason for rejecting"},
    )
    note = forms.CharField(
        label="Note for officers (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Kept in the pledge's history; never sent to the pledger.",
    )

    def __init__(self, *args, with_reason: bool = True, with_note: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if with_reason:
            self.fields["reason"].queryset = RejectionReason.objects.filter(is_active=True)
        else:
            del self.fields["reason"]
        if not with_note:
            del self.fields["note"]


class ConsentChangeForm(GovukErrorsMixin, forms.Form):
    """A pledger's consent changed for them: the new answers and the reason they are told."""

    show_name = forms.BooleanField(required=False, label="Show the name publicly with the pledge")
    contact_consent = forms.BooleanField(
        required=False, label="The Charter team may contact the pledger about the Charter"
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="Why, e.g. \u201cAsked by email on 3 March\u201d. Recorded and emailed to the "
        "pledger with the change.",
        error_messages={"required": "Give the reason for changing the pledger\u2019s consent"},
    )

    def clean(self):
        cleaned = super().clean()
        if not self.has_changed() or set(self.changed_data) <= {"reason"}:
            raise forms.ValidationError("Change at least one answer, or go back")
        return cleaned


YES_NO = [("yes", "Yes"), ("no", "No")]
TOWN_WIDE = "town-wide"
FROM_POSTCODE = "postcode"
BY_HAND_KEY = re.compile(r"by-hand:[0-9a-f]{32}")


class PledgeByHandForm(GovukErrorsMixin, forms.Form):
    """A pledge an officer types in from a paper form, a phone call or an email: the journey's
    questions and rules on one page, in the officer's words. The service does the rest."""

    source = forms.ChoiceField(
        label="How did the pledge reach you?",
        choices=[(source.value, source.label) for source in STAFF_ENTERED_SOURCES],
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the pledge reached you"},
    )
    pledger_type = forms.ChoiceField(
        label="Who is pledging?",
        choices=PledgerType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who is pledging"},
    )
    organisation_size = forms.ChoiceField(
        label="Businesses only: how many people work there?",
        choices=OrganisationSize.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    display_name = forms.CharField(
        label="Name of the person or organisation",
        max_length=200,
        error_messages={
            "required": "Enter the name of the person or organisation",
            "max_length": "Name must be 200 characters or fewer",
        },
    )
    show_name = forms.ChoiceField(
        label="Did they agree to show this name on the pledge wall?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        help_text="If not, the pledge shows as from “A local resident” (or the kind of "
        "organisation).",
        error_messages={"required": "Select yes if they agreed to show the name"},
    )
    contact_name = forms.CharField(
        label="Organisations: the person to contact",
        max_length=200,
        required=False,
        help_text="Never published.",
        error_messages={"max_length": "The contact's name must be 200 characters or fewer"},
    )
    email = forms.EmailField(
        label="Email address (optional)",
        max_length=254,
        required=False,
        help_text="If they gave one. Never published; no confirmation email is sent.",
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )
    contact_consent = forms.ChoiceField(
        label="Did they agree that the Charter team may contact them about the pledge?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if they agreed to be contacted"},
    )
    area = forms.ChoiceField(
        label="Where will the pledge make a difference?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select where the pledge will make a difference"},
    )
    postcode = forms.CharField(
        label="Postcode (optional)",
        max_length=10,
        required=False,
        help_text="Never published. Needed when the neighbourhood is found from it.",
        error_messages={"max_length": "Enter a real postcode, like SG1 1HN"},
    )
    commitments = forms.ModelMultipleChoiceField(
        label="What will they commit to?",
        queryset=Commitment.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one thing they will do"},
    )
    text = forms.CharField(
        label="The pledge in their words",
        max_length=PLEDGE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Enter the pledge",
            "max_length": f"The pledge must be {PLEDGE_TEXT_MAX_LENGTH:,} characters or fewer",
        },
    )
    target = forms.CharField(
        label="A measurable target (optional)",
        max_length=200,
        required=False,
        error_messages={"max_length": "The target must be 200 characters or fewer"},
    )
    # The same form posted twice (a double click, a resent form) makes one pledge.
    submission_key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, neighbourhoods, area_name: str, find_neighbourhood, **kwargs):
        super().__init__(*args, **kwargs)
        self.area_name = area_name
        self.find_neighbourhood = find_neighbourhood
        self.neighbourhoods = {n.slug: n for n in neighbourhoods}
        self.fields["area"].choices = [
            *((n.slug, n.name) for n in neighbourhoods),
            (TOWN_WIDE, f"Across the whole of {area_name}"),
            (FROM_POSTCODE, "Not known: find the neighbourhood from the postcode"),
        ]
        self.fields["commitments"].queryset = Commitment.objects.filter(is_active=True).order_by(
            "benefit", "order", "title"
        )

    def clean_submission_key(self) -> str:
        key = self.cleaned_data["submission_key"]
        if not BY_HAND_KEY.fullmatch(key):
            raise forms.ValidationError("The form has expired. Enter the pledge again")
        return key

    def clean_display_name(self) -> str:
        name = self.cleaned_data["display_name"].strip()
        if not name:
            raise forms.ValidationError("Enter the name of the person or organisation")
        return name

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError("Enter the pledge")
        return text

    def clean_postcode(self) -> str:
        postcode = self.cleaned_data["postcode"].strip()
        if not postcode:
            return ""
        normalised = normalise_postcode(postcode)
        if normalised is None:
            raise forms.ValidationError("Enter a real postcode, like SG1 1HN")
        return normalised

    def clean(self):
        cleaned = super().clean()
        pledger_type = cleaned.get("pledger_type")
        is_business = pledger_type == PledgerType.BUSINESS
        if is_business and not cleaned.get("organisation_size"):
            self.add_error("organisation_size", "Select how many people work for the business")
        if cleaned.get("organisation_size") and pledger_type and not is_business:
            self.add_error("organisation_size", "Leave the size empty: only businesses give one")
        if (
            pledger_type
            and pledger_type != PledgerType.RESIDENT
            and not (cleaned.get("contact_name", "").strip())
        ):
            self.add_error("contact_name", "Enter the name of the person to contact")
        area = cleaned.get("area")
        cleaned["neighbourhood"] = self.neighbourhoods.get(area)
        if area == FROM_POSTCODE and "postcode" in cleaned:
            postcode = cleaned["postcode"]
            if not postcode:
                self.add_error("postcode", "Enter the postcode to find the neighbourhood from")
            else:
                cleaned["neighbourhood"] = self.find_neighbourhood(postcode)
                if cleaned["neighbourhood"] is None:
                    self.add_error(
                        "postcode",
                        f"That postcode is not in {self.area_name}. Check it, or choose the "
                        "neighbourhood",
                    )
        return cleaned
