"""Reads for Community Balance Sheets: the public pages, the downloads and the officers' editor.

The public reads see published sheets only, and of an area's year only the current version (the
latest published) unless a version is asked for. Every page reads a fixed number of queries,
whatever the number of years or lines: totals are summed by the database or from lines already
fetched.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber

from balancesheets.models import (
    BOROUGH_SLUG,
    BalanceSheet,
    BalanceSheetEvent,
    BalanceSheetLine,
    Capital,
    Indicator,
    ProxyValue,
    SheetStatus,
    Side,
)
from core.periods import financial_year_label, financial_year_slug
from neighbourhoods.models import Council, Neighbourhood

ZERO = Decimal("0.00")


def capital_list() -> QuerySet[Capital]:
    return Capital.objects.order_by("order", "name")


# Totals


@dataclass
class CapitalTotals:
    capital: Capital
    assets: Decimal = ZERO
    liabilities: Decimal = ZERO
    previous_net: Decimal | None = None

    @property
    def net(self) -> Decimal:
        return self.assets - self.liabilities

    @property
    def change(self) -> Decimal | None:
        return None if self.previous_net is None else self.net - self.previous_net


@dataclass
class SheetTotals:
    """A sheet's £ totals by capital (every capital, in order) and overall."""

    capitals: list[CapitalTotals]
    previous_net: Decimal | None = None

    @property
    def assets(self) -> Decimal:
        return sum((c.assets for c in self.capitals), ZERO)

    @property
    def liabilities(self) -> Decimal:
        return sum((c.liabilities for c in self.capitals), ZERO)

    @property
    def net(self) -> Decimal:
        return self.assets - self.liabilities

    @property
    def change(self) -> Decimal | None:
        return None if self.previous_net is None else self.net - self.previous_net

    def for_capital(self, code: str) -> CapitalTotals:
        return next(c for c in self.capitals if c.capital.code == code)


def totals_from(
    *, capitals: list[Capital], rows: Iterable[tuple[int, str, Decimal | None]]
) -> SheetTotals:
    """Totals from (capital id, side, £ value) rows; values of None count nothing."""
    by_capital = {capital.pk: CapitalTotals(capital=capital) for capital in capitals}
    for capital_id, side, value in rows:
        totals = by_capital.get(capital_id)
        if totals is None or value is None:
            continue
        if side == Side.LIABILITY:
            totals.liabilities += value
        else:
            totals.assets += value
    return SheetTotals(capitals=list(by_capital.values()))


def sheet_totals(*, sheet: BalanceSheet, capitals: list[Capital] | None = None) -> SheetTotals:
    """One sheet's totals, summed by the database (one query, plus one for the capitals)."""
    return sheets_totals(sheets=[sheet], capitals=capitals)[sheet.pk]


def sheets_totals(
    *, sheets: Iterable[BalanceSheet], capitals: list[Capital] | None = None
) -> dict[int, SheetTotals]:
    """Totals for many sheets in one query, keyed by sheet id."""
    capitals = capitals if capitals is not None else list(capital_list())
    ids = [sheet.pk for sheet in sheets]
    rows: dict[int, list] = defaultdict(list)
    if ids:
        for row in (
            BalanceSheetLine.objects.filter(sheet__in=ids)
            .order_by()
            .values_list("sheet_id", "indicator__capital_id", "indicator__side")
            .annotate(total=Sum("value"))
        ):
            rows[row[0]].append(row[1:])
    return {pk: totals_from(capitals=capitals, rows=rows[pk]) for pk in ids}


def _with_previous(totals: SheetTotals, previous: SheetTotals | None) -> SheetTotals:
    if previous is not None:
        totals.previous_net = previous.net
        for current, before in zip(totals.capitals, previous.capitals, strict=True):
            current.previous_net = before.net
    return totals


# Published sheets


def sheets_published() -> QuerySet[BalanceSheet]:
    return BalanceSheet.objects.filter(status=SheetStatus.PUBLISHED)


