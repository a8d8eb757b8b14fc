from django.contrib import admin

from pledges.models import Commitment


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    list_display = ["title", "benefit", "foundation", "order", "is_active"]
    list_filter = ["benefit", ("foundation", admin.RelatedOnlyFieldListFilter), "is_active"]
    search_fields = ["title", "code"]
    list_select_related = ["foundation"]
