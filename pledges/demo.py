"""Realistic demo pledges for `make run`: hundreds across the neighbourhoods since the Charter
launched, in every state an officer meets. Written in bulk; development only."""

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from neighbourhoods.models import Council
from pledges.models import (
    Commitment,
    ModerationAction,
    ModerationEvent,
    OrganisationSize,
    Pledge,
    PledgerType,
    PledgeSource,
    PledgeStatus,
    PledgeUpdate,
    RejectionReason,
    UpdateStatus,
)
from pledges.tokens import new_secret, secret_hash

DEMO_KEY_PREFIX = "demo:"
CHARTER_LAUNCH = datetime.datetime(2020, 7, 8, 10, 0, tzinfo=datetime.UTC)

FIRST_NAMES = ["Amara", "Ben", "Chloe", "Dev", "Eilidh", "Farah", "George", "Hana", "Isaac",
               "Jas", "Kofi", "Lucy", "Mo", "Niamh", "Oliver", "Priya", "Rory", "Sade", "Tom",
               "Una", "Vik", "Wendy", "Yusuf", "Zara"]  # fmt: skip
SURNAMES = ["Ahmed", "Brown", "Clarke", "Davies", "Evans", "Fraser", "Green", "Hughes", "Iqbal",
            "Jones", "Khan", "Lewis", "Murphy", "Nowak", "Okafor", "Patel", "Quinn", "Reid",
            "Singh", "Taylor", "Walsh", "Young"]  # fmt: skip
ORGANISATIONS = {
    PledgerType.BUSINESS: ["{} Print Co-op", "{} Bakery", "{} Builders", "{} Accountants",
                           "{} Garden Centre", "{} Cycles", "{} Engineering Ltd",
                           "{} Hair and Beauty", "{} Cafe", "{} Software"],
    PledgerType.COMMUNITY: ["{} Community Association", "{} Food Bank", "{} Youth Club",
                            "Friends of {} Park", "{} Repair Cafe", "{} Credit Union"],
    PledgerType.PUBLIC_SECTOR: ["{} Health Centre", "{} Housing Co-operative",
                                "{} Fire Station"],
    PledgerType.EDUCATION: ["{} Primary School", "{} Academy", "{} Nursery"],
}  # fmt: skip
PLACES = ["Bedwell", "Chells", "Fairlands", "Old Town", "Shephall", "Symonds Green", "Roebuck",
          "Pin Green", "Martins Wood", "Longmeadow", "Broadwater", "Poplars"]  # fmt: skip
PLEDGE_TEXTS = {
    "careers-advice": "We will give careers talks and mock interviews at {place} schools this year.",
    "mentoring-self-employment": "I will mentor someone in {place} who wants to start their own business.",
    "work-placements": "We will offer {n} work placements a year for people who need extra support.",
    "disability-confident": "We will become a Disability Confident employer and help {n} local firms do the same.",
    "shop-local-volunteer": "I will shop at the {place} shops every week and volunteer {n} hours a month.",
    "barriers-to-training": "We will run free evening courses in {place}, with childcare provided.",
    "buy-local": "We will buy at least {n}% of our supplies from Stevenage businesses.",
    "support-cooperatives": "We will give co-operatives starting out in {place} free meeting space.",
    "charity-wellbeing-training": "We will commission a local charity to run wellbeing training for our staff.",
    "pooled-budgets": "We will set aside a budget and let {place} residents decide how it is spent.",
    "local-supply-chains": "We will work with other buyers to help {n} local firms into our supply chain.",
    "cut-carbon": "We will cut our carbon emissions by {n}% and switch to electric vans.",
}  # fmt: skip
TARGETS = ["4 work placements a year", "30% of our spend with local suppliers",
           "100 volunteer hours", "2 mentees", "10 careers talks", ""]  # fmt: skip
STATUS_MIX = [(PledgeStatus.PUBLISHED, 0.86), (PledgeStatus.CONFIRMED, 0.05),
              (PledgeStatus.HELD, 0.02), (PledgeStatus.UNCONFIRMED, 0.03),
              (PledgeStatus.REJECTED, 0.02), (PledgeStatus.WITHDRAWN, 0.02)]  # fmt: skip
TYPE_MIX = [(PledgerType.RESIDENT, 0.45), (PledgerType.BUSINESS, 0.25),
            (PledgerType.COMMUNITY, 0.15), (PledgerType.PUBLIC_SECTOR, 0.07),
            (PledgerType.EDUCATION, 0.08)]  # fmt: skip


def _pick(rng: random.Random, mix):
    return rng.choices([value for value, _ in mix], weights=[w for _, w in mix])[0]


def _created_at(rng: random.Random, index: int, count: int, now: datetime.datetime):
    # A launch burst (about 90 in the first 100 days), then a steady trickle to today.
    if index < 92:
        return CHARTER_LAUNCH + datetime.timedelta(days=rng.uniform(0, 98))
    span = (now - CHARTER_LAUNCH - datetime.timedelta(days=100)).total_seconds()
    return CHARTER_LAUNCH + datetime.timedelta(days=100, seconds=rng.uniform(0, span))


