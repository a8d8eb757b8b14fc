from django.db.models import QuerySet

from pledges.models import Benefit, Commitment


def commitment_list_active() -> QuerySet[Commitment]:
    return (
        Commitment.objects.filter(is_active=True)
        .select_related("foundation")
        .order_by("benefit", "order", "title")
    )


def commitments_by_benefit() -> list[tuple[str, list[Commitment]]]:
    """Active commitments grouped under each benefit's label, in the Charter's order."""
    commitments = list(commitment_list_active())
    return [
        (benefit.label, [c for c in commitments if c.benefit == benefit.value])
        for benefit in Benefit
    ]
