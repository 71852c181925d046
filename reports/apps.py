from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"

    def ready(self):
        # The admin runs as SimpleAdminConfig (no autodiscovery), so register ours here.
        from . import admin  # noqa: F401
