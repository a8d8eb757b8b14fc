from django.apps import AppConfig


class CharterPortalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "charter_portal"
    verbose_name = "Charter portal"
