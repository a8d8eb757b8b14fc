from django.apps import AppConfig


class BalancesheetsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "balancesheets"
    verbose_name = "Community Balance Sheets"
