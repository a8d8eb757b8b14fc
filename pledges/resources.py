"""Import of pledges made on paper or by email, typed into a spreadsheet by an officer.

Each row goes through the same checks and the same service as a pledge made online
(`pledge_submit`, with source "paper"): a paper pledge is confirmed on paper, so it goes straight
to moderation and no confirmation email is sent. A row's submission key is a hash of its
contents, so importing the same file again makes nothing new.
"""

import hashlib
import json
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Manager
from django.utils import timezone
from import_export import fields, resources, widgets

from core.tabular import field_key
from neighbourhoods.models import Neighbourhood
from neighbourhoods.postcodes import normalise_postcode
from pledges.models import (
    PLEDGE_TEXT_MAX_LENGTH,
    Commitment,
    OrganisationSize,
    Pledge,
    PledgerType,
    PledgeSource,
)
from pledges.services import PledgeAnswers, SubmitResult, pledge_submit

COLUMNS = (
    "pledger_type",
    "organisation_size",
    "display_name",
    "show_name",
    "contact_name",
    "email",
    "postcode",
    "neighbourhood",
    "commitments",
    "text",
    "target",
    "contact_consent",
)
REQUIRED_COLUMNS = ("pledger_type", "commitments", "text")
COMMITMENT_SEPARATOR = ";"
# The submission key column holds 64 characters: the prefix and 58 hex digits (232 bits).
SUBMISSION_KEY_PREFIX = "paper:"


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _key(text: str) -> str:
    """How a code, label or header is compared: case, spaces, hyphens and underscores ignored."""
    return re.sub(r"[\s_-]+", "_", text.strip().casefold())


def paper_submission_key(row: dict[str, Any]) -> str:
    """The same row, whatever the order of the columns or the spaces around values: the same key."""
    canonical = json.dumps([[column, _text(row.get(column))] for column in COLUMNS])
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    return f"{SUBMISSION_KEY_PREFIX}{digest[: 64 - len(SUBMISSION_KEY_PREFIX)]}"


class ChoiceWidget(widgets.CharWidget):
    """One of a model's choices, given by its code ("public_sector", "public sector") or label."""

    def __init__(self, choices, *, message: str):
        super().__init__()
        self.message = message
        self.values = {}
        for value, label in choices:
            self.values[_key(value)] = value
            self.values[_key(label)] = value

    def clean(self, value, row=None, **kwargs) -> str:
        text = _text(value)
        if not text:
            return ""
        try:
            return self.values[_key(text)]
        except KeyError:
            raise ValueError(f"“{text}” is not recognised. {self.message}") from None


class TextWidget(widgets.CharWidget):
    """Text without the spaces around it."""

    def clean(self, value, row=None, **kwargs) -> str:
        return _text(value)


class YesNoWidget(widgets.Widget):
    """yes/no as people write it on a form; empty means no."""

    YES = {"yes", "y", "true", "1"}
    NO = {"no", "n", "false", "0", ""}

    def clean(self, value, row=None, **kwargs) -> bool:
        if isinstance(value, bool):
            return value
        text = _text(value).casefold()
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise ValueError(f"Enter yes or no, not “{_text(value)}”")

    def render(self, value, obj=None, **kwargs) -> str:
        return "yes" if value else "no"


class NeighbourhoodWidget(widgets.Widget):
    """A neighbourhood by its name or its slug; empty means the whole area."""

    def __init__(self):
        super().__init__()
        self._by_key: dict[str, Neighbourhood] | None = None

    def _neighbourhoods(self) -> dict[str, Neighbourhood]:
        if self._by_key is None:
            self._by_key = {}
            for neighbourhood in Neighbourhood.objects.all():
                self._by_key[_key(neighbourhood.name)] = neighbourhood
                self._by_key[_key(neighbourhood.slug)] = neighbourhood
        return self._by_key

    def clean(self, value, row=None, **kwargs) -> Neighbourhood | None:
        text = _text(value)
        if not text:
            return None
        neighbourhood = self._neighbourhoods().get(_key(text))
        if neighbourhood is None:
            raise ValueError(
                f"There is no neighbourhood called “{text}”. Use a neighbourhood's name or "
                "leave it empty for the whole area"
            )
        return neighbourhood

    def render(self, value, obj=None, **kwargs) -> str:
        return value.name if value else ""


