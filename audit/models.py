"""The records kept about how the portal's data is handled: who saw personal data, and what
was done for a data subject. The trail of every staff change is kept by database triggers
(django-pghistory), in event tables beside each tracked model.

This is the base layer: records point at what they concern by content type and ids, never by a
foreign key to an app above, and hold no email address (a keyed hash where one must be matched).
"""

import pghistory
import pghistory.models
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from audit.trail import trail_event_model


class PersonalDataView(models.Model):
    """Each time someone saw personal data: who, when, what (object type and ids, or a
    neighbourhood's contact list), how (viewed, exported, searched) and about how many people."""

    class How(models.TextChoices):
        VIEWED = "viewed", "Viewed"
        EXPORTED = "exported", "Exported"
        SEARCHED = "searched", "Searched"

    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    viewed_at = models.DateTimeField(auto_now_add=True, db_index=True)
    how = models.CharField(max_length=10, choices=How.choices)
    what = models.CharField(
        max_length=200, help_text='What was seen, e.g. "Contact list: Bedwell and Pin Green".'
    )
    object_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    object_ids = ArrayField(models.PositiveBigIntegerField(), default=list, blank=True)
    people = models.PositiveIntegerField(help_text="How many people's details were shown.")
    search_term_hash = models.CharField(
        max_length=64,
        blank=True,
        help_text="Keyed hash of the search term, so a person's searches can be found for them "
        "without keeping what was typed.",
    )

    class Meta:
        ordering = ["-viewed_at", "-pk"]
        verbose_name = "view of personal data"
        verbose_name_plural = "views of personal data"
        indexes = [models.Index(fields=["object_type", "viewed_at"], name="audit_view_type_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(how__in=["viewed", "exported", "searched"]),
                name="audit_view_how_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.viewer} {self.get_how_display().lower()} {self.what}"


class SubjectRequest(models.Model):
    """A data subject's request acted on: an export of, or the erasure of, everything held
    about an email address. Keeps a keyed hash of the address, never the address."""

    class Kind(models.TextChoices):
        EXPORT = "export", "Subject access export"
        ERASURE = "erasure", "Erasure"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    address_hash = models.CharField(max_length=64, db_index=True)
    counts = models.JSONField(default=dict, help_text="How many records each part held/erased.")
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "data subject request"
        permissions = [
            ("export_subject_data", "Can export everything held about an email address"),
            ("erase_subject_data", "Can erase everything held about an email address"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["export", "erasure"]), name="audit_subject_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%d %b %Y %H:%M})"


class ConsentChange(models.Model):
    """A change to a person's consent (show their name, be contacted) made for them by staff,
    with the reason they were told. Changes the person makes themselves are theirs to make."""

    object_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)
    changes = models.JSONField(help_text='{"field": [before, after]}')
    reason = models.TextField()

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_consent_obj_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="audit_consent_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Consent changed by {self.actor} ({self.changed_at:%d %b %Y %H:%M})"


# --- The audit trail of accounts and roles (audit.trail) ------------------------------------
# auth's User and Group are Django's models: their triggers are declared on proxies here, so
# this app's migrations install them (never a migration inside Django), and the event models
# point at the real tables. The password hash and the last sign-in time are left out (a secret;
# noise on every sign-in).
class TrackedUser(User):
    class Meta:
        proxy = True
        app_label = "audit"


class TrackedGroup(Group):
    class Meta:
        proxy = True
        app_label = "audit"


class TrackedUserGroup(User.groups.through):
    class Meta:
        proxy = True
        app_label = "audit"


class TrackedUserPermission(User.user_permissions.through):
    class Meta:
        proxy = True
        app_label = "audit"


class TrackedGroupPermission(Group.permissions.through):
    class Meta:
        proxy = True
        app_label = "audit"


def _object(model: type[models.Model]) -> models.ForeignKey:
    return models.ForeignKey(
        model, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )


class UserEvent(
    trail_event_model(TrackedUser, exclude=["password", "last_login"], model_name="UserEvent")
):
    pgh_obj = _object(User)


class GroupEvent(trail_event_model(TrackedGroup, model_name="GroupEvent")):
    pgh_obj = _object(Group)


class UserGroupEvent(trail_event_model(TrackedUserGroup, model_name="UserGroupEvent")):
    """Who was put in or taken out of which group (a role)."""

    pgh_obj = _object(User.groups.through)


class UserPermissionEvent(
    trail_event_model(TrackedUserPermission, model_name="UserPermissionEvent")
):
    """A permission given to or taken from one user directly."""

    pgh_obj = _object(User.user_permissions.through)


class GroupPermissionEvent(
    trail_event_model(TrackedGroupPermission, model_name="GroupPermissionEvent")
):
    """A permission given to or taken from a group (a role)."""

    pgh_obj = _object(Group.permissions.through)


class TrailEvents(pghistory.models.Events):
    """Every event of every event table, with who, where and why from its context: the
    searchable trail behind the admin's audit pages (read only)."""

    user = pghistory.ProxyField(
        "pgh_context__user",
        models.ForeignKey(
            settings.AUTH_USER_MODEL,
            on_delete=models.DO_NOTHING,
            null=True,
            related_name="+",
            db_constraint=False,
            help_text="Who made the change (the signed-in user).",
        ),
    )
    url = pghistory.ProxyField("pgh_context__url", models.TextField(null=True))
    command = pghistory.ProxyField("pgh_context__command", models.TextField(null=True))
    reason = pghistory.ProxyField("pgh_context__reason", models.TextField(null=True))

    class Meta:
        proxy = True
        verbose_name = "audit trail event"
        verbose_name_plural = "audit trail"
