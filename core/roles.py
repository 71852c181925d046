"""The names of the two staff roles (their permissions are set in `workbench.roles`)."""

STAFF_GROUP = "Council staff"  # curate listings, checks, reports and the taxonomy
ADMIN_GROUP = "Administrators"  # all that, and staff accounts, groups and permissions
