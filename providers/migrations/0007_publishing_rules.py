"""Publishing rules: a status history, recorded full reviews, a derived "last checked" date, and a
public point at the postcode sector's centre instead of the private base."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def forward(apps, schema_editor):
    Provider = apps.get_model("providers", "Provider")
    Review = apps.get_model("providers", "Review")
    Check = apps.get_model("providers", "Check")
    PostcodeArea = apps.get_model("places", "PostcodeArea")
    for provider in Provider.objects.all():
        if provider.last_checked_by_council:
            Review.objects.create(
                provider=provider,
                reviewed_on=provider.last_checked_by_council,
                notes="Date typed in before full reviews were recorded; who reviewed is not known.",
            )
        compact = provider.base_postcode.replace(" ", "")
        sector = f"{compact[:-3]} {compact[-3]}" if len(compact) >= 5 else ""
        centre = PostcodeArea.objects.filter(code=sector).values_list("latitude", "longitude")
        provider.area_sector = sector
        provider.area_latitude, provider.area_longitude = centre.first() or (None, None)
        dates = [
            *Check.objects.filter(provider=provider, verified_on__isnull=False).values_list(
                "verified_on", flat=True
            ),
            *Review.objects.filter(provider=provider).values_list("reviewed_on", flat=True),
        ]
        provider.last_checked_on = max(dates, default=None)
        provider.save(
            update_fields=["area_sector", "area_latitude", "area_longitude", "last_checked_on"]
        )


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("places", "0001_initial"),
        ("providers", "0006_directoryversion"),
    ]

    operations = [
        migrations.AddField(
            model_name="provider",
            name="area_sector",
            field=models.CharField(
                default="", editable=False, max_length=6, verbose_name="area (postcode sector)"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="provider",
            name="last_checked_on",
            field=models.DateField(
                db_index=True,
                editable=False,
                help_text="Derived: the latest full review or check verification recorded by staff",
                null=True,
                verbose_name="last checked by the council",
            ),
        ),
        migrations.CreateModel(
            name="Review",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("reviewed_on", models.DateField(default=django.utils.timezone.localdate)),
                (
                    "notes",
                    models.TextField(
                        blank=True, help_text="Staff only. Never shown to the public."
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "provider",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reviews",
                        to="providers.provider",
                    ),
                ),
                (
                    "reviewed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"verbose_name": "full review", "ordering": ["-reviewed_on", "-created_at"]},
        ),
        migrations.CreateModel(
            name="StatusChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "from_status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("pending", "Pending review"),
                            ("published", "Published"),
                            ("suspended", "Suspended"),
                            ("archived", "Archived"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "to_status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("pending", "Pending review"),
                            ("published", "Published"),
                            ("suspended", "Suspended"),
                            ("archived", "Archived"),
                        ],
                        max_length=10,
                    ),
                ),
                ("changed_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("reason", models.TextField()),
                (
                    "changed_by",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty when the daily check of the rules made the change",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "provider",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="status_changes",
                        to="providers.provider",
                    ),
                ),
            ],
            options={
                "ordering": ["-changed_at", "-pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("reason", ""), _negated=True),
                        name="status_change_has_reason",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("from_status", models.F("to_status")), _negated=True),
                        name="status_change_changes",
                    ),
                ],
            },
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
