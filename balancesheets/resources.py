"""Import of the indicator library and its proxy values from the council's own spreadsheet.

Licensed values (National TOMs, HACT's Social Value Bank) are never built in: a council that holds
a licence imports them here. Indicators match on their code, proxy values on (indicator code,
price year), so importing the same file again changes nothing. Every row is checked by the
models' own validation (full_clean) before anything is saved.
"""

from decimal import Decimal, InvalidOperation

from import_export import fields, resources, widgets

from balancesheets.models import Capital, Indicator, ProxyValue, Side
from core.tabular import field_key

SIDES = {"asset": Side.ASSET, "assets": Side.ASSET, "liability": Side.LIABILITY,
         "liabilities": Side.LIABILITY}  # fmt: skip


def _text(value) -> str:
    return "" if value is None else str(value).strip()


class _HeaderMixin:
    """Accept headers as people write them ("Price year", "price-year")."""

    required_columns: tuple[str, ...] = ()

    def before_import(self, dataset, **kwargs):
        dataset.headers = [field_key(header) for header in dataset.headers or []]
        missing = [column for column in self.required_columns if column not in dataset.headers]
        if missing:
            raise ValueError(
                f"The file has no {', '.join(missing)} column. The columns are: "
                f"{', '.join(self.Meta.fields)}"
            )


class SideWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs) -> str:
        text = _text(value).casefold()
        if text not in SIDES:
            raise ValueError(f"Enter asset or liability, not “{_text(value)}”")
        return SIDES[text]


class CapitalWidget(widgets.ForeignKeyWidget):
    """A capital by its code ("social") or its name ("Social capital")."""

    def __init__(self):
        super().__init__(Capital, field="code")

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        capital = (
            Capital.objects.filter(code__iexact=text).first()
            or Capital.objects.filter(name__iexact=text).first()
        )
        if capital is None:
            codes = ", ".join(Capital.objects.values_list("code", flat=True))
            raise ValueError(f"There is no capital “{text}”. Use one of: {codes}")
        return capital


class MoneyWidget(widgets.DecimalWidget):
    """£3,400 or 3400.50 as people type them in a spreadsheet."""

    def clean(self, value, row=None, **kwargs):
        text = _text(value).replace(",", "").replace("£", "")
        if not text:
            raise ValueError("Enter the value in pounds, like 3400 or 3400.50")
        try:
            return Decimal(text)
        except InvalidOperation:
            raise ValueError(f"“{_text(value)}” is not an amount in pounds") from None


class IndicatorWidget(widgets.ForeignKeyWidget):
    """An indicator by its code."""

    def __init__(self):
        super().__init__(Indicator, field="code")

    def clean(self, value, row=None, **kwargs):
        code = _text(value)
        indicator = Indicator.objects.filter(code=code).first()
        if indicator is None:
            raise ValueError(
                f"There is no indicator with the code “{code}”: import the indicators first"
            )
        return indicator


class PriceYearWidget(widgets.IntegerWidget):
    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if text.endswith(".0"):  # a spreadsheet's number read as a float
            text = text[:-2]
        if not (text.isdigit() and len(text) == 4):
            raise ValueError(f"Enter the price year as a year, like 2023, not “{text}”")
        return int(text)


class YesNoWidget(widgets.BooleanWidget):
    def clean(self, value, row=None, **kwargs) -> bool:
        text = _text(value).casefold()
        if text in {"yes", "y", "true", "1"}:
            return True
        if text in {"no", "n", "false", "0", ""}:
            return False
        raise ValueError(f"Enter yes or no, not “{_text(value)}”")

    def render(self, value, obj=None, **kwargs) -> str:
        return "yes" if value else "no"


class IndicatorResource(_HeaderMixin, resources.ModelResource):
    """The indicator library: one row per indicator."""

    required_columns = ("code", "name", "capital", "side", "unit")

    capital = fields.Field(attribute="capital", column_name="capital", widget=CapitalWidget())
    side = fields.Field(attribute="side", column_name="side", widget=SideWidget())

    class Meta:
        model = Indicator
        name = "Indicators"
        fields = ("code", "name", "capital", "side", "unit", "description", "order")
        import_order = fields
        export_order = fields
        import_id_fields = ("code",)
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def dehydrate_capital(self, indicator) -> str:
        return indicator.capital.code


class ProxyValueResource(_HeaderMixin, resources.ModelResource):
    """Proxy values: one row per indicator and price year."""

    required_columns = ("indicator", "price_year", "value_per_unit", "source")

    indicator = fields.Field(
        attribute="indicator", column_name="indicator", widget=IndicatorWidget()
    )
    price_year = fields.Field(
        attribute="price_year", column_name="price_year", widget=PriceYearWidget()
    )
    value_per_unit = fields.Field(
        attribute="value_per_unit", column_name="value_per_unit", widget=MoneyWidget()
    )
    is_illustrative = fields.Field(
        attribute="is_illustrative", column_name="is_illustrative", widget=YesNoWidget()
    )

    class Meta:
        model = ProxyValue
        name = "Proxy values"
        fields = ("indicator", "price_year", "value_per_unit", "source", "is_illustrative", "notes")
        import_order = fields
        export_order = fields
        import_id_fields = ("indicator", "price_year")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def get_instance(self, instance_loader, row):
        """The stored value for the row's indicator and year; a row naming no known indicator
        or year is new, and its own check then says what is wrong with it."""
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            return None

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        if "is_illustrative" not in row:
            # The council's own values are what it has adopted, unless the file says otherwise.
            instance.is_illustrative = False
