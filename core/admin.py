"""Admin building blocks every app's admin shares: read-only records, counted messages, and the
intermediate page of an action that needs a reason or a comment."""

from django.contrib import admin
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import ngettext

CONFIRMATION_TEMPLATE = "admin/action_confirmation.html"
# Set by the intermediate page's submit button: the officer has confirmed the action.
CONFIRMED = "apply"


class ReadOnlyAdminMixin:
    """A record nobody adds, changes or deletes in admin (history, imports, the outbox)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyTabularInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False


def counted(singular: str, plural: str, count: int) -> str:
    """ "Published 1 pledge." / "Published 3 pledges." from a message with %(count)d."""
    return ngettext(singular, plural, count) % {"count": count}


def only_ids(queryset) -> list:
    """The selection as light objects, for a service that reads only their primary keys."""
    return list(queryset.select_related(None).order_by().only("pk"))


def confirmation_data(request):
    """The POSTed form once the officer confirmed on the intermediate page, else None."""
    return request.POST if CONFIRMED in request.POST else None


def confirmation_page(model_admin, request, queryset, *, action, form, title, intro, submit):
    """An action's intermediate page: the selected objects, a form, and the ids carried over."""
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(
        request,
        CONFIRMATION_TEMPLATE,
        {
            **model_admin.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "objects": queryset,
            "form": form,
            "action": action,
            "confirmed_name": CONFIRMED,
            "submit_label": submit,
            "opts": model_admin.opts,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": model_admin.media + form.media,
        },
    )
