from django.apps import AppConfig


class OutboxConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outbox"
    verbose_name = "Email outbox"

    def ready(self) -> None:
        # The emails' part of a data subject's data, registered with audit (which never imports us).
        from outbox.subject_data import subject_data_parts_register

        subject_data_parts_register()
