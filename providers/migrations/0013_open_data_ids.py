"""Stable open data IDs (UUIDs) for listings, their organisations and the taxonomy, and the
organisation identifiers open data publishes. Added in three steps so every existing row gets a
UUID of its own (a default is evaluated once for the whole table)."""

import uuid

import django.core.validators
from django.db import migrations, models

TABLES = {
    "provider": ["open_id", "organization_open_id"],
    "servicecategory": ["open_id"],
    "service": ["open_id"],
    "audience": ["open_id"],
}


def fill(apps, schema_editor):
    for model_name, fields in TABLES.items():
        model = apps.get_model("providers", model_name)
        for row in model.objects.only("pk"):
            model.objects.filter(pk=row.pk).update(**{field: uuid.uuid4() for field in fields})


def added(model_name, name, verbose_name):
    return migrations.AddField(
        model_name=model_name,
        name=name,
        field=models.UUIDField(null=True, editable=False, verbose_name=verbose_name),
    )


def made_unique(model_name, name, verbose_name):
    return migrations.AlterField(
        model_name=model_name,
        name=name,
        field=models.UUIDField(
            default=uuid.uuid4, editable=False, unique=True, verbose_name=verbose_name
        ),
    )


FIELDS = [
    ("provider", "open_id", "open data service ID"),
    ("provider", "organization_open_id", "open data organisation ID"),
    ("servicecategory", "open_id", "open data ID"),
    ("service", "open_id", "open data ID"),
    ("audience", "open_id", "open data ID"),
]


class Migration(migrations.Migration):
    dependencies = [("providers", "0012_welsh")]

    operations = [
        *[added(*field) for field in FIELDS],
        migrations.RunPython(fill, migrations.RunPython.noop),
        *[made_unique(*field) for field in FIELDS],
        migrations.AddField(
            model_name="provider",
            name="companies_house_number",
            field=models.CharField(
                blank=True,
                help_text="For a limited company or CIC: published as the organisation's identifier",
                max_length=8,
                validators=[
                    django.core.validators.RegexValidator(
                        "^[A-Z0-9]{8}$", "Enter the 8-character company number"
                    )
                ],
            ),
        ),
        migrations.AddField(
            model_name="provider",
            name="charity_number",
            field=models.CharField(
                blank=True,
                help_text="Registered charity number, if it has one",
                max_length=8,
                validators=[
                    django.core.validators.RegexValidator(
                        "^[0-9]{6,8}$", "Enter the charity number, 6 to 8 digits"
                    )
                ],
            ),
        ),
    ]
