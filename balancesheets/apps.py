from django.apps import AppConfig


class BalancesheetsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "balancesheets"
    verbose_name = "Community Balance Sheets"

    def ready(self) -> None:
        # The CWB metrics balance sheets can compute: registered with metrics, which never
        # imports us.
        from balancesheets.metric_sources import metric_sources_register

        metric_sources_register()
