"""The staff roles, kept in step with the code after every migrate.

"Council staff" curate listings, checks, reports, shared links, providers' proposed changes and
the taxonomy, and read the
postcode tables and the audit trail; they cannot touch staff accounts, groups or permissions.
"Administrators" can do everything.
"""

from django.contrib.auth.models import Group, Permission

from core.roles import ADMIN_GROUP, STAFF_GROUP

STAFF_APPS = ["providers", "reports", "shortlist", "portal"]
STAFF_VIEW_ONLY = ["places", "auditlog", "core", "search"]


def staff_permissions():
    # Reports from the public are records the council keeps: staff close them, never delete.
    curate = Permission.objects.filter(content_type__app_label__in=STAFF_APPS).exclude(
        codename="delete_problemreport"
    )
    view = Permission.objects.filter(
        content_type__app_label__in=STAFF_VIEW_ONLY, codename__startswith="view_"
    )
    return curate | view


def roles_ensure(**kwargs):
    """Create both groups if missing and set their permissions (safe to run any time)."""
    staff, _ = Group.objects.get_or_create(name=STAFF_GROUP)
    staff.permissions.set(staff_permissions())
    administrators, _ = Group.objects.get_or_create(name=ADMIN_GROUP)
    administrators.permissions.set(Permission.objects.all())
