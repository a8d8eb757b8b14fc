"""The staff roles: their group names, and how a declared map of permissions is applied to them.

Which role may do what is declared once, in `charter_portal.roles.ROLE_PERMISSIONS` (the top
layer, because it names every app's permissions); code that asks "is this user in the CWB Group?"
uses the names here.
"""

from collections.abc import Iterable, Mapping

from django.db import DEFAULT_DB_ALIAS, transaction

OFFICERS = "Officers"
COUNCILLORS = "Councillors"
CWB_GROUP = "CWB Group"
# Named staff who answer data subjects: they see personal data wherever it is, read the log of
# who saw it, and export or erase everything held about an email address.
DATA_PROTECTION = "Data protection"
ROLES = (OFFICERS, COUNCILLORS, CWB_GROUP, DATA_PROTECTION)


def role_addresses(role: str, *, excluding=None) -> list[str]:
    """The email addresses of a role's active members who have one: whom its emails go to.
    `excluding`: a user not to tell (the one who did what the email is about)."""
    from django.contrib.auth.models import User

    own = excluding.email.casefold() if excluding is not None and excluding.email else None
    addresses = set(
        User.objects.filter(groups__name=role, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    return sorted(address for address in addresses if address.casefold() != own)


def roles_apply(
    role_permissions: Mapping[str, Iterable[str]], *, using: str = DEFAULT_DB_ALIAS
) -> None:
    """Make each named group hold exactly its listed "app_label.codename" permissions.

    Idempotent: creates missing groups, adds and removes permissions; groups not in the map (made
    by hand in admin) are left alone. An unknown permission raises LookupError, so a typo or a
    renamed model fails the migrate instead of silently granting less.
    """
    from django.contrib.auth.models import Group, Permission

    wanted = {group: set(names) for group, names in role_permissions.items()}
    known = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.using(using).values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    missing = sorted(set().union(*wanted.values()) - known.keys())
    if missing:
        raise LookupError(f"Unknown permissions in the roles map: {missing}")
    with transaction.atomic(using=using):
        for group_name, names in wanted.items():
            group, _ = Group.objects.using(using).get_or_create(name=group_name)
            group.permissions.set([known[name] for name in names])
