from django.apps import AppConfig


class AuditConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "audit"
    verbose_name = "Audit and personal data"

    def ready(self) -> None:
        # This app's own parts of a data subject's data (sessions, its records, the trail).
        from audit.subject_data import subject_data_parts_register

        subject_data_parts_register()
        # The personal-data records' admin (kept apart from the trail's admin module).
        import audit.admin_records  # noqa: F401
