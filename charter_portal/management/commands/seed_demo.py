from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.trail import trail_command
from balancesheets.demo import demo_balance_sheets_ensure
from charter_portal.demo import demo_users_ensure
from charter_portal.reference_data import DEFAULT_REFERENCE_FILE, reference_data_load
from metrics.demo import demo_metrics_ensure
from metrics.spend.demo import demo_spend_ensure
from pledges.demo import demo_pledges_ensure


class Command(BaseCommand):
    help = "Load the reference data and demo users so that `make run` shows a working portal."

    def add_arguments(self, parser):
        parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE_FILE)
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even with DEBUG off. Demo users have published passwords: never in live.",
        )

    @trail_command("seed_demo")
    def handle(self, *args, reference: Path, allow_production: bool, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError("seed_demo creates users with published passwords; DEBUG is off.")
        council = reference_data_load(path=reference)
        logins = demo_users_ensure(council=council)
        # Spend first: it loads the sample postcode lookup, where the demo pledgers live.
        demo_spend_ensure(council=council)
        pledges = demo_pledges_ensure(council=council)
        demo_balance_sheets_ensure(council=council)
        # Last: computed metrics read the spend, pledges and balance sheets made above.
        demo_metrics_ensure(council=council)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready for {council}: {pledges} pledges."))
        self.stdout.write(
            "Demo logins (sign in at /sign-in/). Each account's first sign-in sets up an "
            "authenticator app (any TOTP app on a phone, or a password manager's): scan the QR "
            "code or type the key shown, and keep the recovery codes."
        )
        for login in logins:
            self.stdout.write(f"  {login.username} / {login.password}  ({login.description})")