def sheets_published_current(*, council: Council) -> QuerySet[BalanceSheet]:
    """Each area's current published version: published, and not restated by a published one."""
    restated = BalanceSheet.objects.filter(restates=OuterRef("pk"), status=SheetStatus.PUBLISHED)
    return sheets_published().filter(council=council).filter(~Exists(restated))


@dataclass(frozen=True)
class PublishedYear:
    year: int
    sheets: int
    restated: int
    last_published_at: object

    @property
    def label(self) -> str:
        return financial_year_label(self.year)


def published_years(*, council: Council) -> list[PublishedYear]:
    """The financial years with published sheets, newest first (one query)."""
    rows = (
        sheets_published()
        .filter(council=council)
        .order_by()
        .values("year")
        .annotate(
            areas=Count("pk", filter=Q(restates__isnull=True)),
            restated=Count("pk", filter=Q(restates__isnull=False)),
            latest=Max("published_at"),
        )
        .order_by("-year")
    )
    return [
        PublishedYear(
            year=row["year"],
            sheets=row["areas"],
            restated=row["restated"],
            last_published_at=row["latest"],
        )
        for row in rows
    ]


@dataclass
class AreaColumn:
    """One area's column on a year's page: its current published sheet (if any) and totals."""

    slug: str
    name: str
    sheet: BalanceSheet | None
    totals: SheetTotals | None
    is_borough: bool = False
    is_sum: bool = False  # the borough column summed from the neighbourhoods (no borough sheet)
    # For a sum: how many of the council's neighbourhoods it holds, out of how many, and why
    # its change is not shown when it is not (a like-for-like change needs every one of them
    # to have a sheet the year before as well).
    parts: int = 0
    of: int = 0
    change_missing_reason: str = ""

    @property
    def is_partial(self) -> bool:
        return self.is_sum and self.parts < self.of


@dataclass
class YearOverview:
    year: int
    capitals: list[Capital]
    neighbourhoods: list[AreaColumn]
    borough: AreaColumn
    previous_year_published: bool

    @property
    def label(self) -> str:
        return financial_year_label(self.year)

    @property
    def slug(self) -> str:
        return financial_year_slug(self.year)

    @property
    def previous_label(self) -> str:
        return financial_year_label(self.year - 1)

    @property
    def columns(self) -> list[AreaColumn]:
        return [*self.neighbourhoods, self.borough]

    @property
    def published(self) -> list[AreaColumn]:
        return [column for column in self.columns if column.sheet is not None]


def year_overview(*, council: Council, year: int) -> YearOverview | None:
    """A year's six neighbourhoods side by side with the borough, each against the year before.

    The borough column is the published borough sheet; without one, the sum of the published
    neighbourhood sheets. None when nothing is published for the year. Four queries.
    """
    sheets = list(
        sheets_published_current(council=council)
        .filter(year__in=[year, year - 1])
        .select_related("neighbourhood", "restates")
    )
    this_year = [sheet for sheet in sheets if sheet.year == year]
    if not this_year:
        return None
    capitals = list(capital_list())
    totals = sheets_totals(sheets=sheets, capitals=capitals)
    previous = {sheet.neighbourhood_id: totals[sheet.pk] for sheet in sheets if sheet.year != year}
    current = {sheet.neighbourhood_id: sheet for sheet in this_year}

    def column(neighbourhood: Neighbourhood | None) -> AreaColumn:
        key = neighbourhood.pk if neighbourhood else None
        sheet = current.get(key)
        sheet_totals_ = totals[sheet.pk] if sheet else None
        if sheet_totals_ is not None:
            _with_previous(sheet_totals_, previous.get(key))
        return AreaColumn(
            slug=neighbourhood.slug if neighbourhood else BOROUGH_SLUG,
            name=neighbourhood.name if neighbourhood else f"{council.area_name} (whole borough)",
            sheet=sheet,
            totals=sheet_totals_,
            is_borough=neighbourhood is None,
        )

    neighbourhoods = [column(n) for n in council.neighbourhoods.order_by("order", "name")]
    borough = column(None)
    if borough.sheet is None:
        summed = [c.totals for c in neighbourhoods if c.totals is not None]
        borough.totals = sum_totals(capitals=capitals, parts=summed)
        borough.is_sum = True
        borough.parts, borough.of = len(summed), len(neighbourhoods)
        if borough.is_partial:
            borough.name = f"{council.area_name} ({borough.parts} of {borough.of} neighbourhoods)"
        # Like with like: the same neighbourhoods' sheets the year before, or no change at all
        # (never the borough sheet of the year before against a part of the borough).
        before = [previous[c.sheet.neighbourhood_id] for c in neighbourhoods
                  if c.sheet and c.sheet.neighbourhood_id in previous]  # fmt: skip
        if before and len(before) == len(summed):
            _with_previous(borough.totals, sum_totals(capitals=capitals, parts=before))
        else:
            borough.change_missing_reason = (
                f"not every neighbourhood in this sum has a sheet for "
                f"{financial_year_label(year - 1)}"
            )
    return YearOverview(
        year=year,
        capitals=capitals,
        neighbourhoods=neighbourhoods,
        borough=borough,
        previous_year_published=bool(previous),
    )


