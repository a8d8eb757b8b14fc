"""The audit trail: one event table beside each tracked model, written by database triggers.

Every insert, update and delete of a tracked table is copied by a statement-level trigger
(django-pghistory) into the model's event table, with the context of the write: who (the
signed-in user, from `pghistory.middleware.HistoryMiddleware`), where (the URL, or the
management command or background task) and why (the reason a service was given). Because the
database writes the trail, bulk updates, raw SQL and the shell are caught as well as the ORM.

This module is the one place that knows how the trail is shaped:

- `trail_event_model()` declares a tracked model's event model (each app's models.py);
- `trail_context()`, `trail_reason()` and `trail_step()` attach who/what/why to the writes
  inside them;
- `trail_events()`, `trail_changes()` read it back as who, when, before → after, reason;
- `trail_pseudonymise_values()` / `trail_pseudonymise_fields()` replace personal data inside
  every event table (erasure), and `trail_mentions()` finds where a value appears (subject
  access).
"""

from __future__ import annotations

import contextlib
import functools
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pghistory
import pgtrigger
from django.apps import apps
from django.db import connection, models, transaction

# What an erased value is replaced with, everywhere in the trail.
PSEUDONYM = "[erased]"
# Values shorter than this are scrubbed only from the fields they were in, not swept everywhere.
MIN_SWEPT_LENGTH = 3

# The labels of the three triggers every tracked model has, and how pages name them.
CREATED, CHANGED, DELETED = "insert", "update", "delete"
LABEL_NAMES = {CREATED: "Created", CHANGED: "Changed", DELETED: "Deleted"}

# The trail of who holds which account and role is for superusers only.
ACCOUNT_EVENT_MODELS = ("audit.UserEvent", "audit.GroupEvent", "audit.UserGroupEvent")


def trail_event_model(
    tracked_model: type[models.Model],
    *,
    exclude: Sequence[str] = (),
    app_label: str | None = None,
    model_name: str | None = None,
) -> type[models.Model]:
    """The abstract event model for `tracked_model`: a snapshot of its fields (less `exclude`:
    secrets, generated columns, noise) for every insert, update and delete. Inserts and deletes
    are copied by statement-level triggers: a bulk write costs one extra statement, not one per
    row. Subclass it in the owning app's models.py (its migrations then install the
    triggers); pass `app_label` for a model we do not own (auth's User and Group)."""
    return pghistory.create_event_model(
        tracked_model,
        pghistory.InsertEvent(CREATED, trigger_name="trail_insert"),
        # Every updated row, without comparing old and new: that comparison joins the two
        # transition tables row by row (24 bulk updates of 1,000 suppliers spent 8.7 s in it),
        # and a row-level trigger costs ~0.4 ms a row. An update that changed nothing is
        # recorded with no change (the admin shows none).
        pghistory.UpdateEvent(CHANGED, trigger_name="trail_update", condition=None),
        pghistory.DeleteEvent(DELETED, trigger_name="trail_delete"),
        exclude=list(exclude),
        obj_field=pghistory.ObjForeignKey(related_name="trail_events", related_query_name="+"),
        level=pgtrigger.Statement,
        app_label=app_label,
        model_name=model_name,
        append_only=True,
    )


def trail_models() -> list[type[models.Model]]:
    """Every event table of the trail."""
    return pghistory.core.event_models()


@contextlib.contextmanager
def trail_context(**metadata: Any) -> Iterator[None]:
    """Attach `metadata` (e.g. command="seed_demo") to the trail of every write inside; joins
    the enclosing context if there is one (a request's, a command's)."""
    with pghistory.context(**metadata):
        yield


@contextlib.contextmanager
def trail_reason(reason: str, **metadata: Any) -> Iterator[None]:
    """Record `reason` as why the writes inside happened (nothing if it is empty).

    Inside a request or command the writes already share one context (who, where); a reason
    must not be written over the whole of it (a command that rejects two pledges for two
    reasons), so the writes inside get a context of their own that copies the enclosing one and
    adds the reason; the enclosing context is restored afterwards.
    """
    if not reason and not metadata:
        yield
        return
    with _own_context({"reason": reason, **metadata} if reason else metadata):
        yield


