from django.contrib import admin

from balancesheets.models import Capital


@admin.register(Capital)
class CapitalAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order"]
    search_fields = ["name", "code"]