class CommitmentsWidget(widgets.Widget):
    """The Charter commitments a pledger ticked, by code or title, separated by semicolons."""

    def __init__(self):
        super().__init__()
        self._by_key: dict[str, Commitment] | None = None

    def _commitments(self) -> dict[str, Commitment]:
        # The commitments offered online are the ones a paper pledge can make.
        if self._by_key is None:
            self._by_key = {}
            for commitment in Commitment.objects.filter(is_active=True):
                self._by_key[_key(commitment.code)] = commitment
                self._by_key[_key(commitment.title)] = commitment
        return self._by_key

    def clean(self, value, row=None, **kwargs) -> list[Commitment]:
        names = [name.strip() for name in _text(value).split(COMMITMENT_SEPARATOR)]
        known = self._commitments()
        found: list[Commitment] = []
        unknown = []
        for name in filter(None, names):
            commitment = known.get(_key(name))
            if commitment is None:
                unknown.append(f"“{name}”")
            elif commitment not in found:
                found.append(commitment)
        if unknown:
            raise ValueError(
                f"Unknown commitment {', '.join(unknown)}. Use the codes or titles of the "
                f"Charter's commitments, separated by “{COMMITMENT_SEPARATOR}”"
            )
        return found

    def render(self, value, obj=None, **kwargs) -> str:
        commitments = value.all() if isinstance(value, Manager) else value or []
        return f"{COMMITMENT_SEPARATOR} ".join(commitment.code for commitment in commitments)


def duplicate_message(earlier: Pledge) -> str:
    """The officer is told which pledge the one they typed in already is."""
    made = timezone.localtime(earlier.created_at)
    return (
        f"This pledge is already held as pledge {earlier.reference}, made on "
        f"{made:%-d %B %Y}: the same email address and the same words. Check it before "
        "entering the pledge again"
    )


def _field(name: str, widget=None) -> fields.Field:
    return fields.Field(attribute=name, column_name=name, widget=widget or TextWidget())