def sum_totals(*, capitals: list[Capital], parts: Iterable[SheetTotals]) -> SheetTotals:
    """The totals of several sheets added together, capital by capital."""
    result = SheetTotals(capitals=[CapitalTotals(capital=capital) for capital in capitals])
    for part in parts:
        for total, other in zip(result.capitals, part.capitals, strict=True):
            total.assets += other.assets
            total.liabilities += other.liabilities
    return result


@dataclass
class CapitalSection:
    capital: Capital
    totals: CapitalTotals
    assets: list[BalanceSheetLine] = field(default_factory=list)
    liabilities: list[BalanceSheetLine] = field(default_factory=list)

    @property
    def lines(self) -> list[BalanceSheetLine]:
        return [*self.assets, *self.liabilities]


@dataclass
class SheetDetail:
    """A sheet with its lines by capital, totals, the year before, and its other versions."""

    sheet: BalanceSheet
    sections: list[CapitalSection]
    totals: SheetTotals
    previous: BalanceSheet | None
    versions: list[BalanceSheet]  # every published version of the area's year, oldest first

    @property
    def current(self) -> BalanceSheet:
        return self.versions[-1] if self.versions else self.sheet

    @property
    def is_current(self) -> bool:
        return self.current.pk == self.sheet.pk

    @property
    def restated_by(self) -> BalanceSheet | None:
        later = [v for v in self.versions if v.version > self.sheet.version]
        return later[0] if later else None

    @property
    def earlier_versions(self) -> list[BalanceSheet]:
        return [v for v in self.versions if v.version < self.sheet.version]

    @property
    def lines(self) -> list[BalanceSheetLine]:
        return [line for section in self.sections for line in section.lines]

    @property
    def illustrative(self) -> bool:
        return any(line.proxy and line.proxy.is_illustrative for line in self.lines)


def _lines(sheet_ids) -> QuerySet[BalanceSheetLine]:
    return (
        BalanceSheetLine.objects.filter(sheet__in=sheet_ids)
        .select_related("indicator", "indicator__capital", "proxy")
        .order_by(
            "indicator__capital__order",
            "indicator__side",
            "indicator__order",
            "indicator__name",
            "pk",
        )
    )


def _detail_from(
    sheet: BalanceSheet, lines: list[BalanceSheetLine], capitals: list[Capital]
) -> SheetDetail:
    totals = totals_from(
        capitals=capitals,
        rows=((line.indicator.capital_id, line.indicator.side, line.value) for line in lines),
    )
    sections = {c.capital.pk: CapitalSection(capital=c.capital, totals=c) for c in totals.capitals}
    for line in lines:
        section = sections[line.indicator.capital_id]
        side = section.liabilities if line.indicator.side == Side.LIABILITY else section.assets
        side.append(line)
    return SheetDetail(
        sheet=sheet, sections=list(sections.values()), totals=totals, previous=None, versions=[]
    )


