"""Admin building blocks every app's admin shares: read-only records, counted messages, the
intermediate page of an action that needs a reason or a comment, and the workflow's actions on
an item's own page (`WorkflowActionsMixin`)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from core.workflow import TransitionNotAllowed, Workflow

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
    # Scrolls at narrow widths with nothing focusable inside: the group itself takes focus.
    template = "admin/edit_inline/tabular_readonly.html"


def counted(singular: str, plural: str, count: int) -> str:
    """ "Published 1 pledge." / "Published 3 pledges." from a message with %(count)d."""
    return ngettext(singular, plural, count) % {"count": count}


def only_ids(queryset) -> list:
    """The selection as light objects, for a service that reads only their primary keys."""
    return list(queryset.select_related(None).order_by().only("pk"))


def confirmation_data(request):
    """The POSTed form once the officer confirmed on the intermediate page, else None."""
    return request.POST if CONFIRMED in request.POST else None


def confirmation_page(
    model_admin,
    request,
    queryset,
    *,
    action,
    form,
    title,
    intro,
    submit,
    original=None,
    cancel_url=None,
    extra_context=None,
):
    """An action's intermediate page: the selected objects, a form, and the ids carried over.

    Given `original`, it is the page of one item's action (`WorkflowActionsMixin`): no ids are
    carried, and going back returns to the item. `extra_context` adds to what the page shows
    (`preview_template`: a partial shown above the form, such as the email a step will send)."""
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
            "original": original,
            "cancel_url": cancel_url,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": model_admin.media + form.media,
            **(extra_context or {}),
        },
    )


# --- The workflow's actions on an item's own page ----------------------------------------------


class NoFieldsForm(forms.Form):
    """The confirmation of an action that asks for nothing (publish, submit, validate)."""


@dataclass(frozen=True)
class DetailAction:
    """How one action of the model's workflow table is offered on an item's admin page.

    `run(request, obj, cleaned_data)` takes the step through the app's service (which checks the
    table again) and returns how many items changed; `form(data)` is the confirmation's form (a
    reason or comment where the table's action needs one)."""

    name: str
    title: str
    intro: str
    submit: str
    done: str
    run: Callable[[Any, Any, dict], int]
    form: Callable[[Any], forms.Form] = NoFieldsForm
    permission: str = "change"  # the admin's has_<permission>_permission(request)


class WorkflowActionsMixin:
    """A ModelAdmin whose item pages offer the workflow's steps as buttons, each to its own
    confirmation page: GET shows what will happen (and asks for the reason the table wants),
    POST takes the step through the service, then back to the item with a message.

    Buttons show only for what the table offers this user in the item's state and the admin
    permission allows. A state that moved meanwhile (someone else acted) is said and changes
    nothing."""

    workflow: Workflow
    detail_actions: tuple[DetailAction, ...] = ()
    change_form_template = "admin/workflow_change_form.html"

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_workflow_action"
        view = require_http_methods(["GET", "HEAD", "POST"])(self.workflow_action_view)
        return [
            path(
                "<path:object_id>/action/<slug:action_name>/",
                self.admin_site.admin_view(view),
                name=name,
            ),
            *super().get_urls(),
        ]

    def workflow_action_url(self, obj, name: str) -> str:
        info = f"admin:{self.opts.app_label}_{self.opts.model_name}_workflow_action"
        return reverse(info, args=[obj.pk, name], current_app=self.admin_site.name)

    def _change_url(self, obj) -> str:
        info = f"admin:{self.opts.app_label}_{self.opts.model_name}_change"
        return reverse(info, args=[obj.pk], current_app=self.admin_site.name)

    def _permitted(self, request, detail: DetailAction) -> bool:
        return bool(getattr(self, f"has_{detail.permission}_permission")(request))

    def workflow_actions_offered(self, request, obj) -> list[DetailAction]:
        """The item's steps on offer to this user now, in the order they are declared."""
        if not any(self._permitted(request, detail) for detail in self.detail_actions):
            return []
        available = {action.name for action in self.workflow.available(obj, request.user)}
        return [
            detail
            for detail in self.detail_actions
            if detail.name in available and self._permitted(request, detail)
        ]

    def workflow_item_label(self, obj) -> str:
        """How the confirmation page names the item."""
        return str(obj)

    def workflow_action_context(self, request, obj, detail: DetailAction, form) -> dict:
        """More for one step's confirmation page (e.g. a preview of the email it sends)."""
        return {}

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None:
            context["workflow_state_label"] = _state_label(self.workflow, obj)
            context["workflow_actions"] = [
                {
                    "name": detail.name,
                    "label": self.workflow[detail.name].label,
                    "url": self.workflow_action_url(obj, detail.name),
                }
                for detail in self.workflow_actions_offered(request, obj)
            ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def workflow_action_view(self, request, object_id, action_name):
        detail = next((d for d in self.detail_actions if d.name == action_name), None)
        obj = self.get_object(request, unquote(object_id))
        if detail is None or obj is None:
            raise Http404("No such item or step.")
        action = self.workflow[detail.name]
        if not self._permitted(request, detail) or not self.workflow.may(action, obj, request.user):
            raise PermissionDenied(action.forbidden)
        change_url = self._change_url(obj)
        if self.workflow.state_of(obj) not in action.sources:
            return self._too_late(request, obj, action, change_url)
        form = detail.form(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            try:
                changed = detail.run(request, obj, form.cleaned_data)
            except TransitionNotAllowed:
                changed = 0
            except ValidationError as error:
                _form_errors(form, error)
                changed = None
            except PermissionDenied as error:
                self.message_user(request, f"{error} Nothing was changed.", messages.ERROR)
                return HttpResponseRedirect(change_url)
            if changed:
                self.message_user(request, detail.done, messages.SUCCESS)
                return HttpResponseRedirect(change_url)
            if changed == 0:
                # The service found the item moved on under its lock: someone else acted first.
                obj.refresh_from_db()
                return self._too_late(request, obj, action, change_url)
        return confirmation_page(
            self,
            request,
            [obj],
            action="",
            form=form,
            title=detail.title,
            intro=detail.intro,
            submit=detail.submit,
            original=obj,
            cancel_url=change_url,
            extra_context={
                "workflow_state_label": _state_label(self.workflow, obj),
                "item_label": self.workflow_item_label(obj),
                **self.workflow_action_context(request, obj, detail, form),
            },
        )

    def _too_late(self, request, obj, action, change_url):
        self.message_user(
            request,
            f"{self.workflow.refusal(action, obj)} It may have changed since you opened it. "
            "Nothing was changed.",
            messages.ERROR,
        )
        return HttpResponseRedirect(change_url)


def _form_errors(form, error: ValidationError) -> None:
    """A service's refusal on the form: by field where it names one of the form's."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _state_label(workflow: Workflow, obj) -> str:
    display = getattr(obj, f"get_{workflow.state_field}_display", None)
    return str(display()) if display else workflow.state_of(obj)
