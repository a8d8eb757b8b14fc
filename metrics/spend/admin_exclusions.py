"""The officers' admin for influenceable spend: the register of public bodies (with the names
each appears under in spending files) and the rules that leave payments out of influenceable
spend, each with its reason. Every change is in the audit trail (the models' event tables,
written by database triggers); the public figures read the rules as they are now."""

from django.contrib import admin
from django.forms.models import BaseInlineFormSet

from metrics.spend.models import PublicBody, PublicBodyName, SpendExclusionRule
from metrics.spend.names import supplier_name_normalise


class PublicBodyNameFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        """Two new names read the same (each passes its own check against the saved ones)."""
        super().clean()
        seen: set[str] = set()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            normalised = supplier_name_normalise(form.cleaned_data.get("name", ""))
            if normalised in seen:
                form.add_error("name", "This name is given twice (or read the same as another)")
            seen.add(normalised)


class PublicBodyNameInline(admin.TabularInline):
    model = PublicBodyName
    formset = PublicBodyNameFormSet
    extra = 1
    fields = ["name", "normalised_name"]
    readonly_fields = ["normalised_name"]
    verbose_name = "name in spending files"
    verbose_name_plural = (
        "names in spending files (matched ignoring case, punctuation and legal form, as the "
        "supplier register matches names)"
    )


@admin.register(PublicBody)
class PublicBodyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "names__name", "names__normalised_name"]
    inlines = [PublicBodyNameInline]


@admin.register(SpendExclusionRule)
class SpendExclusionRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "match", "public_body_kind", "text", "supplier", "position", "active"]
    list_editable = ["position", "active"]
    list_filter = ["match", "active"]
    list_select_related = ["supplier"]
    search_fields = ["name", "reason", "text", "supplier__name"]
    autocomplete_fields = ["supplier"]
    fieldsets = [
        (None, {"fields": ["name", "reason", "active", "position"]}),
        (
            "Which payments",
            {
                "description": "A public-body rule names a kind of body in the register of "
                "public bodies; a supplier rule names one supplier; an expense-type rule gives "
                "the expense type (or the words it contains), ignoring case. A payment several "
                "rules cover counts under the first, by position.",
                "fields": ["match", "public_body_kind", "supplier", "text"],
            },
        ),
    ]
