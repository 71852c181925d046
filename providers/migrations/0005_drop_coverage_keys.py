# Search now works from an in-memory snapshot (search.index), so the coverage keys and the
# base-point index that served SQL coverage lookups are no longer read.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("providers", "0004_basic_checks_current_until"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="provider", name="provider_base_point"),
        migrations.DeleteModel(name="CoverageKey"),
    ]
