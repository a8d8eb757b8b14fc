"""Who is told when a metric value moves through validation: the templates under
metrics/email/, queued through the outbox in the caller's transaction.

Submitted: every active member of the CWB Group with an address (but the submitter). Returned:
the officer who submitted it, with the CWB Group's comment.
"""

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


def metric_value_submitted_notify(*, metric_value: MetricValue, actor: User | None) -> int:
    """Tell the CWB Group a value waits for validation. Returns how many emails were queued."""
    context = _context(metric_value, actor)
    own = actor.email.casefold() if actor and actor.email else None
    addresses = [a for a in role_addresses(CWB_GROUP) if a.casefold() != own]
    for address in addresses:
        email_queue(
            to=address,
            kind="value_submitted",
            template="metrics/email/value_submitted.txt",
            context=context,
            about=metric_value,
        )
    return len(addresses)


def metric_value_returned_notify(*, metric_value: MetricValue, actor: User) -> int:
    """Tell the officer who submitted a value that it came back, and why."""
    submitter = metric_value.submitted_by
    if submitter is None or not submitter.is_active or not submitter.email:
        return 0
    email_queue(
        to=submitter.email,
        kind="value_returned",
        template="metrics/email/value_returned.txt",
        context={**_context(metric_value, actor), "comment": metric_value.return_comment},
        about=metric_value,
    )
    return 1
