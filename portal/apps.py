from django.apps import AppConfig


class PortalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "portal"
    verbose_name = "providers' own accounts"

    def ready(self):
        from . import tokens  # noqa: F401 - registers the outbox's sign-in and invitation links
