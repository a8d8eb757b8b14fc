from django.db import models


class ScheduledRun(models.Model):
    """When a scheduled job (e.g. the daily housekeeping) last started, so that it runs once per
    interval whatever the number of workers and however often they restart."""

    name = models.CharField(max_length=100, primary_key=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True, help_text="What the last run reported, or its error.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
