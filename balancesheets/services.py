"""Writes for Community Balance Sheets. Each function is one transaction and records who acted.

Lines change only while a sheet is a draft or has been returned; the workflow is
draft → submitted → validated (by a CWB Group member) → published, or submitted → returned →
submitted again. A published sheet is final: `balance_sheet_restate` starts a corrected version.
Every change is written to the sheet's history with what it was before and after.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from audit.trail import trail_reason
from balancesheets.models import (
    MAX_AMOUNT,
    BalanceSheet,
    BalanceSheetEvent,
    BalanceSheetLine,
    Capital,
    Indicator,
    ProxyValue,
    SheetAction,
    SheetStatus,
    money,
)
from balancesheets.notifications import (
    balance_sheet_returned_notify,
    balance_sheet_submitted_notify,
)
from balancesheets.workflows import (
    CREATE,
    EDIT,
    PUBLISH,
    RESTATE,
    RETURN,
    SHEET_WORKFLOW,
    SUBMIT,
    VALIDATE,
)
from core import clock
from core.periods import financial_year_label
from core.roles import CWB_GROUP
from neighbourhoods.models import Council, Neighbourhood

# Reference data


@transaction.atomic
def capitals_load(*, capitals: Sequence[Mapping[str, Any]]) -> list[Capital]:
    """Create or update capitals by code, in the order given. Idempotent."""
    loaded = []
    for order, data in enumerate(capitals, start=1):
        capital = Capital.objects.filter(code=data["code"]).first() or Capital(code=data["code"])
        capital.name = data["name"]
        capital.description = data.get("description", "")
        capital.order = data.get("order", order)
        capital.full_clean()
        capital.save()
        loaded.append(capital)
    return loaded


def _decimal(value: Any, *, what: str) -> Decimal:
    try:
        return Decimal(str(value).replace(",", "").replace("£", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(f"{what} is not an amount: {value!r}") from None


@transaction.atomic
def indicators_load(*, indicators: Sequence[Mapping[str, Any]]) -> list[Indicator]:
    """Create or update the indicator library by code, with each indicator's proxy values.

    Each item names its capital by code, so capitals must be loaded first. Idempotent. A proxy
    value is matched on (indicator, price year); one the council imported itself (not marked
    illustrative) is never overwritten by the reference file, so reloading the demo library
    cannot undo an officer's import.
    """
    capitals = {c.code: c for c in Capital.objects.all()}
    loaded = []
    for order, data in enumerate(indicators, start=1):
        indicator = Indicator.objects.filter(code=data["code"]).first()
        indicator = indicator or Indicator(code=data["code"])
        try:
            indicator.capital = capitals[data["capital"]]
        except KeyError:
            raise ValidationError(
                f"Indicator {data['code']} names an unknown capital {data['capital']!r}"
            ) from None
        indicator.name = data["name"]
        indicator.side = data["side"]
        indicator.unit = data["unit"]
        indicator.description = data.get("description", "")
        indicator.order = data.get("order", order)
        indicator.full_clean()
        indicator.save()
        for proxy_data in data.get("proxies", []):
            price_year = int(proxy_data["price_year"])
            proxy = ProxyValue.objects.filter(indicator=indicator, price_year=price_year).first()
            if proxy is not None and not proxy.is_illustrative:
                continue
            proxy = proxy or ProxyValue(indicator=indicator, price_year=price_year)
            proxy.value_per_unit = _decimal(proxy_data["value"], what="A proxy value")
            proxy.source = proxy_data["source"]
            proxy.is_illustrative = bool(proxy_data.get("illustrative", False))
            proxy.notes = proxy_data.get("notes", "")
            proxy.full_clean()
            proxy.save()
        loaded.append(indicator)
    return loaded


# Pricing


def proxy_applicable(*, indicator: Indicator, year: int) -> ProxyValue | None:
    """The proxy a sheet of financial year `year` uses: the latest price year not after it."""
    return (
        ProxyValue.objects.filter(indicator=indicator, price_year__lte=year)
        .order_by("-price_year")
        .first()
    )


def line_price(
    *,
    line: BalanceSheetLine,
    proxy: ProxyValue | None,
    entered_value: Decimal | None,
    override_reason: str,
) -> None:
    """Set a line's proxy, £ per unit and £ value: quantity times the proxy, unless the officer
    entered a different value, which needs a reason. Raises ValidationError by field."""
    priced = None
    if proxy is not None:
        priced = money(line.quantity * proxy.value_per_unit)
        if priced > MAX_AMOUNT:
            raise ValidationError(
                {"quantity": "The quantity is too large: its £ value would not fit the sheet"}
            )
    line.proxy = proxy
    line.unit_value = proxy.value_per_unit if proxy else None
    reason = override_reason.strip()
    if entered_value is None or entered_value == priced:
        line.value = priced
        line.value_overridden = False
        line.override_reason = ""
        return
    if not reason:
        raise ValidationError(
            {
                "override_reason": "Enter the reason for a £ value different from the "
                + ("quantity times the proxy value" if proxy else "proxy (there is none)")
            }
        )
    line.value = entered_value
    line.value_overridden = True
    line.override_reason = reason


# History


def _line_snapshot(line: BalanceSheetLine) -> dict[str, Any]:
    def text(value):
        return None if value is None else f"{value:.2f}"

    return {
        "indicator": line.indicator.code,
        "quantity": text(line.quantity),
        "unit_value": text(line.unit_value),
        "value": text(line.value),
        "value_overridden": line.value_overridden,
        "override_reason": line.override_reason,
        "evidence": line.evidence,
        "note": line.note,
    }


def _record(
    sheet: BalanceSheet,
    action: str,
    *,
    actor: User | None,
    line: BalanceSheetLine | None = None,
    indicator: Indicator | None = None,
    before: dict | None = None,
    after: dict | None = None,
    comment: str = "",
) -> BalanceSheetEvent:
    return BalanceSheetEvent.objects.create(
        sheet=sheet,
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        indicator=indicator or (line.indicator if line else None),
        before=before,
        after=after,
        comment=comment,
    )


# Roles


def user_is_validator(user: User | AnonymousUser | None) -> bool:
    """Only members of the CWB Group validate or return sheets (superusers included: no)."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.groups.filter(name=CWB_GROUP).exists()
    )


