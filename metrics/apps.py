from django.apps import AppConfig


class MetricsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "metrics"
    verbose_name = "Community Wealth Building metrics"

    def ready(self) -> None:
        # Every app registers its computed-metric sources here, this one included.
        from metrics.spend.sources import metric_sources_register

        metric_sources_register()
