from django.apps import AppConfig


class NeighboursConfig(AppConfig):
    """Neighbouring councils' Open Referral UK feeds, harvested and shown apart from our own
    listings: their source and date named, never counted as checked by this council."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "neighbours"

    def ready(self):
        from auditlog.registry import auditlog

        from .models import NeighbourFeed

        # Which feeds were read and what went wrong is the council's record. The services are a
        # copy of another council's open data, replaced every night: their history is theirs.
        auditlog.register(NeighbourFeed, exclude_fields=["last_tried_at"])
