"""Who is told when a metric value moves through validation: the templates under
metrics/email/, queued through the outbox in the caller's transaction.

Submitted: every active member of the CWB Group with an address (but the submitter). Returned:
the officer who submitted it, with the CWB Group's comment. Inside
`metric_value_notifications_batched()` (a bulk action) each person gets one email listing the
values instead of one email per value.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse

from core.roles import CWB_GROUP, role_addresses
from metrics.models import MetricValue
from metrics.periods import period_label
from metrics.templatetags.metric_format import metric_value_format
from outbox.services import email_queue


def _context(metric_value: MetricValue, actor: User | None) -> dict:
    return {
        "metric_value": metric_value,
        "metric": metric_value.metric,
        "area": metric_value.neighbourhood.name if metric_value.neighbourhood else "the borough",
        "period": period_label(metric_value.period_start, metric_value.period_end),
        "figure": metric_value_format(metric_value.value, metric_value.metric.unit),
        "actor_name": (actor.get_full_name() or actor.get_username()) if actor else "Someone",
        "review_url": settings.CHARTER_SITE_URL
        + reverse("admin:metrics_metricvalue_change", args=[metric_value.pk]),
    }


# The values a bulk action told about so far: (kind, value, actor), or None outside one.
_batch: ContextVar[list[tuple[str, MetricValue, User | None]] | None] = ContextVar(
    "metric_value_notifications", default=None
)


@contextmanager
def metric_value_notifications_batched() -> Iterator[None]:
    """Within this block (inside the caller's transaction, around a bulk action), each person is
    emailed once at its end about all the values submitted or returned in it. Nothing is sent
    if the block fails."""
    token = _batch.set([])
    try:
        yield
        told = _batch.get() or []
    finally:
        _batch.reset(token)
    for kind in ("value_submitted", "value_returned"):
        values = [(value, actor) for k, value, actor in told if k == kind]
        if len(values) == 1:
            _notify(kind, *values[0])
        elif values:
            _notify_many(kind, values)


def _submitted_recipients(actor: User | None) -> list[str]:
    return role_addresses(CWB_GROUP, excluding=actor)


def _submitter_address(metric_value: MetricValue) -> str:
    submitter = metric_value.submitted_by
    if submitter is None or not submitter.is_active or not submitter.email:
        return ""
    return submitter.email


def _notify(kind: str, metric_value: MetricValue, actor: User | None) -> int:
    context = _context(metric_value, actor)
    if kind == "value_submitted":
        addresses = _submitted_recipients(actor)
    else:
        addresses = [a for a in [_submitter_address(metric_value)] if a]
        context["comment"] = metric_value.return_comment
    for address in addresses:
        email_queue(
            to=address,
            kind=kind,
            template=f"metrics/email/{kind}.txt",
            context=context,
            about=metric_value,
        )
    return len(addresses)


def _notify_many(kind: str, values: list[tuple[MetricValue, User | None]]) -> int:
    """One email per person about several values (not `about` any one of them)."""
    actor = values[0][1]
    if kind == "value_submitted":
        by_address = dict.fromkeys(_submitted_recipients(actor), values)
    else:
        by_address = {}
        for value, value_actor in values:
            if address := _submitter_address(value):
                by_address.setdefault(address, []).append((value, value_actor))
    for address, theirs in by_address.items():
        if len(theirs) == 1:
            value, value_actor = theirs[0]
            email_queue(
                to=address,
                kind=kind,
                template=f"metrics/email/{kind}.txt",
                context={**_context(value, value_actor), "comment": value.return_comment},
                about=value,
            )
            continue
        email_queue(
            to=address,
            kind=kind,
            template=f"metrics/email/{kind}_many.txt",
            context={
                "values": [_context(value, value_actor) for value, value_actor in theirs],
                "actor_name": _context(theirs[0][0], actor)["actor_name"],
                "comment": theirs[0][0].return_comment,
                "list_url": settings.CHARTER_SITE_URL
                + reverse("admin:metrics_metricvalue_changelist")
                + (
                    "?status__exact=submitted"
                    if kind == "value_submitted"
                    else "?status__exact=returned"
                ),
            },
        )
    return len(by_address)


def _tell(kind: str, metric_value: MetricValue, actor: User | None) -> int:
    batch = _batch.get()
    if batch is not None:
        batch.append((kind, metric_value, actor))
        return 0
    return _notify(kind, metric_value, actor)


def metric_value_submitted_notify(*, metric_value: MetricValue, actor: User | None) -> int:
    """Tell the CWB Group a value waits for validation. Returns how many emails were queued."""
    return _tell("value_submitted", metric_value, actor)


def metric_value_returned_notify(*, metric_value: MetricValue, actor: User) -> int:
    """Tell the officer who submitted a value that it came back, and why."""
    return _tell("value_returned", metric_value, actor)
