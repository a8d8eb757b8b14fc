"""A GOV.UK table described as data: its caption, its columns and the rows under them.

A view builds a `Table` from rows it already has (mappings of column key to display text) and
the template renders it with `{% govuk_table table %}`, so every table has the same markup:
numbers right-aligned, the first column as each row's header.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    label: str
    key: str  # the row's key for this column's text
    numeric: bool = False  # right-aligned, as the GOV.UK table asks for numbers
    hidden: str = ""  # words after the label for screen readers only
    chart_key: str = ""  # the row's key for the raw number a chart reads (data-value)


@dataclass(frozen=True)
class Table:
    caption: str
    columns: Sequence[Column]
    rows: Sequence[Mapping[str, object]]
    chart: str = ""  # which chart the page's script draws from this table (data-chart)
    # Narrow padding between columns, so a four-column table fits a phone.
    narrow: bool = False
    small_text: bool = False  # GOV.UK's smaller text until tablet width, for dense figures
