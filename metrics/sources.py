"""Where computed metrics come from: a registry of sources, and the spend shares defined once.

A computed metric names a source by key (`Metric.source`). A source is a function
`compute(period_start, period_end, neighbourhood) -> Decimal | None` that returns the value for
the period (both dates included) and the neighbourhood (None for the whole borough), or None when
there is nothing to compute from. Apps above metrics register theirs in `AppConfig.ready()`
(pledges: `pledges/metric_sources.py`; the spend shares: `metrics/spend/sources.py`, from
this app's own `ready()`), so the dependency points down: metrics never imports them.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from neighbourhoods.models import Neighbourhood

Compute = Callable[[datetime.date, datetime.date, Neighbourhood | None], Decimal | None]


@dataclass(frozen=True)
class MetricSource:
    key: str
    label: str
    compute: Compute


_SOURCES: dict[str, MetricSource] = {}


def metric_source_register(key: str, *, label: str, compute: Compute) -> MetricSource:
    """Register (or replace) the source `key`. Call from an AppConfig.ready()."""
    source = MetricSource(key=key, label=label, compute=compute)
    _SOURCES[key] = source
    return source


def metric_source_get(key: str) -> MetricSource | None:
    return _SOURCES.get(key)


def metric_source_choices() -> list[tuple[str, str]]:
    """Every registered source as (key, label), for forms."""
    return sorted((source.key, source.label) for source in _SOURCES.values())
