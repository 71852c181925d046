"""The yes/no CQC fields go, now registration is a verified check with its ID (0009); in a
migration of its own, as PostgreSQL will not alter a table in the transaction that filled it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("providers", "0009_regulation")]

    operations = [
        migrations.RemoveConstraint(
            model_name="provider",
            name="cqc_registered_has_location_id",
        ),
        migrations.RemoveField(
            model_name="provider",
            name="cqc_location_id",
        ),
        migrations.RemoveField(
            model_name="provider",
            name="cqc_registered",
        ),
        migrations.AddConstraint(
            model_name="check",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind", "registration"), ("status", "verified"), _negated=True),
                    models.Q(("reference", ""), _negated=True),
                    _connector="OR",
                ),
                name="verified_registration_has_reference",
            ),
        ),
    ]