def user_can_publish(user: User | AnonymousUser | None) -> bool:
    return bool(user is not None and user.has_perm("balancesheets.publish_balancesheet"))


def user_can_edit(user: User | AnonymousUser | None) -> bool:
    return bool(user is not None and user.has_perm("balancesheets.change_balancesheet"))


def user_can_submit(user: User | AnonymousUser | None) -> bool:
    return bool(user is not None and user.has_perm("balancesheets.submit_balancesheet"))


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _locked(sheet: BalanceSheet) -> BalanceSheet:
    """The sheet, row-locked for the rest of the transaction, so two officers cannot race."""
    return (
        BalanceSheet.objects.select_for_update(of=("self",))
        .select_related("council", "neighbourhood")
        .get(pk=sheet.pk)
    )


def _editable(sheet: BalanceSheet, actor: User | None) -> BalanceSheet:
    """The sheet, locked, once the workflow allows `actor` to change its lines."""
    sheet = _locked(sheet)
    SHEET_WORKFLOW.check(EDIT, sheet, actor)
    return sheet


# Sheets and lines


@transaction.atomic
def balance_sheet_create(
    *,
    council: Council,
    neighbourhood: Neighbourhood | None,
    year: int,
    actor: User | None,
    copy_forward: bool = False,
) -> BalanceSheet:
    """Start an area's sheet for a financial year (version 1, a draft)."""
    SHEET_WORKFLOW.check(CREATE, None, actor)
    if BalanceSheet.objects.filter(
        council=council, neighbourhood=neighbourhood, year=year
    ).exists():
        raise ValidationError(
            f"{neighbourhood.name if neighbourhood else 'The whole borough'} already has a "
            f"balance sheet for {financial_year_label(year)}."
        )
    sheet = BalanceSheet(council=council, neighbourhood=neighbourhood, year=year, created_by=actor)
    sheet.full_clean()
    sheet.save()
    _record(sheet, SheetAction.CREATED, actor=actor)
    if copy_forward:
        balance_sheet_copy_forward(sheet=sheet, actor=actor)
    return sheet


@dataclass(frozen=True)
class LineInput:
    """What an officer enters for a line. `value` only when it differs from the proxy's."""

    quantity: Decimal
    value: Decimal | None = None
    override_reason: str = ""
    evidence: str = ""
    note: str = ""


def _fill(line: BalanceSheetLine, sheet: BalanceSheet, data: LineInput) -> None:
    line.quantity = data.quantity
    line.evidence = data.evidence.strip()
    line.note = data.note.strip()
    line_price(
        line=line,
        proxy=proxy_applicable(indicator=line.indicator, year=sheet.year),
        entered_value=data.value,
        override_reason=data.override_reason,
    )
    line.full_clean()


