from django.apps import AppConfig


class SearchConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "search"

    def ready(self):
        # The admin runs as SimpleAdminConfig (no autodiscovery), so register ours here.
        from . import admin, signals  # noqa: F401

        signals.connect()
