from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q

from audit.trail import trail_event_model


class Council(models.Model):
    """The council running this deployment: every council-specific fact is here, not in code."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    area_name = models.CharField(
        max_length=100, help_text='The place as residents call it, e.g. "Stevenage".'
    )
    service_name = models.CharField(
        max_length=200, help_text='Shown in the header, e.g. "Stevenage Inclusive Economy Charter".'
    )
    ons_code = models.CharField(
        "ONS local authority district code", max_length=9, blank=True, help_text="e.g. E07000243"
    )
    county_name = models.CharField(max_length=200, blank=True)
    county_ons_code = models.CharField(max_length=9, blank=True)
    local_postcode_prefixes = ArrayField(
        models.CharField(max_length=4),
        default=list,
        blank=True,
        help_text="Whole outward codes (e.g. SG1, SG2) used when a postcode is not in the lookup.",
    )
    website = models.URLField(blank=True)
    contact_email = models.EmailField(help_text="The programme team's public address.")
    feedback_email = models.EmailField(help_text="Where feedback on this service goes.")
    data_protection_email = models.EmailField(help_text="The data protection officer's address.")
    accessibility_email = models.EmailField(help_text="Where accessibility problems are reported.")
    telephone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Neighbourhood(models.Model):
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="neighbourhoods")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["council", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["council", "slug"], name="neighbourhood_unique_slug"),
            models.UniqueConstraint(fields=["council", "name"], name="neighbourhood_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Ward(models.Model):
    """An electoral ward in one vintage of boundaries; officers correct membership in admin."""

    name = models.CharField(max_length=200)
    ons_code = models.CharField("ONS ward code", max_length=9, blank=True)
    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.PROTECT, related_name="wards")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True, help_text="Empty while the ward exists.")

    class Meta:
        ordering = ["name", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["name", "valid_from"], name="ward_unique_name_vintage"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="ward_valid_to_after_valid_from",
            ),
        ]

    def __str__(self) -> str:
        if self.valid_to:
            return f"{self.name} (until {self.valid_to:%-d %B %Y})"
        return self.name


class Membership(models.Model):
    """Links a user to a neighbourhood as its ward councillor or as an officer working in it."""

    class Role(models.TextChoices):
        COUNCILLOR = "councillor", "Councillor"
        OFFICER = "officer", "Officer"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="neighbourhood_memberships"
    )
    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        ordering = ["neighbourhood", "role", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "neighbourhood", "role"], name="membership_unique_role"
            ),
            models.CheckConstraint(
                condition=Q(role__in=["councillor", "officer"]), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.neighbourhood}"


class PostcodeLookup(models.Model):
    """One postcode from an ONS Postcode Directory (ONSPD/NSPL) extract: its ward and district."""

    postcode = models.CharField(
        max_length=8, unique=True, help_text="Normalised: upper case, one space, e.g. SG1 1HN."
    )
    ward = models.ForeignKey(
        Ward, null=True, blank=True, on_delete=models.SET_NULL, related_name="postcodes"
    )
    lad_code = models.CharField(
        "ONS local authority district code", max_length=9, blank=True, help_text="e.g. E07000243"
    )
    terminated = models.DateField(
        null=True, blank=True, help_text="When Royal Mail stopped using it (ONSPD doterm)."
    )

    class Meta:
        ordering = ["postcode"]
        constraints = [
            # Lookups compare stored postcodes as strings, so only the canonical form may be stored.
            models.CheckConstraint(
                condition=Q(postcode__regex=r"^[A-Z0-9]{2,4} [0-9][A-Z]{2}$"),
                name="postcodelookup_postcode_normalised",
            ),
        ]

    def __str__(self) -> str:
        return self.postcode


# The audit trail (audit.trail): who was given or lost a neighbourhood, by whom.
class MembershipEvent(trail_event_model(Membership)):
    pass