@transaction.atomic
def balance_sheet_line_add(
    *,
    sheet: BalanceSheet,
    indicator: Indicator,
    data: LineInput,
    actor: User | None,
) -> BalanceSheetLine:
    sheet = _editable(sheet, actor)
    if sheet.lines.filter(indicator=indicator).exists():
        raise ValidationError(
            {"indicator": "This sheet already has a line for that indicator: change that line"}
        )
    line = BalanceSheetLine(sheet=sheet, indicator=indicator)
    _fill(line, sheet, data)
    line.save()
    _record(sheet, SheetAction.LINE_ADDED, actor=actor, line=line, after=_line_snapshot(line))
    return line


@transaction.atomic
def balance_sheet_line_change(
    *, line: BalanceSheetLine, data: LineInput, actor: User | None
) -> BalanceSheetLine:
    sheet = _editable(line.sheet, actor)
    line = BalanceSheetLine.objects.select_related("indicator").get(pk=line.pk, sheet=sheet)
    before = _line_snapshot(line)
    _fill(line, sheet, data)
    after = _line_snapshot(line)
    if after != before:
        line.save()
        _record(sheet, SheetAction.LINE_CHANGED, actor=actor, line=line, before=before, after=after)
    return line


@transaction.atomic
def balance_sheet_line_remove(*, line: BalanceSheetLine, actor: User | None) -> None:
    sheet = _editable(line.sheet, actor)
    line = BalanceSheetLine.objects.select_related("indicator").get(pk=line.pk, sheet=sheet)
    _record(sheet, SheetAction.LINE_REMOVED, actor=actor, line=None, indicator=line.indicator,
            before=_line_snapshot(line))  # fmt: skip
    line.delete()


def sheet_previous_year(*, sheet: BalanceSheet) -> BalanceSheet | None:
    """The latest version of the same area's sheet for the year before, in any state."""
    return (
        BalanceSheet.objects.filter(
            council=sheet.council_id, neighbourhood=sheet.neighbourhood_id, year=sheet.year - 1
        )
        .order_by("-version")
        .first()
    )


@transaction.atomic
def balance_sheet_copy_forward(*, sheet: BalanceSheet, actor: User | None) -> int:
    """Copy last year's lines (indicator, quantity, evidence, note) onto this sheet as a start,
    for indicators it does not have yet; £ values are priced with this year's proxies, and
    values entered by hand last year are not carried. Returns how many lines were added."""
    sheet = _editable(sheet, actor)
    previous = sheet_previous_year(sheet=sheet)
    if previous is None:
        raise ValidationError(f"There is no sheet for {financial_year_label(sheet.year - 1)}.")
    have = set(sheet.lines.values_list("indicator_id", flat=True))
    added = 0
    for old in previous.lines.select_related("indicator").order_by("pk"):
        if old.indicator_id in have:
            continue
        line = BalanceSheetLine(sheet=sheet, indicator=old.indicator)
        _fill(line, sheet, LineInput(quantity=old.quantity, evidence=old.evidence, note=old.note))
        line.save()
        added += 1
    _record(
        sheet,
        SheetAction.COPIED_FORWARD,
        actor=actor,
        comment=f"{added} line{'s' if added != 1 else ''} copied from {previous}.",
    )
    return added


def _reprice(sheet: BalanceSheet, actor: User | None) -> int:
    """Re-price the lines whose proxy changed since they were entered (values entered by hand
    stay). Returns how many changed; each change is in the history."""
    changed = 0
    for line in sheet.lines.select_related("indicator").filter(value_overridden=False):
        proxy = proxy_applicable(indicator=line.indicator, year=sheet.year)
        current = proxy.value_per_unit if proxy else None
        if (proxy.pk if proxy else None) == line.proxy_id and current == line.unit_value:
            continue
        before = _line_snapshot(line)
        line_price(line=line, proxy=proxy, entered_value=None, override_reason="")
        line.full_clean()
        line.save()
        _record(sheet, SheetAction.REPRICED, actor=actor, line=line, before=before,
                after=_line_snapshot(line))  # fmt: skip
        changed += 1
    return changed


# Workflow


