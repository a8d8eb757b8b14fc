from django.apps import AppConfig, apps
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate


class CharterPortalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "charter_portal"
    verbose_name = "Charter portal"

    def ready(self):
        post_migrate.connect(staff_roles_after_migrate, dispatch_uid="charter_portal.staff_roles")
        # Last app: every admin is registered by now; their forms speak GOV.UK, not Django.
        from django.contrib import admin

        from core.forms import govuk_errors_for_admin

        govuk_errors_for_admin(admin.site)


def staff_roles_after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    """Apply the roles map on every migrate (and every test flush), once all apps have migrated.

    post_migrate is sent once per app that has models, in INSTALLED_APPS order, and each app's
    permissions are created by its own signal; only after the last one do they all exist.
    """
    apps_with_models = [config for config in apps.get_app_configs() if config.models_module]
    if sender is not apps_with_models[-1]:
        return
    # A migrate to an earlier migration (`migrate pledges 0007`) leaves some models, and so their
    # permissions, missing: the map is applied by the next full migrate.
    migrated = kwargs.get("apps")
    if migrated is not None:
        have = {model._meta.label_lower for model in migrated.get_models()}
        if any(model._meta.label_lower not in have for model in apps.get_models()):
            return
    from charter_portal.roles import staff_roles_apply

    staff_roles_apply(using=using)
