from django.conf import settings
from django.core.management.base import BaseCommand

from audit.trail import trail_command
from charter_portal.housekeeping import housekeeping_run


class Command(BaseCommand):
    help = (
        "Daily housekeeping: erase personal data past its retention period "
        "(PLEDGE_RETENTION_*_DAYS), shorten abandoned pledge journeys' sessions to "
        "PLEDGE_JOURNEY_SESSION_MAX_AGE and delete expired sessions. Run it once a day (the "
        "background worker does)."
    )

    @trail_command("housekeeping")
    def handle(self, *args, **options):
        result = housekeeping_run()
        self.stdout.write(
            f"Erased personal data of {result.retention.unconfirmed} unconfirmed pledge(s) older "
            f"than {settings.PLEDGE_RETENTION_UNCONFIRMED_DAYS} days and "
            f"{result.retention.closed} rejected or withdrawn pledge(s) older than "
            f"{settings.PLEDGE_RETENTION_CLOSED_DAYS} days. Shortened "
            f"{result.journeys_shortened} abandoned journey session(s); deleted "
            f"{result.sessions_deleted} expired session(s)."
        )
