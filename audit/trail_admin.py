"""The audit trail in admin: one read-only list of every event, searchable and filtered by
record type, action, person and date; the same list for one object is its history (the
"Events" button pghistory adds to every tracked object's admin page).

Who sees what: superusers everything; the data-protection role every record's trail but the
accounts' and roles'; other staff the trail of the records whose admin they may view, and of
one object only if its admin shows them that object. Personal data inside a pledge's trail is
hidden from all but the data-protection role, and their views of it are logged.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils.html import format_html, format_html_join
from pghistory.admin import EventsAdmin

from audit.access import personal_data_viewed, sees_all_personal_data
from audit.models import PersonalDataView
from audit.trail import ACCOUNT_EVENT_MODELS, LABEL_NAMES, trail_changes, trail_models

HIDDEN = "(hidden)"
NOTHING = "\N{EN DASH}"  # the house style for an empty value
HIDDEN_FILTER_TEMPLATE = "pghistory_admin/hidden_filter.html"


def _tracked_model(event_model) -> type:
    """The model whose admin decides who sees this event model (a link table: its owner)."""
    owner = getattr(event_model, "trail_visible_with", None)
    if owner:
        return apps.get_model(owner)
    return event_model.pgh_tracked_model._meta.concrete_model


def _allowed_event_models(request) -> list[type]:
    user = request.user
    if not (user.is_active and user.is_staff):
        return []
    if user.is_superuser:
        return trail_models()
    models = [m for m in trail_models() if m._meta.label not in ACCOUNT_EVENT_MODELS]
    if sees_all_personal_data(user):
        return models
    allowed = []
    for model in models:
        model_admin = admin.site._registry.get(_tracked_model(model))
        if model_admin is not None and model_admin.has_view_permission(request):
            allowed.append(model)
    return allowed


def _requested_object(request) -> tuple[type, Any] | None:
    """The object of `?obj=app.Model:pk`, if it names one this user may see; else refused."""
    value = request.GET.get("obj")
    if not value:
        return None
    label, _, pk = value.partition(":")
    try:
        model = apps.get_model(label)
        pk = model._meta.pk.to_python(unquote(pk))
    except (LookupError, ValueError, ValidationError) as error:
        raise Http404("No such record") from error
    model = model._meta.concrete_model
    if model is get_user_model() or model._meta.app_label == "auth":
        if not request.user.is_superuser:
            raise PermissionDenied
        return model, pk
    model_admin = admin.site._registry.get(model)
    if model_admin is None:
        raise Http404("No such record")
    obj = model_admin.get_queryset(request).filter(pk=pk).first()
    if obj is None and not sees_all_personal_data(request.user):
        # Deleted, or not one this user's admin shows them: only the data-protection role
        # (and superusers) read the trail of what is gone.
        raise PermissionDenied
    if obj is not None and not model_admin.has_view_permission(request, obj):
        raise PermissionDenied
    return model, pk


class _HiddenFilter(admin.SimpleListFilter):
    """A query parameter the trail reads itself (the object, the back link)."""

    template = HIDDEN_FILTER_TEMPLATE

    def lookups(self, request, model_admin):
        value = request.GET.get(self.parameter_name)
        return [(value, value)] if value else []

    def queryset(self, request, queryset):
        return queryset


class ObjectFilter(_HiddenFilter):
    title = "record"
    parameter_name = "obj"


class MethodFilter(_HiddenFilter):
    title = "method"
    parameter_name = "method"


class BackFilter(_HiddenFilter):
    title = "back"
    parameter_name = "back"


class RecordTypeFilter(admin.SimpleListFilter):
    title = "record type"
    parameter_name = "event_model"

    def lookups(self, request, model_admin):
        return sorted(
            (model._meta.label, str(model.pgh_tracked_model._meta.verbose_name).capitalize())
            for model in _allowed_event_models(request)
        )

    def queryset(self, request, queryset):
        return queryset  # applied in get_queryset, within what this user may see


class ActionFilter(admin.SimpleListFilter):
    title = "action"
    parameter_name = "action_label"

    def lookups(self, request, model_admin):
        return list(LABEL_NAMES.items())

    def queryset(self, request, queryset):
        if self.value() in LABEL_NAMES:
            return queryset.filter(pgh_label=self.value())
        return queryset


class PersonFilter(admin.SimpleListFilter):
    title = "by"
    parameter_name = "by"

    def lookups(self, request, model_admin):
        staff = get_user_model().objects.filter(is_staff=True).order_by("username")
        return [(str(pk), username) for pk, username in staff.values_list("pk", "username")]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(user_id=int(self.value()))
        return queryset


class TrailEventsAdmin(EventsAdmin):
    list_display = ["pgh_created_at", "record", "action", "by", "reason_given", "changes"]
    list_display_links = None
    list_per_page = 50
    search_help_text = "Search the records' values, the reasons given, or a record's id."

    def get_list_display(self, request):
        return self.list_display

    def get_list_filter(self, request):
        return [
            RecordTypeFilter,
            ActionFilter,
            PersonFilter,
            ("pgh_created_at", admin.DateFieldListFilter),
            ObjectFilter,
            MethodFilter,
            BackFilter,
        ]

    def has_module_permission(self, request):
        return bool(_allowed_event_models(request))

    def has_view_permission(self, request, obj=None):
        return bool(_allowed_event_models(request))

    def get_search_fields(self, request):
        return ["pgh_obj_id"]  # shows the search box; the search itself is below

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        in_data = Q(pgh_data__icontains=term)
        if not sees_all_personal_data(request.user):
            # Never find a record by personal data the searcher may not see.
            personal = [m._meta.label for m in trail_models() if _personal_fields(m)]
            in_data &= ~Q(pgh_model__in=personal)
        return queryset.filter(in_data | Q(pgh_context__icontains=term) | Q(pgh_obj_id=term)), False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        allowed = _allowed_event_models(request)
        wanted = request.GET.get(RecordTypeFilter.parameter_name)
        if wanted:
            allowed = [m for m in allowed if m._meta.label == wanted]
        requested = _requested_object(request)
        if requested is not None:
            model, pk = requested
            allowed = [m for m in allowed if _tracked_model(m) is model]
            queryset = queryset.tracks(model(pk=pk))
        # An empty list would mean "every event table" to pghistory: name none instead.
        return queryset.across(*allowed) if allowed else queryset.none()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        raise Http404("Events are read in the list")

    def changelist_view(self, request, extra_context=None):
        extra_context = {"title": "Audit trail", **(extra_context or {})}
        if request.GET.get("obj"):
            label, _, pk = request.GET["obj"].partition(":")
            try:
                name = apps.get_model(label)._meta.verbose_name
            except LookupError:
                name = label
            extra_context["subtitle"] = f"History of {name} {pk}"
        response = admin.ModelAdmin.changelist_view(self, request, extra_context=extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            self._prepare_page(request, list(changelist.result_list))
        return response

    def _prepare_page(self, request, events) -> None:
        """Resolve who made each change in one query, hide what this user may not see, and log
        what personal data was shown."""
        user_ids = {(e.pgh_context or {}).get("user") for e in events} - {None}
        names = dict(get_user_model().objects.filter(pk__in=user_ids).values_list("pk", "username"))
        sees_all = sees_all_personal_data(request.user)
        shown: dict[str, set[int]] = {}
        for event in events:
            event.trail_by = names.get((event.pgh_context or {}).get("user"))
            event.trail_hidden = set()
            personal = _personal_fields(apps.get_model(event.pgh_model))
            if not personal:
                continue
            data = event.pgh_data or {}
            fields = set(personal) | ({"display_name"} if data.get("show_name") is False else set())
            if sees_all:
                if any(data.get(field) for field in fields):
                    shown.setdefault(event.pgh_obj_model, set()).add(int(event.pgh_obj_id))
            else:
                event.trail_hidden = fields
        for label, ids in shown.items():
            personal_data_viewed(
                viewer=request.user,
                how=PersonalDataView.How.SEARCHED
                if request.GET.get("q")
                else PersonalDataView.How.VIEWED,
                what="Audit trail",
                model=apps.get_model(label),
                ids=sorted(ids),
                search_term=request.GET.get("q", ""),
            )

    @admin.display(description="record")
    def record(self, event):
        try:
            name = apps.get_model(event.pgh_obj_model)._meta.verbose_name
        except LookupError:
            name = event.pgh_obj_model
        return f"{str(name).capitalize()} {event.pgh_obj_id}"

    @admin.display(description="action")
    def action(self, event):
        return LABEL_NAMES.get(event.pgh_label, event.pgh_label)

    @admin.display(description="by")
    def by(self, event):
        context = event.pgh_context or {}
        name = getattr(event, "trail_by", None)
        if name:
            return name
        if context.get("command"):
            return f"command {context['command']}"
        if context.get("url"):
            return f"the public ({context['url']})"
        return "the database (no context)"

    @admin.display(description="reason")
    def reason_given(self, event):
        return (event.pgh_context or {}).get("reason") or NOTHING

    @admin.display(description="changes: before → after")
    def changes(self, event):
        hidden = getattr(event, "trail_hidden", set())
        rows = [
            (
                change.field,
                HIDDEN if change.field in hidden else _shown(change.before),
                HIDDEN if change.field in hidden else _shown(change.after),
            )
            for change in trail_changes(event)
            if change.field not in ("id", "pgh_obj", "pgh_context")
        ]
        if not rows:
            return NOTHING
        return format_html(
            "<ul class='trail-changes'>{}</ul>",
            format_html_join("", "<li><b>{}</b>: {} → {}</li>", rows),
        )


def _personal_fields(event_model) -> tuple[str, ...]:
    return tuple(getattr(event_model, "trail_personal_fields", ()))


def _shown(value) -> str:
    if value is None or value == "":
        return NOTHING
    return str(value)
