from django.apps import AppConfig
from django.db.models.signals import post_migrate


class WorkbenchConfig(AppConfig):
    """The council officer's workbench: the work queue, the audit trail, reminders, CSV in and
    out, and the programme figures."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "workbench"

    def ready(self):
        from . import audit, roles

        audit.register()
        post_migrate.connect(roles.roles_ensure, dispatch_uid="workbench-roles")
