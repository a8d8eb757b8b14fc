from django.db import models
from django.db.models import Q

from metrics.models import Foundation


class Benefit(models.TextChoices):
    """The Charter's two benefits of a co-operative inclusive economy."""

    FAIRER_SOCIETY = "fairer_society", "A fairer society"
    RESILIENT_ECONOMY = "resilient_economy", "A more resilient economy"


class Commitment(models.Model):
    """One of the Charter's actions that a pledger can commit to."""

    code = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=200, unique=True)
    benefit = models.CharField(max_length=30, choices=Benefit.choices)
    foundation = models.ForeignKey(Foundation, on_delete=models.PROTECT, related_name="commitments")
    help_text = models.TextField(blank=True, help_text="Shown under the option when pledging.")
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(
        default=True, help_text="Inactive commitments stay on old pledges but are not offered."
    )

    class Meta:
        ordering = ["benefit", "order", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(benefit__in=Benefit.values), name="commitment_benefit_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title
