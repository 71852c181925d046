"""The directory version moves from the search app to providers, beside `providers.changes`, its
only writer: state only, the table keeps its name and its row."""

from django.db import migrations, models


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="search", model="directoryversion").update(
        app_label="providers"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("providers", "0005_drop_coverage_keys"),
        ("search", "0002_directory_version"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DirectoryVersion",
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
                        ("token", models.CharField(max_length=32)),
                    ],
                    options={
                        "db_table": "search_directoryversion",
                    },
                ),
            ]
        ),
        migrations.RunPython(move_content_type, migrations.RunPython.noop),
    ]
