"""The private base point and the hand-typed "last checked" date go, in their own migration:
PostgreSQL will not alter a table in the transaction that just filled it (0007)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("providers", "0007_publishing_rules")]

    operations = [
        migrations.RemoveField(model_name="provider", name="last_checked_by_council"),
        migrations.RemoveField(model_name="provider", name="latitude"),
        migrations.RemoveField(model_name="provider", name="longitude"),
        migrations.RemoveField(model_name="provider", name="area_outward"),
    ]
