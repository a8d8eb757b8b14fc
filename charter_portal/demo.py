"""Demo users for `make run`: one per staff role, with well-known passwords (development only)."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from core.roles import COUNCILLORS, CWB_GROUP, DATA_PROTECTION, OFFICERS
from neighbourhoods.models import Council, Membership
from neighbourhoods.services import membership_grant


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    description: str


@transaction.atomic
def demo_users_ensure(*, council: Council) -> list[DemoLogin]:
    """Create or reset the demo officer, councillor and CWB Group validator. Idempotent."""
    first_neighbourhood = council.neighbourhoods.order_by("order", "name").first()
    logins = [
        (
            DemoLogin(
                "officer",
                "officer-demo-pass",
                f"council officer working in {first_neighbourhood}: curates data in admin, "
                "sees that neighbourhood's pledgers' contact details",
            ),
            OFFICERS,
            True,
        ),
        (
            DemoLogin(
                "dataprotection",
                "dataprotection-demo-pass",
                "data protection officer: reads who saw personal data, exports or erases it",
            ),
            DATA_PROTECTION,
            True,
        ),
        (
            DemoLogin(
                "councillor",
                "councillor-demo-pass",
                f"ward councillor for {first_neighbourhood}: reads its dashboard",
            ),
            COUNCILLORS,
            False,
        ),
        (
            DemoLogin("validator", "validator-demo-pass", "CWB Group member: validates figures"),
            CWB_GROUP,
            True,
        ),
        (
            DemoLogin("admin", "admin-demo-pass", "system administrator: manages users and roles"),
            None,
            True,
        ),
    ]
    User = get_user_model()
    for login, group_name, is_staff in logins:
        user, _ = User.objects.get_or_create(username=login.username)
        user.first_name = login.username.capitalize()
        user.last_name = "(demo)"
        user.email = f"{login.username}@example.invalid"
        user.is_staff = is_staff or group_name is None
        user.is_superuser = group_name is None
        user.is_active = True
        user.set_password(login.password)
        user.save()
        user.groups.set(Group.objects.filter(name=group_name))
        if group_name == COUNCILLORS and first_neighbourhood:
            membership_grant(
                user=user, neighbourhood=first_neighbourhood, role=Membership.Role.COUNCILLOR
            )
        if group_name == OFFICERS and first_neighbourhood:
            # Contact details are for a neighbourhood's own officers (decision 0027).
            membership_grant(
                user=user, neighbourhood=first_neighbourhood, role=Membership.Role.OFFICER
            )
    return [login for login, _, _ in logins]
