from django.apps import AppConfig


class RegistersConfig(AppConfig):
    """What the public registers (the CQC's, Companies House's) say about each listing, checked
    every night, and what staff saw on Care Inspectorate Wales's register, which has no API."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "registers"

    def ready(self):
        from auditlog.registry import auditlog

        from .models import RegisterRecord, SyncCursor

        # Only what the register said and what an officer decided: the nightly times move on
        # every run and would bury the changes that matter in the listing's history.
        auditlog.register(
            RegisterRecord, exclude_fields=["checked_at", "answered_at", "last_confirmed_at", "raw"]
        )
        auditlog.register(SyncCursor)