@transaction.atomic
def balance_sheet_submit(*, sheet: BalanceSheet, actor: User) -> BalanceSheet:
    """Send a draft or returned sheet to the CWB Group, priced with the current proxies."""
    sheet = _locked(sheet)
    SHEET_WORKFLOW.check(SUBMIT, sheet, actor)
    if not sheet.lines.exists():
        raise ValidationError("Add at least one line before submitting the sheet.")
    _reprice(sheet, actor)
    SHEET_WORKFLOW.apply(SUBMIT, sheet)
    sheet.submitted_at = clock.now()
    sheet.submitted_by = actor
    sheet.validated_at = sheet.validated_by = None
    sheet.full_clean()
    sheet.save()
    _record(sheet, SheetAction.SUBMITTED, actor=actor)
    balance_sheet_submitted_notify(sheet=sheet, actor=actor)
    return sheet


@transaction.atomic
def balance_sheet_validate(*, sheet: BalanceSheet, actor: User, comments: str = "") -> BalanceSheet:
    """A CWB Group member confirms a submitted sheet; not the officer who submitted it."""
    sheet = _locked(sheet)
    # Asked before the workflow's check, whose "allowed" also refuses the submitter, so that
    # they are told why rather than that only the CWB Group validates.
    if sheet.submitted_by_id == actor.pk and sheet.status == SheetStatus.SUBMITTED:
        raise ValidationError("You submitted this sheet, so another member of the CWB Group must "
                              "validate it.")  # fmt: skip
    SHEET_WORKFLOW.check(VALIDATE, sheet, actor)
    SHEET_WORKFLOW.apply(VALIDATE, sheet)
    sheet.validated_at = clock.now()
    sheet.validated_by = actor
    sheet.validation_comments = comments.strip()
    sheet.full_clean()
    sheet.save()
    _record(sheet, SheetAction.VALIDATED, actor=actor, comment=sheet.validation_comments)
    return sheet


@transaction.atomic
def balance_sheet_return(*, sheet: BalanceSheet, actor: User, comments: str) -> BalanceSheet:
    """A CWB Group member sends a submitted sheet back to the officers with comments."""
    sheet = _locked(sheet)
    SHEET_WORKFLOW.check(RETURN, sheet, actor, reason=comments)
    SHEET_WORKFLOW.apply(RETURN, sheet)
    sheet.returned_at = clock.now()
    sheet.returned_by = actor
    sheet.return_comments = comments.strip()
    sheet.full_clean()
    with trail_reason(f"Returned: {sheet.return_comments}"):
        sheet.save()
    _record(sheet, SheetAction.RETURNED, actor=actor, comment=sheet.return_comments)
    balance_sheet_returned_notify(sheet=sheet, actor=actor)
    return sheet


@transaction.atomic
def balance_sheet_publish(*, sheet: BalanceSheet, actor: User) -> BalanceSheet:
    """Publish a validated sheet. From now on it is never changed: corrections restate it."""
    sheet = _locked(sheet)
    SHEET_WORKFLOW.check(PUBLISH, sheet, actor)
    SHEET_WORKFLOW.apply(PUBLISH, sheet)
    sheet.published_at = clock.now()
    sheet.published_by = actor
    sheet.full_clean()
    sheet.save()
    _record(sheet, SheetAction.PUBLISHED, actor=actor)
    return sheet


@transaction.atomic
def balance_sheet_restate(*, sheet: BalanceSheet, actor: User | None, reason: str) -> BalanceSheet:
    """Start a corrected version of the latest published sheet, as restated accounts are: a new
    draft with the same lines, which goes through validation and publication again. The
    published version stays public until the restatement is published, and afterwards too."""
    sheet = _locked(sheet)
    SHEET_WORKFLOW.check(RESTATE, sheet, actor, reason=reason)
    latest = BalanceSheet.objects.filter(
        council=sheet.council_id, neighbourhood=sheet.neighbourhood_id, year=sheet.year
    ).aggregate(latest=Max("version"))["latest"]
    if latest != sheet.version:
        raise ValidationError("A newer version of this sheet exists: restate that one.")
    restated = BalanceSheet(
        council=sheet.council,
        neighbourhood=sheet.neighbourhood,
        year=sheet.year,
        version=sheet.version + 1,
        restates=sheet,
        restatement_reason=reason.strip(),
        created_by=actor,
    )
    restated.full_clean()
    with trail_reason(f"Restated: {restated.restatement_reason}"):
        restated.save()
    BalanceSheetLine.objects.bulk_create(
        BalanceSheetLine(
            sheet=restated,
            indicator_id=line.indicator_id,
            quantity=line.quantity,
            proxy_id=line.proxy_id,
            unit_value=line.unit_value,
            value=line.value,
            value_overridden=line.value_overridden,
            override_reason=line.override_reason,
            evidence=line.evidence,
            note=line.note,
        )
        for line in sheet.lines.order_by("pk")
    )
    _record(restated, SheetAction.RESTATED, actor=actor, comment=restated.restatement_reason)
    return restated


