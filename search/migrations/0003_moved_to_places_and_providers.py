"""Postcodes went to places and the directory version to providers: state only."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_directory_version"),
        ("places", "0001_initial"),
        ("providers", "0006_directoryversion"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="DirectoryVersion"),
                migrations.DeleteModel(name="Postcode"),
                migrations.DeleteModel(name="PostcodeArea"),
            ]
        )
    ]