@contextlib.contextmanager
def trail_step(
    action: str, *, actor: Any = None, reason: str = "", **metadata: Any
) -> Iterator[None]:
    """Record the writes inside as one named step of a workflow (`action`, e.g. "validated"),
    taken by `actor` (when a service is told who acts: a command's --user), for `reason`."""
    details: dict[str, Any] = {"action": action, **metadata}
    if actor is not None and getattr(actor, "pk", None) is not None:
        details["user"] = actor.pk
    if reason:
        details["reason"] = reason
    with _own_context(details):
        yield


@contextlib.contextmanager
def _own_context(metadata: dict[str, Any]) -> Iterator[None]:
    tracker = pghistory.runtime._tracker
    outer = getattr(tracker, "value", None)
    if outer is None:
        with pghistory.context(**metadata):
            yield
        return
    tracker.value = pghistory.runtime.Context(
        id=uuid.uuid4(), metadata={**outer.metadata, **metadata}
    )
    try:
        yield
    finally:
        tracker.value = outer


def trail_command(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a management command's `handle` (or a background task) so the trail of its
    writes names it: `@trail_command("seed_demo")`."""

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with pghistory.context(command=name):
                return function(*args, **kwargs)

        return wrapper

    return decorate


# Reading the trail -------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    field: str
    before: Any
    after: Any


def trail_changes(event: Any) -> list[Change]:
    """What one event (a row of `pghistory.models.Events`) changed, field by field: before → after
    for a change; every field's value for a creation (before empty) or a deletion (after
    empty)."""
    if event.pgh_label == CHANGED and event.pgh_diff:
        return [Change(name, pair[0], pair[1]) for name, pair in sorted(event.pgh_diff.items())]
    data = event.pgh_data or {}
    if event.pgh_label == DELETED:
        return [Change(name, value, None) for name, value in sorted(data.items())]
    return [Change(name, None, value) for name, value in sorted(data.items())]


def trail_events(*objs: models.Model):
    """The trail of the given objects (of one model), oldest first, as `Events` rows."""
    from audit.models import TrailEvents

    return TrailEvents.objects.tracks(*objs).order_by("pgh_created_at", "pgh_id")


# Personal data inside the trail -----------------------------------------------------------

_TEXT_TYPES = (models.CharField, models.TextField)
_JSON_TYPES = (models.JSONField,)


def _append_only_triggers() -> list[str]:
    return [
        f"{model._meta.label}:append_only"
        for model in trail_models()
        if any(t.name == "append_only" for t in getattr(model._meta, "triggers", []))
    ]


def _pattern(values: Iterable[str]) -> str | None:
    """One case-insensitive regular expression matching any of the values, each whole."""
    cleaned = sorted(
        {value.strip() for value in values if value and len(value.strip()) >= MIN_SWEPT_LENGTH},
        key=len,
    )
    if not cleaned:
        return None
    alternatives = "|".join(re.escape(value) for value in reversed(cleaned))
    # Whole values only: erasing "Jo" must not turn "Joined" into "[erased]ined".
    return f"(?<![[:alnum:]_])(?:{alternatives})(?![[:alnum:]_])"


def _rewrite(table: str, column: str, *, as_json: bool, pattern: str, placeholder: str) -> int:
    quoted = connection.ops.quote_name
    col = f"{quoted(column)}::text" if as_json else quoted(column)
    new = f"regexp_replace({col}, %s, %s, 'gi')"
    if as_json:
        new = f"({new})::jsonb"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quoted(table)} SET {quoted(column)} = {new} WHERE {col} ~* %s",  # noqa: S608
            [pattern, placeholder, pattern],
        )
        return cursor.rowcount


@transaction.atomic
def trail_pseudonymise_values(
    values: Iterable[str], *, placeholder: str = PSEUDONYM, inside_text: bool = False
) -> int:
    """Replace the given values (an email address, a name), case-insensitively, everywhere in
    the trail with `placeholder`: a text column holding one of them whole, and any occurrence
    inside a JSON column or a context (a reason, a note, a URL). Returns the rows rewritten.

    This is what erasure calls: after it, no event holds the values. Text columns are matched
    whole (one hashed comparison a row, so 1,000 subjects at once cost about what one does); the
    free text of reasons and notes lives in the contexts, which are searched inside.
    `inside_text` searches inside every text column too (a pledge's own text may quote an
    address): a regular expression over every row, affordable for one subject at a time."""
    wanted = sorted(
        {
            value.strip().lower()
            for value in values
            if value and len(value.strip()) >= MIN_SWEPT_LENGTH
        }
    )
    pattern = _pattern(wanted)
    if pattern is None:
        return 0
    quoted = connection.ops.quote_name
    rewritten = 0
    with pgtrigger.ignore(*_append_only_triggers()), connection.cursor() as cursor:
        for model in trail_models():
            table = quoted(model._meta.db_table)
            for field in model._meta.concrete_fields:
                if field.name.startswith("pgh_"):
                    continue
                column = quoted(field.column)
                as_json = isinstance(field, _JSON_TYPES)
                if as_json or (inside_text and isinstance(field, _TEXT_TYPES)):
                    # Searched inside: JSON always, free text when asked.
                    rewritten += _rewrite(
                        model._meta.db_table,
                        field.column,
                        as_json=as_json,
                        pattern=pattern,
                        placeholder=placeholder,
                    )
                elif isinstance(field, _TEXT_TYPES):
                    cursor.execute(
                        f"UPDATE {table} SET {column} = %s WHERE lower({column}) = ANY(%s)",  # noqa: S608
                        [placeholder, wanted],
                    )
                    rewritten += cursor.rowcount
        context_model = apps.get_model("pghistory", "Context")
        rewritten += _rewrite(
            context_model._meta.db_table,
            "metadata",
            as_json=True,
            pattern=pattern,
            placeholder=placeholder,
        )
    return rewritten


@transaction.atomic
def trail_pseudonymise_fields(
    tracked_model: type[models.Model],
    pks: Iterable[Any],
    fields: Sequence[str],
    *,
    placeholder: str = PSEUDONYM,
) -> int:
    """Replace the given fields of the given objects in every event of their trail: text with
    `placeholder`, other types with NULL or their empty value. Returns the events rewritten."""
    pks = [str(pk) for pk in pks]
    if not pks or not fields:
        return 0
    rewritten = 0
    with pgtrigger.ignore(*_append_only_triggers()):
        for model in pghistory.core.event_models(tracks_model=tracked_model):
            assignments: dict[str, Any] = {}
            snapshot = {field.name: field for field in model._meta.concrete_fields}
            for name in fields:
                field = snapshot.get(name)  # a field the event model leaves out needs nothing
                if field is None:
                    continue
                if isinstance(field, _TEXT_TYPES):
                    assignments[field.name] = placeholder
                elif field.null:
                    assignments[field.name] = None
                elif isinstance(field, models.BooleanField):
                    assignments[field.name] = False
            if assignments:
                rewritten += model._base_manager.filter(pgh_obj_id__in=pks).update(**assignments)
    return rewritten


def trail_pseudonymise(*, email: str, placeholder: str = PSEUDONYM) -> int:
    """Replace an email address everywhere in the trail (erase-by-email), inside free text
    too."""
    return trail_pseudonymise_values([email], placeholder=placeholder, inside_text=True)


def trail_mentions(*, email: str) -> list[dict[str, Any]]:
    """Every event whose snapshot or context contains `email` (case-insensitive), as dicts of
    model, object, label, when, data and context: what the trail holds about a data subject."""
    from audit.models import TrailEvents

    if not email or not email.strip():
        return []
    needle = email.strip()
    events = (
        TrailEvents.objects.filter(
            models.Q(pgh_data__icontains=needle) | models.Q(pgh_context__icontains=needle)
        )
        .order_by("pgh_created_at", "pgh_id")
        .values(
            "pgh_model",
            "pgh_obj_model",
            "pgh_obj_id",
            "pgh_label",
            "pgh_created_at",
            "pgh_data",
            "pgh_context",
        )
    )
    return list(events)
