"""Forms for the officers' admin: corrections to a pledge and the intermediate pages of actions."""

from django import forms

from pledges.models import Commitment, Pledge, RejectionReason


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


class ActionConfirmationForm(forms.Form):
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


class ConsentChangeForm(forms.Form):
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
