"""Keep the search snapshot (`search.index`) in step with what staff change."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from providers.models import Audience, CoverageDistrict, Provider, Service, ServiceCategory

from .index import directory_changed

# Saving or deleting a check rewrites its provider's `basic_checks_current_until` with a queryset
# update, and `ChangeReportingQuerySet.update` reports every such update.
WATCHED = [Provider, CoverageDistrict, Service, ServiceCategory, Audience]


def _changed(sender, **kwargs):
    directory_changed()


def _m2m_changed(sender, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        directory_changed()


def connect():
    for model in WATCHED:
        post_save.connect(_changed, sender=model, dispatch_uid=f"search-{model.__name__}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"search-{model.__name__}-del")
    for through in [Provider.services.through, Provider.audiences.through]:
        m2m_changed.connect(_m2m_changed, sender=through, dispatch_uid=f"search-{through.__name__}")
