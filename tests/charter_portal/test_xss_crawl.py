"""No stored text reaches a public page unescaped.

Every free-text column of every table of ours is overwritten with a payload that opens a tag,
breaks out of a quoted attribute and starts a script (URL columns: an http URL that breaks out), and
then the whole public site is crawled. The payload may appear only escaped.
"""

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.db import DatabaseError, models, transaction
from django.db.models.functions import Cast, Concat

from balancesheets import services as sheet_services
from balancesheets.models import Indicator
from metrics.models import Metric
from pledges.models import Commitment, PledgeUpdate, UpdateStatus
from tests.balancesheets.conftest import QUANTITIES, fill, publish
from tests.balancesheets.factories import officer, validator
from tests.crawl import public_pages
from tests.factories import PledgeFactory
from tests.metrics.factories import LM3StudyFactory, MetricValueFactory
from tests.metrics.factories_spend import spend_generate
from tests.pledges.test_journey import RESIDENT_ANSWERS, answer_all

SHORT_PAYLOAD = "'\"><xss-probe>"
LONG_PAYLOAD = "'\"><script>xssProbe()</script><img src=x onerror=xssProbe()><xss-probe>"
# Forms refuse any URL but http(s) (URLValidator): the probe is one they would take.
URL_PAYLOAD = "https://example.org/?'\"><xss-probe>"
# What the payload looks like when it was NOT escaped.
UNESCAPED = ("<xss-probe", "<script>xssProbe", "<img src=x onerror")
ESCAPED = "&lt;xss-probe&gt;"
# Columns that are keys, hashes or machine values, not text anyone types.
NOT_FREE_TEXT = {"code", "slug", "reference", "password", "normalised_name", "unit"}
NOT_FREE_TEXT_ENDINGS = ("_hash", "_key", "_token", "fingerprint", "sha256", "_code")


def _our_models():
    return [
        model
        for model in django_apps.get_models()
        if model._meta.app_config.path.startswith(str(settings.BASE_DIR))
        and ".venv" not in model._meta.app_config.path
        and model._meta.managed
        and not model._meta.proxy
        and not any(field.name == "pgh_id" for field in model._meta.fields)  # the audit trail
    ]


def _free_text_fields(model):
    for field in model._meta.concrete_fields:
        if not isinstance(field, models.CharField | models.TextField) or field.choices:
            continue
        if field.name in NOT_FREE_TEXT or field.name.endswith(NOT_FREE_TEXT_ENDINGS):
            continue
        yield field


def _payload_for(field) -> models.Expression | str | None:
    if isinstance(field, models.URLField):
        return URL_PAYLOAD
    room = field.max_length or 10_000
    for payload in (LONG_PAYLOAD, SHORT_PAYLOAD):
        if len(payload) + 20 <= room:  # the primary key keeps unique columns unique
            return Concat(models.Value(payload), Cast("pk", models.CharField()))
    return None


def payload_everywhere() -> set[str]:
    """Overwrite every free-text column of every row; return the columns that took it."""
    filled = set()
    for model in _our_models():
        for field in _free_text_fields(model):
            payload = _payload_for(field)
            if payload is None:
                continue
            try:
                with transaction.atomic():
                    model._base_manager.update(**{field.name: payload})
            except DatabaseError:  # a constraint on its form (e.g. a postcode's)
                continue
            filled.add(f"{model._meta.label}.{field.name}")
    return filled


@pytest.fixture
def every_public_kind_of_text(council):
    """Rows behind every public page: pledges and a published update, metric values, an LM3
    study, spend and suppliers, a published balance sheet; then the payload in all of them."""
    neighbourhoods = list(council.neighbourhoods.order_by("order"))
    commitments = list(Commitment.objects.order_by("pk"))
    for n in range(6):
        pledge = PledgeFactory(
            neighbourhood=neighbourhoods[n % len(neighbourhoods)],
            commitments=commitments[: 1 + n % 3],
            pledger_type=("resident", "business", "community")[n % 3],
        )
    PledgeUpdate.objects.create(pledge=pledge, text="Progress", status=UpdateStatus.PUBLISHED)
    for metric in Metric.objects.all()[:4]:
        MetricValueFactory(metric=metric, neighbourhood=neighbourhoods[0], evidence="Records")
        MetricValueFactory(metric=metric, evidence="Records")
    LM3StudyFactory(notes="Notes")
    spend_generate(60)
    an_officer = officer()
    sheet = sheet_services.balance_sheet_create(
        council=council, neighbourhood=neighbourhoods[0], year=2024, actor=an_officer
    )
    fill(sheet, {indicator.code: indicator for indicator in Indicator.objects.all()}, an_officer,
         QUANTITIES)  # fmt: skip
    filled = payload_everywhere()
    # A published sheet cannot change, so it is published after its text took the payload.
    sheet.refresh_from_db()
    publish(sheet, by=an_officer, checked_by=validator())
    return filled


def test_the_payload_reached_the_text_the_public_reads(every_public_kind_of_text):
    for column in (
        "pledges.Pledge.display_name",
        "pledges.Pledge.text",
        "pledges.PledgeUpdate.text",
        "pledges.Commitment.title",
        "pledges.Campaign.name",
        "neighbourhoods.Neighbourhood.name",
        "neighbourhoods.Council.name",
        "metrics.Metric.name",
        "metrics.MetricValue.evidence",
        "metrics.LM3Study.notes",
        "metrics.Supplier.name",
        "balancesheets.BalanceSheetLine.evidence",
        "balancesheets.Indicator.name",
    ):
        assert column in every_public_kind_of_text


def test_no_public_page_shows_stored_text_unescaped(client, every_public_kind_of_text):
    pages = public_pages(client, skip=(".pdf", ".csv", ".json"))  # HTML is what runs scripts
    html = {path: page.text for path, page in pages.items() if page.is_html}
    assert len(html) > 30  # the crawl went round the whole site
    assert sum(ESCAPED in body for body in html.values()) > 25  # ... and met the payload
    for path, body in html.items():
        for sign in UNESCAPED:
            assert sign not in body, f"{sign!r} unescaped on {path}"


def test_no_page_of_the_pledge_journey_shows_stored_text_unescaped(
    client, every_public_kind_of_text
):
    answer_all(client, None, RESIDENT_ANSWERS[:3])  # the commitments page needs an area
    for path in ("/pledge/", "/pledge/name/", "/pledge/area/", "/pledge/commitments/"):
        body = client.get(path).content.decode()
        assert ESCAPED in body or path != "/pledge/commitments/", path
        for sign in UNESCAPED:
            assert sign not in body, f"{sign!r} unescaped on {path}"
