import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from balancesheets.models import Capital
from metrics.models import Foundation
from neighbourhoods.models import Council, Membership, Neighbourhood, Ward
from pledges.models import Benefit, Commitment, Pledge, PledgerType, PledgeStatus


class CouncilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Council
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Testshire District Council {n}")
    slug = factory.Sequence(lambda n: f"testshire-{n}")
    area_name = "Testshire"
    service_name = factory.LazyAttribute(lambda o: f"{o.area_name} Inclusive Economy Charter")
    ons_code = "E07000999"
    county_name = "Testshire County"
    local_postcode_prefixes = factory.LazyFunction(lambda: ["TS1", "TS2"])
    website = "https://council.example.org"
    contact_email = "charter@council.example.org"
    feedback_email = "feedback@council.example.org"
    data_protection_email = "dpo@council.example.org"
    accessibility_email = "access@council.example.org"


class NeighbourhoodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Neighbourhood

    council = factory.SubFactory(CouncilFactory)
    name = factory.Sequence(lambda n: f"Neighbourhood {n}")
    slug = factory.Sequence(lambda n: f"neighbourhood-{n}")
    description = "A neighbourhood where residents and councillors work together."
    order = factory.Sequence(int)


class WardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ward

    name = factory.Sequence(lambda n: f"Ward {n}")
    neighbourhood = factory.SubFactory(NeighbourhoodFactory)
    valid_from = datetime.date(2024, 5, 2)
    valid_to = None


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.invalid")
    password = factory.django.Password("a-long-test-password")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    neighbourhood = factory.SubFactory(NeighbourhoodFactory)
    role = Membership.Role.COUNCILLOR


class FoundationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Foundation

    code = factory.Sequence(lambda n: f"foundation-{n}")
    name = factory.Sequence(lambda n: f"Foundation {n}")
    summary = "Why this foundation matters."


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    code = factory.Sequence(lambda n: f"commitment-{n}")
    title = factory.Sequence(lambda n: f"Commitment {n}")
    benefit = Benefit.FAIRER_SOCIETY
    foundation = factory.SubFactory(FoundationFactory)


class CapitalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Capital

    code = factory.Sequence(lambda n: f"capital-{n}")
    name = factory.Sequence(lambda n: f"Capital {n}")


class PledgeFactory(factory.django.DjangoModelFactory):
    """A published pledge by default, with private details that must never be shown."""

    class Meta:
        model = Pledge
        skip_postgeneration_save = True

    pledger_type = PledgerType.RESIDENT
    display_name = factory.Faker("name", locale="en_GB")
    show_name = True
    contact_name = factory.LazyAttribute(lambda o: o.display_name)
    email = factory.Sequence(lambda n: f"pledger{n}@private.example.org")
    postcode = "SG1 1HN"
    ip_hash = factory.Sequence(lambda n: f"{n:064x}")
    text = factory.Faker("paragraph", nb_sentences=3, locale="en_GB")
    status = PledgeStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    confirmed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def commitments(self, create, extracted, **kwargs):
        if create and extracted:
            self.commitments.set(extracted)


def small_council():
    """A council of two neighbourhoods, four wards and three Charter commitments.

    For tests that need a council but do not test Stevenage's reference file: a handful of rows
    whose names nothing in the real file shares.
    """
    council = CouncilFactory(
        name="Smallbury Borough Council",
        slug="smallbury",
        area_name="Smallbury",
        local_postcode_prefixes=["SB1", "SB2"],
    )
    wards = {"North Smallbury": ["Northgate", "Hilltop"], "South Smallbury": ["Southmead", "Weir"]}
    for order, (name, ward_names) in enumerate(wards.items()):
        neighbourhood = NeighbourhoodFactory(
            council=council, name=name, slug=name.lower().replace(" ", "-"), order=order
        )
        for ward_name in ward_names:
            WardFactory(name=ward_name, neighbourhood=neighbourhood)
    foundation = FoundationFactory(code="smallbury-foundation", name="Good work")
    for code, benefit in (
        ("smallbury-living-wage", Benefit.FAIRER_SOCIETY),
        ("smallbury-volunteering", Benefit.FAIRER_SOCIETY),
        ("smallbury-local-suppliers", Benefit.RESILIENT_ECONOMY),
    ):
        CommitmentFactory(code=code, benefit=benefit, foundation=foundation)
    return council
