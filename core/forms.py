"""Error messages in the GOV.UK voice for every form, public or staff, instead of Django's own.

Django's defaults ("This field is required.", "Ensure this value has at most 254 characters",
"Enter a valid date.", "Select a valid choice.") name no field and end in full stops. Each field
still showing one of them gets a message written from its label, in the Design System's patterns
("Enter the name", "Name must be 200 characters or fewer", "Select the foundation from the
list"). A message a form already wrote for itself is kept: this only replaces Django's.

Forms take it with `GovukErrorsMixin` (first in the bases); admin's model forms get it from
`govuk_errors_for_admin(site)`, called once from the project's AppConfig.ready().
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinLengthValidator


def _label(field: forms.Field, name: str) -> str:
    label = str(field.label or name.replace("_", " ")).strip().rstrip(":")
    if label.endswith("?"):
        return "The answer"
    return label[:1].upper() + label[1:]


def _lower(label: str) -> str:
    """ "Period start" → "period start", but "VCSE flag" and "SME" keep their capitals."""
    if label == "The answer":
        return "an answer"
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def _is_choice(field: forms.Field) -> bool:
    return isinstance(
        field,
        (forms.ChoiceField, forms.ModelChoiceField, forms.BooleanField, forms.FileField),
    )


def _limit(field: forms.Field, validator_type) -> int | None:
    for validator in field.validators:
        if isinstance(validator, validator_type):
            return int(validator.limit_value)
    return None


def _messages_for(field: forms.Field, name: str) -> dict[str, str]:
    label = _label(field, name)
    lower = _lower(label)
    the = "" if lower == "an answer" else "the "
    messages = {
        "required": f"Select {the}{lower}" if _is_choice(field) else f"Enter {the}{lower}",
        "invalid_choice": f"Select {the}{lower} from the list",  # noqa: S608 (not SQL)
        "invalid_list": f"Select {the}{lower} from the list",  # noqa: S608
        "invalid_pk_value": f"Select {the}{lower} from the list",  # noqa: S608
        "invalid_date": f"{label} must be a real date",
        "invalid_time": f"{label} must be a real time",
        "max_value": f"{label} must be %(limit_value)s or less",
        "min_value": f"{label} must be %(limit_value)s or more",
        "max_digits": f"{label} must be %(max)s digits or fewer",
        "max_whole_digits": f"{label} must be %(max)s digits or fewer before the decimal point",
        "max_decimal_places": f"{label} must have %(max)s decimal places or fewer",
        "step_size": f"{label} must be a multiple of %(limit_value)s",
    }
    longest, shortest = _limit(field, MaxLengthValidator), _limit(field, MinLengthValidator)
    if longest is not None:
        messages["max_length"] = f"{label} must be {longest:,} characters or fewer"
    if shortest is not None:
        messages["min_length"] = f"{label} must be {shortest:,} characters or more"
    if isinstance(field, forms.EmailField):
        messages["invalid"] = "Enter an email address in the correct format, like name@example.com"
    elif isinstance(field, forms.URLField):
        messages["invalid"] = (
            "Enter a web address in the correct format, like https://www.example.com"
        )
    elif isinstance(field, (forms.DecimalField, forms.FloatField)):  # before IntegerField,
        messages["invalid"] = f"{label} must be a number"  # which both are
    elif isinstance(field, forms.IntegerField):
        messages["invalid"] = f"{label} must be a whole number"
    elif isinstance(field, forms.JSONField):
        messages["invalid"] = f"{label} must be valid JSON"
    elif isinstance(field, forms.UUIDField):
        messages["invalid"] = f"{label} must be a UUID, like 123e4567-e89b-12d3-a456-426614174000"
    elif isinstance(field, (forms.DateField, forms.DateTimeField)):
        messages["invalid"] = f"{label} must be a real date"
    return messages


def _django_defaults(field: forms.Field) -> set[str]:
    """Every message Django itself gives a field of this kind (its class and the classes above)."""
    defaults: set[str] = set()
    for klass in type(field).__mro__:
        defaults.update(str(m) for m in getattr(klass, "default_error_messages", {}).values())
    return defaults


def govuk_error_messages(form: forms.BaseForm) -> None:
    """Replace, field by field, each of Django's default messages with one in the GOV.UK voice."""
    for name, field in form.fields.items():
        defaults = _django_defaults(field)
        for code, message in _messages_for(field, name).items():
            current = field.error_messages.get(code)
            if current is None or str(current) in defaults:
                field.error_messages[code] = message


def _unique_message(error: ValidationError) -> ValidationError:
    """Django's "Metric with this Code already exists." as "There is already a metric with that
    code"; other errors as they are."""
    params = error.params or {}
    model = str(params.get("model_name", "record")).lower()
    if error.code == "unique" and "field_label" in params:
        what = _lower(str(params["field_label"]))
    elif error.code == "unique_together" and "field_labels" in params:
        what = _lower(str(params["field_labels"]))
    else:
        return error
    article = "an" if model[:1] in "aeiou" else "a"
    return ValidationError(f"There is already {article} {model} with that {what}", code=error.code)


def _govuk_unique(errors: ValidationError) -> ValidationError:
    if hasattr(errors, "error_dict"):
        return ValidationError(
            {
                field: [_unique_message(e) for e in ValidationError(field_errors).error_list]
                for field, field_errors in errors.error_dict.items()
            }
        )
    return ValidationError([_unique_message(e) for e in errors.error_list])


class GovukErrorsMixin:
    """Put first in a form's bases: its fields' Django messages become GOV.UK ones, and so do a
    model form's "… with this … already exists"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        govuk_error_messages(self)  # type: ignore[arg-type]

    def _update_errors(self, errors):
        super()._update_errors(_govuk_unique(errors))  # type: ignore[misc]


def govuk_form(form_class: type[forms.BaseForm]) -> type[forms.BaseForm]:
    if issubclass(form_class, GovukErrorsMixin):
        return form_class
    return type(form_class.__name__, (GovukErrorsMixin, form_class), {"__module__": __name__})


def govuk_errors_for_admin(site) -> None:
    """Every model admin's form (and its inlines') with GOV.UK messages."""
    for model_admin in site._registry.values():
        model_admin.form = govuk_form(model_admin.form)
        if getattr(model_admin, "add_form", None) is not None:  # UserAdmin, sheets
            model_admin.add_form = govuk_form(model_admin.add_form)
        for inline in model_admin.inlines:
            inline.form = govuk_form(inline.form)


def decimals_as_typed(form: forms.BaseForm) -> None:
    """Decimal fields start with the figure as a person would type it (4990, 12.5), not as the
    column holds it (4990.0000, 12.5000)."""
    for name, field in form.fields.items():
        value = form.initial.get(name)
        if isinstance(field, forms.DecimalField) and isinstance(value, Decimal):
            form.initial[name] = f"{value.normalize():f}"
