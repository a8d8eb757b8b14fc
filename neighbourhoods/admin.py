from django.contrib import admin
from django.db import models

from neighbourhoods.models import Council, Membership, Neighbourhood, PostcodeLookup, Ward
from neighbourhoods.postcodes import normalise_postcode


@admin.register(Council)
class CouncilAdmin(admin.ModelAdmin):
    list_display = ["name", "service_name", "ons_code", "county_name"]
    search_fields = ["name", "ons_code"]
    # A website typed without a scheme is https (Django 6's default; until then, a warning).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class WardInline(admin.TabularInline):
    model = Ward
    extra = 0
    fields = ["name", "ons_code", "valid_from", "valid_to"]


@admin.register(Neighbourhood)
class NeighbourhoodAdmin(admin.ModelAdmin):
    list_display = ["name", "council", "order"]
    list_filter = [("council", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [WardInline]


@admin.register(Ward)
class WardAdmin(admin.ModelAdmin):
    list_display = ["name", "neighbourhood", "ons_code", "valid_from", "valid_to"]
    list_filter = [("neighbourhood", admin.RelatedOnlyFieldListFilter), "valid_to"]
    search_fields = ["name", "ons_code"]
    list_select_related = ["neighbourhood"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "neighbourhood", "role"]
    list_filter = ["role", ("neighbourhood", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user", "neighbourhood"]
    autocomplete_fields = ["user"]


@admin.register(PostcodeLookup)
class PostcodeLookupAdmin(admin.ModelAdmin):
    list_display = ["postcode", "ward", "lad_code", "terminated"]
    list_filter = ["lad_code"]
    search_fields = ["postcode"]
    list_select_related = ["ward"]
    raw_id_fields = ["ward"]

    def get_search_results(self, request, queryset, search_term):
        # Officers type postcodes as residents do ("sg11hn"); the stored form has one space.
        normalised = normalise_postcode(search_term)
        if normalised is not None:
            return queryset.filter(postcode=normalised), False
        return super().get_search_results(request, queryset, search_term)
