from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Plumbing any app may use (client keys, rate limits, bulk loading). Knows nothing of
    listings or places, so it sits below every other app."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "core"

    def ready(self):
        from . import after_response, notify  # noqa: F401 - notify registers its settings check

        after_response.connect()
