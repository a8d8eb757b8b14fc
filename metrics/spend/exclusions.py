"""Influenceable spend: the rules that leave payments out of it, read once and applied in the
database (decision 0034).

CLES and Preston measure the local share of *influenceable* spend: a payment no buying decision
could make local (to another public body, a precept, a levy, a tax, a benefit or grant passed
through) is left out of that share, and what was left out is shown by rule. The rules are data
(`SpendExclusionRule`, with the register of public bodies, `PublicBody`), edited by officers in
admin and loaded from the council's reference file.

How a rule matches a payment:

- "public body": the payment's supplier has the normalised name (metrics.spend.names) of a name
  of a body of the rule's kind in the register;
- "supplier": the payment's supplier is the rule's supplier;
- "expense type is": the payment's expense type equals the rule's text, ignoring case (both as
  stored: the import trims them);
- "expense type contains": the payment's expense type holds the rule's text, ignoring case, as
  plain text (no wildcards).

A payment several rules match counts under the first, by position and then the oldest rule, so
the totals by rule add up to the total left out. The active rules are read in one query and
become one SQL `CASE` over the payment (`SpendExclusions.excluded_by()`; a public-body rule as
the suppliers the register holds under its names, read with the rules): each page that shows
influenceable figures runs that read once, and groups its spend by the `CASE` so that it is
worked out once per payment (metrics.spend.sources.spend_groups).
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db import transaction
from django.db.models import Case, IntegerField, OuterRef, Q, Value, When

from metrics.spend.models import (
    ExclusionMatch,
    PublicBody,
    PublicBodyKind,
    PublicBodyName,
    SpendExclusionRule,
    Supplier,
)
from metrics.spend.names import supplier_name_normalise


@dataclass(frozen=True)
class ExclusionRuleRead:
    pk: int
    name: str
    reason: str
    match: str
    text: str = ""
    supplier_id: int | None = None
    names: tuple[str, ...] = ()  # the normalised names a public-body rule covers
    supplier_ids: tuple[int, ...] = ()  # the suppliers on the register with one of those names

    def condition(self, prefix: str = "") -> Q | None:
        """The rule as a filter on payments (reached through `prefix`); None: matches nothing."""
        if self.match == ExclusionMatch.PUBLIC_BODY:
            if not self.supplier_ids:
                return None
            return Q(**{f"{prefix}supplier_id__in": list(self.supplier_ids)})
        if self.match == ExclusionMatch.SUPPLIER:
            return Q(**{f"{prefix}supplier_id": self.supplier_id})
        if self.match == ExclusionMatch.EXPENSE_TYPE_IS:
            return Q(**{f"{prefix}expense_type__iexact": self.text})
        if self.match == ExclusionMatch.EXPENSE_TYPE_CONTAINS:
            return Q(**{f"{prefix}expense_type__icontains": self.text})
        return None


@dataclass(frozen=True)
class SpendExclusions:
    rules: tuple[ExclusionRuleRead, ...] = ()

    def excluded_by(self, prefix: str = "") -> Case | Value:
        """The pk of the first rule a payment matches, or NULL when it is influenceable."""
        whens = []
        for rule in self.rules:
            condition = rule.condition(prefix)
            if condition is not None:
                whens.append(When(condition, then=Value(rule.pk)))
        if not whens:
            return Value(None, output_field=IntegerField())
        return Case(*whens, default=Value(None), output_field=IntegerField())

    def rule(self, pk: int) -> ExclusionRuleRead | None:
        return next((rule for rule in self.rules if rule.pk == pk), None)


def spend_exclusions() -> SpendExclusions:
    """The active rules, in the order they are tried, with each public-body rule's names and
    the suppliers the register holds under them: one query."""
    names = PublicBodyName.objects.filter(body__kind=OuterRef("public_body_kind"))
    suppliers = Supplier.objects.filter(
        normalised_name__in=PublicBodyName.objects.filter(
            body__kind=OuterRef(OuterRef("public_body_kind"))
        ).values("normalised_name")
    )
    rows = (
        SpendExclusionRule.objects.filter(active=True)
        .annotate(
            names=ArraySubquery(names.order_by("normalised_name").values("normalised_name")),
            supplier_ids=ArraySubquery(suppliers.order_by("pk").values("pk")),
        )
        .order_by("position", "pk")
        .values("pk", "name", "reason", "match", "text", "supplier_id", "names", "supplier_ids")
    )
    return SpendExclusions(
        rules=tuple(
            ExclusionRuleRead(
                pk=row["pk"],
                name=row["name"],
                reason=row["reason"],
                match=row["match"],
                text=row["text"],
                supplier_id=row["supplier_id"],
                names=tuple(row["names"] or ()),
                supplier_ids=tuple(row["supplier_ids"] or ()),
            )
            for row in rows
        )
    )


# --- Reference data: data/councils/<council>.toml -------------------------------------------


class ExclusionLoadError(ValueError):
    pass


@transaction.atomic
def spend_exclusions_load(*, public_bodies: list[dict[str, Any]], rules: list[dict[str, Any]]):
    """Load the register of public bodies (`[[public_bodies]]`: name, kind, names, notes) and
    the exclusion rules (`[[spend_exclusions]]`: name, reason, match, and kind, text or
    supplier as the match needs; position, active). Idempotent: a body or rule is found by its
    name and updated; names are added, never removed (an officer's additions stay)."""
    for entry in public_bodies:
        kind = entry.get("kind", "")
        if kind not in PublicBodyKind.values:
            raise ExclusionLoadError(f"Public body {entry.get('name')!r}: unknown kind {kind!r}")
        body, _ = PublicBody.objects.update_or_create(
            name=entry["name"], defaults={"kind": kind, "notes": entry.get("notes", "")}
        )
        for name in [entry["name"], *entry.get("names", [])]:
            normalised = supplier_name_normalise(name)
            if not PublicBodyName.objects.filter(normalised_name=normalised).exists():
                PublicBodyName(body=body, name=name).save()
    for position, entry in enumerate(rules, start=1):
        match = entry.get("match", "")
        if match not in ExclusionMatch.values:
            raise ExclusionLoadError(f"Exclusion {entry.get('name')!r}: unknown match {match!r}")
        supplier = None
        if match == ExclusionMatch.SUPPLIER:
            supplier = Supplier.objects.filter(
                normalised_name=supplier_name_normalise(entry.get("supplier", ""))
            ).first()
            if supplier is None:
                continue  # not paid yet: the rule waits until the supplier is on the register
        rule = SpendExclusionRule.objects.filter(name=entry["name"]).first() or SpendExclusionRule(
            name=entry["name"]
        )
        rule.reason = entry["reason"]
        rule.match = match
        rule.public_body_kind = entry.get("kind", "") if match == ExclusionMatch.PUBLIC_BODY else ""
        rule.text = entry.get("text", "")
        rule.supplier = supplier
        rule.position = entry.get("position", position * 10)
        rule.active = entry.get("active", True)
        rule.full_clean()
        rule.save()
