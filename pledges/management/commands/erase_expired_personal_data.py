from django.conf import settings
from django.core.management.base import BaseCommand

from audit.trail import trail_command
from pledges.services import personal_data_retention_apply


class Command(BaseCommand):
    help = (
        "Erase personal data past its retention period: unconfirmed pledges after "
        "PLEDGE_RETENTION_UNCONFIRMED_DAYS, rejected or withdrawn ones after "
        "PLEDGE_RETENTION_CLOSED_DAYS. Run it daily."
    )

    @trail_command("erase_expired_personal_data")
    def handle(self, *args, **options):
        result = personal_data_retention_apply()
        self.stdout.write(
            f"Erased personal data of {result.unconfirmed} unconfirmed pledge(s) older than "
            f"{settings.PLEDGE_RETENTION_UNCONFIRMED_DAYS} days and {result.closed} rejected or "
            f"withdrawn pledge(s) older than {settings.PLEDGE_RETENTION_CLOSED_DAYS} days."
        )