@transaction.atomic
def demo_pledges_ensure(*, council: Council, count: int = 420, seed: int = 2020) -> int:
    """Create the demo pledges once; return how many exist. Idempotent."""
    existing = Pledge.objects.filter(submission_key__startswith=DEMO_KEY_PREFIX).count()
    if existing:
        return existing
    rng = random.Random(seed)
    now = timezone.now()
    neighbourhoods = list(council.neighbourhoods.all())
    commitments = list(Commitment.objects.filter(is_active=True))
    reason = RejectionReason.objects.order_by("pk").first()
    pledges, chosen, created_dates = [], [], []
    for index in range(count):
        pledger_type = _pick(rng, TYPE_MIX)
        status = _pick(rng, STATUS_MIX) if index >= 92 else PledgeStatus.PUBLISHED
        if status == PledgeStatus.REJECTED and reason is None:
            status = PledgeStatus.CONFIRMED
        place = rng.choice(PLACES)
        person = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
        if pledger_type == PledgerType.RESIDENT:
            display_name, show_name = person, rng.random() < 0.4
        else:
            display_name = rng.choice(ORGANISATIONS[pledger_type]).format(place)
            show_name = rng.random() < 0.9
        picked = rng.sample(commitments, k=rng.choice([1, 1, 2, 3]))
        created = _created_at(rng, index, count, now)
        confirmed = created + datetime.timedelta(hours=rng.uniform(0.1, 30))
        decided = min(confirmed + datetime.timedelta(days=rng.uniform(0.5, 6)), now)
        if status in (PledgeStatus.CONFIRMED, PledgeStatus.HELD, PledgeStatus.UNCONFIRMED):
            # Still waiting: recent.
            created = now - datetime.timedelta(days=rng.uniform(0.2, 9))
            confirmed = created + datetime.timedelta(hours=2)
        pledges.append(
            Pledge(
                pledger_type=pledger_type,
                organisation_size=(
                    rng.choice(OrganisationSize.values)
                    if pledger_type == PledgerType.BUSINESS
                    else ""
                ),
                display_name=display_name,
                show_name=show_name,
                contact_name=person,
                email=f"{person.lower().replace(' ', '.')}.{index}@example.invalid",
                postcode=rng.choice(["SG1 1HN", "SG1 2AA", "SG2 7BB", "SG2 9HQ", ""]),
                contact_consent=rng.random() < 0.6,
                neighbourhood=rng.choice(neighbourhoods) if rng.random() < 0.85 else None,
                text=PLEDGE_TEXTS.get(picked[0].code, "We will play our part.").format(
                    place=place, n=rng.choice([2, 4, 5, 10, 20, 30])
                ),
                target=rng.choice(TARGETS),
                status=status,
                source=PledgeSource.ONLINE if rng.random() < 0.9 else PledgeSource.PAPER,
                hold_reason=(
                    "More than 1 pledge from one connection in 60 seconds"
                    if status == PledgeStatus.HELD
                    else ""
                ),
                rejection_reason=reason if status == PledgeStatus.REJECTED else None,
                submission_key=f"{DEMO_KEY_PREFIX}{index}",
                manage_token_hash=secret_hash(new_secret()),
                created_at=created,
                confirmed_at=None if status == PledgeStatus.UNCONFIRMED else confirmed,
                published_at=decided if status == PledgeStatus.PUBLISHED else None,
                moderated_at=decided
                if status in (PledgeStatus.PUBLISHED, PledgeStatus.REJECTED)
                else None,
                withdrawn_at=decided if status == PledgeStatus.WITHDRAWN else None,
            )
        )
        chosen.append(picked)
        created_dates.append(created)
    Pledge.objects.bulk_create(pledges, batch_size=500)
    # auto_now_add stamped every pledge with today: put back the history.
    for pledge, created in zip(pledges, created_dates, strict=True):
        pledge.created_at = created
    Pledge.objects.bulk_update(pledges, ["created_at"], batch_size=500)
    Through = Pledge.commitments.through
    Through.objects.bulk_create(
        Through(pledge_id=pledge.pk, commitment_id=c.pk)
        for pledge, picked in zip(pledges, chosen, strict=True)
        for c in picked
    )
    ModerationEvent.objects.bulk_create(
        ModerationEvent(pledge=pledge, action=action)
        for pledge in pledges
        for action in _history(pledge.status)
    )
    _demo_updates(rng, [p for p in pledges if p.status == PledgeStatus.PUBLISHED], now)
    return len(pledges)


def _history(status: str) -> list[str]:
    steps = [ModerationAction.SUBMITTED]
    if status != PledgeStatus.UNCONFIRMED:
        steps.append(ModerationAction.CONFIRMED)
    extra = {
        PledgeStatus.HELD: ModerationAction.HELD,
        PledgeStatus.PUBLISHED: ModerationAction.PUBLISHED,
        PledgeStatus.REJECTED: ModerationAction.REJECTED,
        PledgeStatus.WITHDRAWN: ModerationAction.WITHDRAWN,
    }
    return steps + ([extra[status]] if status in extra else [])


def _demo_updates(rng: random.Random, published: list[Pledge], now) -> None:
    updates = []
    for pledge in rng.sample(published, k=min(len(published), 140)):
        for _ in range(rng.choice([1, 1, 2])):
            status = UpdateStatus.PUBLISHED if rng.random() < 0.9 else UpdateStatus.PENDING
            updates.append(
                PledgeUpdate(
                    pledge=pledge,
                    text=rng.choice(
                        [
                            "We hosted two young people on placements this term.",
                            "Our team volunteered at the food bank every Saturday.",
                            "We switched our stationery order to a Stevenage supplier.",
                            "We gave careers talks to three Year 10 classes.",
                        ]
                    ),
                    hours_volunteered=rng.choice([None, 6, 12, 40, 120]),
                    people_supported=rng.choice([None, 2, 5, 15, 60]),
                    placements_offered=rng.choice([None, 1, 2, 4]),
                    spent_locally=rng.choice([None, Decimal("850.00"), Decimal("12500.00")]),
                    status=status,
                    moderated_at=now if status == UpdateStatus.PUBLISHED else None,
                )
            )
    PledgeUpdate.objects.bulk_create(updates, batch_size=500)
