"""Postcodes move from the search app to places: state only, the tables keep their names."""

from django.db import migrations, models


def move_content_types(apps, schema_editor):
    # Keep staff permissions on these models (granted by content type) across the move.
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("postcode", "postcodearea"):
        ContentType.objects.filter(app_label="search", model=model).update(app_label="places")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("search", "0002_directory_version"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Postcode",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "postcode",
                            models.CharField(
                                help_text="Normalised, like CM1 1AA", max_length=8, unique=True
                            ),
                        ),
                        ("outward", models.CharField(max_length=4)),
                        ("sector", models.CharField(max_length=6)),
                        ("latitude", models.FloatField()),
                        ("longitude", models.FloatField()),
                        (
                            "admin_district",
                            models.CharField(
                                blank=True,
                                help_text="ONS code of the local authority, where the source has it",
                                max_length=9,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "search_postcode",
                    },
                ),
                migrations.CreateModel(
                    name="PostcodeArea",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("code", models.CharField(max_length=6, unique=True)),
                        (
                            "kind",
                            models.CharField(
                                choices=[("sector", "Sector"), ("outward", "Outward code")],
                                max_length=7,
                            ),
                        ),
                        ("latitude", models.FloatField()),
                        ("longitude", models.FloatField()),
                        ("postcode_count", models.PositiveIntegerField()),
                    ],
                    options={
                        "db_table": "search_postcodearea",
                    },
                ),
            ]
        ),
        migrations.RunPython(move_content_types, migrations.RunPython.noop),
    ]
