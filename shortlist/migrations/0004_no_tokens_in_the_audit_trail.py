"""Share-link tokens were written into the audit trail when a link was made: take them out, so
nobody who reads the trail can open someone's shortlist. New entries leave the token out
(workbench.audit)."""

import json

from django.db import migrations


def scrub_tokens(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("auditlog", "LogEntry")
    shared = ContentType.objects.filter(app_label="shortlist", model="sharedshortlist").first()
    if shared is None:
        return
    for entry in LogEntry.objects.filter(content_type=shared).iterator():
        changes = entry.changes
        if isinstance(changes, str):
            changes = json.loads(changes or "{}")
        if isinstance(changes, dict) and "token" in changes:
            changes.pop("token")
            LogEntry.objects.filter(pk=entry.pk).update(changes=changes)


class Migration(migrations.Migration):
    dependencies = [
        ("shortlist", "0003_made_by"),
        ("auditlog", "0015_alter_logentry_changes"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(scrub_tokens, migrations.RunPython.noop)]
