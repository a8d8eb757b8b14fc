from django.urls import path, register_converter

from balancesheets.converters import FinancialYearConverter
from balancesheets.views import manage, public

register_converter(FinancialYearConverter, "fy")

app_name = "balancesheets"

urlpatterns = [
    # Public: published sheets only, alongside the statement of accounts.
    path("balance-sheets/", public.index, name="index"),
    path("balance-sheets/<fy:year>/", public.year, name="year"),
    path("balance-sheets/<fy:year>.csv", public.year_csv, name="year_csv"),
    path("balance-sheets/<fy:year>.json", public.year_json, name="year_json"),
    # The officers' pages (login). Before the area pages: "manage" is not a financial year,
    # but keeping them first makes the order of matching plain.
    path("balance-sheets/manage/", manage.sheet_list, name="manage"),
    path("balance-sheets/manage/new/", manage.sheet_new, name="manage_new"),
    path("balance-sheets/manage/borough/", manage.borough_build, name="manage_borough"),
    path("balance-sheets/manage/indicators/", manage.indicator_list, name="manage_indicators"),
    path("balance-sheets/manage/<int:pk>/", manage.sheet_edit, name="manage_sheet"),
    path("balance-sheets/manage/<int:pk>/lines/add/", manage.line_add, name="manage_line_add"),
    path(
        "balance-sheets/manage/<int:pk>/lines/<int:line_pk>/",
        manage.line_change,
        name="manage_line_change",
    ),
    path(
        "balance-sheets/manage/<int:pk>/lines/<int:line_pk>/remove/",
        manage.line_remove,
        name="manage_line_remove",
    ),
    path(
        "balance-sheets/manage/<int:pk>/copy-forward/",
        manage.copy_forward,
        name="manage_copy_forward",
    ),
    path("balance-sheets/manage/<int:pk>/submit/", manage.submit, name="manage_submit"),
    path("balance-sheets/manage/<int:pk>/validate/", manage.validate, name="manage_validate"),
    path("balance-sheets/manage/<int:pk>/return/", manage.return_sheet, name="manage_return"),
    path("balance-sheets/manage/<int:pk>/publish/", manage.publish, name="manage_publish"),
    path("balance-sheets/manage/<int:pk>/restate/", manage.restate, name="manage_restate"),
    path("balance-sheets/manage/<int:pk>/history/", manage.history, name="manage_history"),
    # One area's published sheet: the current version, and each version by number.
    path("balance-sheets/<fy:year>/<slug:slug>/", public.sheet, name="sheet"),
    path("balance-sheets/<fy:year>/<slug:slug>.csv", public.sheet_csv, name="sheet_csv"),
    path("balance-sheets/<fy:year>/<slug:slug>.json", public.sheet_json, name="sheet_json"),
    path("balance-sheets/<fy:year>/<slug:slug>.pdf", public.sheet_pdf, name="sheet_pdf"),
    path(
        "balance-sheets/<fy:year>/<slug:slug>/version-<int:version>/",
        public.sheet,
        name="sheet_version",
    ),
    path(
        "balance-sheets/<fy:year>/<slug:slug>/version-<int:version>.csv",
        public.sheet_csv,
        name="sheet_version_csv",
    ),
    path(
        "balance-sheets/<fy:year>/<slug:slug>/version-<int:version>.json",
        public.sheet_json,
        name="sheet_version_json",
    ),
    path(
        "balance-sheets/<fy:year>/<slug:slug>/version-<int:version>.pdf",
        public.sheet_pdf,
        name="sheet_version_pdf",
    ),
]
