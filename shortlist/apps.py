from django.apps import AppConfig


class ShortlistConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "shortlist"

    def ready(self):
        # The admin runs as SimpleAdminConfig (no autodiscovery), so register ours here.
        from . import admin  # noqa: F401