def sheet_detail(*, sheet: BalanceSheet, capitals: list[Capital] | None = None) -> SheetDetail:
    """Lines grouped by capital (assets, then liabilities) and the totals summed from them."""
    capitals = capitals if capitals is not None else list(capital_list())
    return _detail_from(sheet, list(_lines([sheet.pk])), capitals)


def _area_filter(council: Council, slug: str) -> Q:
    if slug == BOROUGH_SLUG:
        return Q(council=council, neighbourhood__isnull=True)
    return Q(council=council, neighbourhood__slug=slug)


def published_sheet_detail(
    *, council: Council, year: int, slug: str, version: int | None = None
) -> SheetDetail | None:
    """An area's published sheet for a year (the current version, or the version asked for),
    with the previous year's current published sheet for the change. None if not published.
    Five queries."""
    versions = list(
        sheets_published()
        .filter(_area_filter(council, slug), year__in=[year, year - 1])
        .select_related("council", "neighbourhood", "restates")
        .order_by("year", "version")
    )
    this_year = [sheet for sheet in versions if sheet.year == year]
    if not this_year:
        return None
    sheet = (
        this_year[-1]
        if version is None
        else next((s for s in this_year if s.version == version), None)
    )
    if sheet is None:
        return None
    before = [sheet for sheet in versions if sheet.year != year]
    previous = before[-1] if before else None
    capitals = list(capital_list())
    # One query for the lines of both years, so the page reads as much with a year before as
    # without one.
    lines = list(_lines([sheet.pk, *([previous.pk] if previous else [])]))
    detail = _detail_from(sheet, [line for line in lines if line.sheet_id == sheet.pk], capitals)
    if previous is not None:
        earlier = [line for line in lines if line.sheet_id == previous.pk]
        _with_previous(detail.totals, _detail_from(previous, earlier, capitals).totals)
    detail.previous = previous
    detail.versions = this_year
    return detail


# The officers' editor


def sheet_list_manage(*, council: Council, year: int | None = None) -> QuerySet[BalanceSheet]:
    """Every sheet, newest year first, with its number of lines and net £ value."""
    sheets = BalanceSheet.objects.filter(council=council)
    if year is not None:
        sheets = sheets.filter(year=year)
    return (
        sheets.select_related("neighbourhood", "council")
        .annotate(
            line_count=Count("lines"),
            asset_total=Sum("lines__value", filter=Q(lines__indicator__side=Side.ASSET)),
            liability_total=Sum("lines__value", filter=Q(lines__indicator__side=Side.LIABILITY)),
        )
        .order_by("-year", F("neighbourhood__order").asc(nulls_last=True), "-version")
    )


def sheet_list_manage_page(
    *, council: Council, year: int | None = None, page_number: str | int | None, per_page: int = 25
) -> Page:
    return Paginator(sheet_list_manage(council=council, year=year), per_page).get_page(page_number)