# The borough sheet


@dataclass(frozen=True)
class BoroughBuild:
    sheet: BalanceSheet
    used: list[BalanceSheet]
    missing: list[Neighbourhood]


def sheets_checked_for_year(*, council: Council, year: int) -> dict[int, BalanceSheet]:
    """Each neighbourhood's latest validated or published version for the year, by its id."""
    found: dict[int, BalanceSheet] = {}
    for sheet in (
        BalanceSheet.objects.filter(
            council=council,
            year=year,
            neighbourhood__isnull=False,
            status__in=[SheetStatus.VALIDATED, SheetStatus.PUBLISHED],
        )
        .select_related("neighbourhood")
        .order_by("neighbourhood_id", "-version")
    ):
        if sheet.neighbourhood_id is not None:  # always, by the filter: this narrows the type
            found.setdefault(sheet.neighbourhood_id, sheet)
    return found


def _area_of(sheet: BalanceSheet) -> Neighbourhood:
    """A neighbourhood sheet's area (only the borough's sheet has none)."""
    if sheet.neighbourhood is None:
        raise ValueError(f"Balance sheet {sheet.pk} is the borough's, not a neighbourhood's")
    return sheet.neighbourhood


@transaction.atomic
def borough_sheet_build(*, council: Council, year: int, actor: User) -> BoroughBuild:
    """Make (or remake) the whole-borough draft for a year as the sum of the neighbourhoods'
    validated or published sheets, line by line: quantities and £ values add up. A line whose
    summed value is not its summed quantity times the proxy (values entered by hand, or pennies
    of rounding) keeps the sum, with that as its reason."""
    _require(user_can_edit(actor), "You cannot change balance sheets.")
    open_sheet = (
        BalanceSheet.objects.filter(council=council, neighbourhood__isnull=True, year=year)
        .exclude(status__in=SHEET_WORKFLOW.final_states())
        .first()
    )
    if open_sheet is None:
        latest = (
            BalanceSheet.objects.filter(council=council, neighbourhood__isnull=True, year=year)
            .order_by("-version")
            .first()
        )
        if latest is not None:
            raise ValidationError(
                "The borough sheet for this year is published: restate it to rebuild it."
            )
        open_sheet = balance_sheet_create(
            council=council, neighbourhood=None, year=year, actor=actor
        )
    sheet = _editable(open_sheet, actor)

    sources = sheets_checked_for_year(council=council, year=year)
    neighbourhoods = list(council.neighbourhoods.order_by("order", "name"))
    missing = [n for n in neighbourhoods if n.pk not in sources]
    if not sources:
        raise ValidationError(
            f"No neighbourhood has a validated or published sheet for {financial_year_label(year)}."
        )
    totals: dict[int, dict[str, Any]] = {}
    for line in (
        BalanceSheetLine.objects.filter(sheet__in=[s.pk for s in sources.values()])
        .select_related("indicator")
        .order_by("pk")
    ):
        total = totals.setdefault(
            line.indicator_id,
            {"indicator": line.indicator, "quantity": Decimal(0), "value": None, "evidence": []},
        )
        total["quantity"] += line.quantity
        if line.value is not None:
            total["value"] = (total["value"] or Decimal(0)) + line.value

    sheet.lines.all().delete()
    used = sorted(sources.values(), key=lambda s: (_area_of(s).order, _area_of(s).name))
    evidence = "Sum of the neighbourhood sheets: " + "; ".join(
        f"{_area_of(s).name} (version {s.version})" for s in used
    )
    for total in totals.values():
        line = BalanceSheetLine(sheet=sheet, indicator=total["indicator"])
        _fill(
            line,
            sheet,
            LineInput(
                quantity=total["quantity"],
                value=total["value"],
                override_reason="The sum of the neighbourhood sheets' £ values",
                evidence=evidence,
            ),
        )
        line.save()
    comment = f"Built from {len(used)} of {len(neighbourhoods)} neighbourhood sheets."
    if missing:
        comment += " Not yet validated: " + ", ".join(n.name for n in missing) + "."
    _record(sheet, SheetAction.BUILT, actor=actor, comment=comment)
    return BoroughBuild(sheet=sheet, used=used, missing=missing)