class PaperPledgeResource(resources.ModelResource):
    """One row per paper pledge. Valid rows are submitted through `pledge_submit`."""

    pledger_type = _field(
        "pledger_type",
        ChoiceWidget(
            PledgerType.choices,
            message="Enter resident, community, business, public_sector or education",
        ),
    )
    organisation_size = _field(
        "organisation_size",
        ChoiceWidget(
            OrganisationSize.choices, message="Enter micro, small, medium, large or leave it empty"
        ),
    )
    display_name = _field("display_name")
    show_name = _field("show_name", YesNoWidget())
    contact_name = _field("contact_name")
    email = _field("email")
    postcode = _field("postcode")
    neighbourhood = _field("neighbourhood", NeighbourhoodWidget())
    commitments = _field("commitments", CommitmentsWidget())
    text = _field("text")
    target = _field("target")
    contact_consent = _field("contact_consent", YesNoWidget())

    class Meta:
        model = Pledge
        name = "Paper pledges"
        fields = COLUMNS
        import_order = COLUMNS
        clean_model_instances = True
        report_skipped = True

    def before_import(self, dataset, **kwargs):
        """Accept headers as people write them ("Pledger type"), and say which are missing."""
        dataset.headers = [field_key(header) for header in dataset.headers or []]
        missing = [column for column in REQUIRED_COLUMNS if column not in dataset.headers]
        if missing:
            raise ValueError(
                f"The file has no {', '.join(missing)} column. "
                f"The columns are: {', '.join(COLUMNS)}"
            )

    def get_instance(self, instance_loader, row):
        """A row imported before is found by its submission key (it is then skipped)."""
        return Pledge.objects.filter(submission_key=paper_submission_key(row)).first()

    def import_instance(self, instance, row, **kwargs):
        """Read and check a row; every problem in it is reported at once, by column."""
        if instance.pk is not None or not any(_text(value) for value in row.values()):
            return
        errors: dict[str, ValidationError] = {}
        cleaned: dict[str, Any] = {}
        for field in self.get_import_fields():
            if field.column_name not in row:
                continue
            try:
                cleaned[field.attribute] = field.clean(row, **kwargs)
            except ValueError as error:
                errors[field.attribute] = ValidationError(str(error), code="invalid")

        def check(name: str, problem: str) -> None:
            if name not in errors:
                errors[name] = ValidationError(problem, code="invalid")

        text = cleaned.get("text", "").strip()
        if not text:
            check("text", "Enter the pledge")
        elif len(text) > PLEDGE_TEXT_MAX_LENGTH:
            check(
                "text",
                f"The pledge must be {PLEDGE_TEXT_MAX_LENGTH} characters or fewer "
                f"(it has {len(text)})",
            )
        pledger_type = cleaned.get("pledger_type", "")
        if not pledger_type:
            check("pledger_type", "Enter resident, community, business, public_sector or education")
        if cleaned.get("organisation_size") and pledger_type != PledgerType.BUSINESS:
            check(
                "organisation_size", "Leave the organisation size empty: only businesses give one"
            )
        if not cleaned.get("commitments"):
            check("commitments", "Enter at least one commitment")
        postcode = cleaned.get("postcode", "")
        if postcode:
            normalised = normalise_postcode(postcode)
            if normalised is None:
                check("postcode", f"Enter a full UK postcode, like SG1 1HN, not “{postcode}”")
            cleaned["postcode"] = normalised or ""

        email = cleaned.get("email", "").strip()
        cleaned["email"] = email
        email_max_length = Pledge._meta.get_field("email").max_length
        if email and len(email) > email_max_length:
            check("email", f"The email address must be {email_max_length} characters or fewer")
        elif email:
            try:
                validate_email(email)
            except ValidationError:
                check(
                    "email",
                    f"Enter an email address in the correct format, like name@example.com, "
                    f"not “{email}”",
                )

        for name, value in cleaned.items():
            if name != "commitments":
                setattr(instance, name, value)
        instance.paper_commitments = cleaned.get("commitments", [])
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """Skip rows imported before and empty rows (a spreadsheet's trailing lines)."""
        return instance.pk is not None or not any(_text(value) for value in row.values())

    def save_instance(self, instance, is_create, row, **kwargs):
        """Submit the pledge through the service, as the officer. In a dry run the import's
        transaction is rolled back afterwards, so nothing is kept."""
        if self._is_dry_run(kwargs) and not self._is_using_transactions(kwargs):
            return
        user = kwargs.get("user")
        outcome = pledge_submit(
            answers=PledgeAnswers(
                pledger_type=instance.pledger_type,
                organisation_size=instance.organisation_size,
                display_name=instance.display_name,
                show_name=instance.show_name,
                contact_name=instance.contact_name,
                email=instance.email,
                postcode=instance.postcode,
                neighbourhood_id=instance.neighbourhood_id,
                commitment_ids=[c.pk for c in instance.paper_commitments],
                text=instance.text,
                target=instance.target,
                contact_consent=instance.contact_consent,
            ),
            ip_address="",
            submission_key=paper_submission_key(row),
            source=PledgeSource.PAPER,
            actor=user if getattr(user, "pk", None) else None,
        )
        if outcome.result == SubmitResult.DUPLICATE and outcome.pledge is not None:
            raise ValidationError({"text": duplicate_message(outcome.pledge)})
        # The row's result (its diff, the admin's log entry) describes the pledge as saved.
        for model_field in Pledge._meta.concrete_fields:
            setattr(instance, model_field.attname, getattr(outcome.pledge, model_field.attname))
        instance._state.adding = False

    def save_m2m(self, instance, row, **kwargs):
        """`pledge_submit` has set the commitments."""