def sheet_years(*, council: Council) -> list[int]:
    return list(
        BalanceSheet.objects.filter(council=council)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def sheet_get_manage(*, council: Council, pk: int) -> BalanceSheet | None:
    return (
        BalanceSheet.objects.filter(council=council, pk=pk)
        .select_related(
            "council",
            "neighbourhood",
            "restates",
            "created_by",
            "submitted_by",
            "validated_by",
            "returned_by",
            "published_by",
        )
        .first()
    )


def sheet_line_get(*, sheet: BalanceSheet, pk: int) -> BalanceSheetLine | None:
    return (
        BalanceSheetLine.objects.filter(sheet=sheet, pk=pk)
        .select_related("indicator", "indicator__capital", "proxy")
        .first()
    )


def sheet_history_page(
    *, sheet: BalanceSheet, page_number: str | int | None, per_page: int = 20
) -> Page:
    events = BalanceSheetEvent.objects.filter(sheet=sheet).select_related("actor", "indicator")
    return Paginator(events.order_by("-created_at", "-pk"), per_page).get_page(page_number)


def sheet_history_recent(*, sheet: BalanceSheet, limit: int = 5) -> list[BalanceSheetEvent]:
    return list(
        BalanceSheetEvent.objects.filter(sheet=sheet)
        .select_related("actor", "indicator")
        .order_by("-created_at", "-pk")[:limit]
    )


def indicators_for_choice(*, sheet: BalanceSheet | None = None) -> list[tuple[str, list]]:
    """Active indicators grouped by capital, for a select's option groups, each with the proxy
    a sheet of that year would use. Indicators the sheet already counts are left out."""
    indicators = Indicator.objects.filter(is_active=True).select_related("capital")
    if sheet is not None:
        indicators = indicators.exclude(lines__sheet=sheet)
        proxies = ProxyValue.objects.filter(price_year__lte=sheet.year).order_by("-price_year")
        indicators = indicators.prefetch_related(
            Prefetch("proxies", queryset=proxies, to_attr="usable_proxies")
        )
    groups: dict[int, tuple[Capital, list[Indicator]]] = {}
    for indicator in indicators.order_by("capital__order", "side", "order", "name"):
        groups.setdefault(indicator.capital_id, (indicator.capital, []))[1].append(indicator)
    return [(capital.name, members) for capital, members in groups.values()]


def indicator_library() -> QuerySet[Indicator]:
    """The indicator library with every proxy value, newest price year first."""
    return (
        Indicator.objects.select_related("capital")
        .prefetch_related(Prefetch("proxies", queryset=ProxyValue.objects.order_by("-price_year")))
        .order_by("capital__order", "side", "order", "name")
    )


# --- The staff home: sheets waiting for their next step ---------------------------------------


@dataclass(frozen=True)
class SheetsWaiting:
    """Open sheets at each step, counted in the database, with the `shown` latest of each status
    (returned ones carry the CWB Group's comments on the sheet itself)."""

    to_submit: int  # draft or returned
    to_validate: int  # submitted
    to_publish: int  # validated
    by_status: dict[str, list[BalanceSheet]] = field(default_factory=dict)

    def sheets(self, *statuses: str) -> list[BalanceSheet]:
        return [sheet for status in statuses for sheet in self.by_status.get(status, [])]


def sheets_waiting(*, council: Council, shown: int = 5) -> SheetsWaiting:
    """Two queries, whatever the number of sheets: the counts, then the latest few per status."""
    open_statuses = [
        SheetStatus.DRAFT,
        SheetStatus.RETURNED,
        SheetStatus.SUBMITTED,
        SheetStatus.VALIDATED,
    ]
    sheets = BalanceSheet.objects.filter(council=council, status__in=open_statuses)
    counts = sheets.aggregate(
        to_submit=Count("pk", filter=Q(status__in=[SheetStatus.DRAFT, SheetStatus.RETURNED])),
        to_validate=Count("pk", filter=Q(status=SheetStatus.SUBMITTED)),
        to_publish=Count("pk", filter=Q(status=SheetStatus.VALIDATED)),
    )
    latest = (
        sheets.select_related("council", "neighbourhood")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("status")],
                order_by=[F("year").desc(), F("neighbourhood__order").asc(nulls_first=True)],
            )
        )
        .filter(rank__lte=shown)
        .order_by("-year", F("neighbourhood__order").asc(nulls_first=True))
    )
    by_status: dict[str, list[BalanceSheet]] = defaultdict(list)
    for sheet in latest:
        by_status[sheet.status].append(sheet)
    return SheetsWaiting(**counts, by_status=dict(by_status))
