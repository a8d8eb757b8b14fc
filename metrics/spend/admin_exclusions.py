"""The officers' admin for influenceable spend: the register of public bodies (with the names
each appears under in spending files) and the rules that leave payments out of influenceable
spend, each with its reason. Every change is in the audit trail (the models' event tables,
written by database triggers); the public figures read the rules as they are now."""

from django.contrib import admin

from metrics.spend.models import PublicBody, PublicBodyName, SpendExclusionRule


class PublicBodyNameInline(admin.TabularInline):
    model = PublicBodyName
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
