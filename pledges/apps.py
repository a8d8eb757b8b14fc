from django.apps import AppConfig


class PledgesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "pledges"
    verbose_name = "Charter pledges"

    def ready(self) -> None:
        # The CWB metrics pledges can compute: registered with metrics, which never imports us.
        from pledges.metric_sources import metric_sources_register

        metric_sources_register()
        # Their part of a data subject's data, registered with audit (which never imports us).
        from pledges.subject_data import subject_data_parts_register

        subject_data_parts_register()
