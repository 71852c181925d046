from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "providers"

    def ready(self):
        # The admin runs as SimpleAdminConfig (no autodiscovery), so register ours here.
        from . import admin  # noqa: F401
