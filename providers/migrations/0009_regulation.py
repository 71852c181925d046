"""Personal care and the law: registration as a check, the regulated category, the nation."""

from datetime import date

from django.conf import settings
from django.db import migrations, models

from places.nations import nation_of
from places.postcodes import InvalidPostcode, PostcodeValue


def forward(apps, schema_editor):
    """Registration becomes a check with its ID; personal care is a flag on its category; each
    listing's nation comes from its postcode; the derived columns are worked out as
    providers.changes does."""
    ServiceCategory = apps.get_model("providers", "ServiceCategory")
    Provider = apps.get_model("providers", "Provider")
    Check = apps.get_model("providers", "Check")
    Postcode = apps.get_model("places", "Postcode")
    ServiceCategory.objects.filter(slug="personal-care").update(regulated=True)
    for provider in Provider.objects.all():
        check = Check.objects.filter(provider=provider, kind="cqc").first()
        if check is None and provider.cqc_registered:
            check = Check(provider=provider, kind="cqc", status="awaiting")
        if check is not None:
            check.kind = "registration"
            check.reference = provider.cqc_location_id
            if check.status == "verified" and not check.reference:
                check.status, check.verified_on = "awaiting", None
            check.save()
        try:
            value = PostcodeValue.parse(provider.base_postcode)
        except InvalidPostcode:
            value = None
        district = Postcode.objects.filter(postcode=provider.base_postcode).values_list(
            "admin_district", flat=True
        )
        if value is not None:
            provider.nation = nation_of(value, district.first() or "")
        until = {}
        for kind, status, expires_on in Check.objects.filter(provider=provider).values_list(
            "kind", "status", "expires_on"
        ):
            until[kind] = (expires_on or date.max) if status == "verified" else None
        basics = [until.get(kind) for kind in BASIC_KINDS]
        basics_until = None if None in basics else min(basics)
        personal = provider.services.filter(category__slug="personal-care").exists()
        alone = provider.legal_form == "sole_trader" and provider.workers == 1
        allowed = [until.get("registration"), until.get("exemption") if alone else None]
        regulation = max((day for day in allowed if day is not None), default=None)
        rules = basics_until
        if personal and basics_until is not None:
            rules = None if regulation is None else min(basics_until, regulation)
        provider.gives_personal_care = personal
        provider.registered_until = until.get("registration")
        provider.basic_checks_current_until = basics_until
        provider.rules_met_until = rules
        provider.save(
            update_fields=[
                "nation",
                "gives_personal_care",
                "registered_until",
                "basic_checks_current_until",
                "rules_met_until",
            ]
        )


BASIC_KINDS = ["dbs", "insurance", "safeguarding", "business_registration"]


class Migration(migrations.Migration):
    dependencies = [
        ("places", "0001_initial"),
        ("providers", "0008_drop_private_point_and_typed_date"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="check",
            name="link",
            field=models.URLField(
                blank=True,
                help_text="For a registration: its page on the regulator's website (worked out for the CQC from the location ID if left empty)",
                verbose_name="regulator's public page",
            ),
        ),
        migrations.AddField(
            model_name="check",
            name="reference",
            field=models.CharField(
                blank=True,
                help_text="For a registration with the CQC or CIW: the ID on the regulator's register",
                max_length=40,
                verbose_name="registration or location ID",
            ),
        ),
        migrations.AddField(
            model_name="provider",
            name="gives_personal_care",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="Derived: offers a service in a regulated category",
            ),
        ),
        migrations.AddField(
            model_name="provider",
            name="nation",
            field=models.CharField(
                choices=[("england", "England"), ("wales", "Wales"), ("scotland", "Scotland")],
                default="england",
                editable=False,
                help_text="From the base postcode: decides the care regulator",
                max_length=8,
            ),
        ),
        migrations.AddField(
            model_name="provider",
            name="registered_until",
            field=models.DateField(
                editable=False,
                help_text="Derived: the last day its verified registration with the regulator counts",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="provider",
            name="rules_met_until",
            field=models.DateField(
                db_index=True,
                editable=False,
                help_text="Derived: the last day it meets the publishing rules, before any grace period",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="servicecategory",
            name="regulated",
            field=models.BooleanField(
                default=False,
                help_text="Providers offering any of these services must be registered with the care regulator, or be a sole trader working alone whose exemption the council has confirmed",
                verbose_name="personal care (a regulated activity)",
            ),
        ),
        migrations.AlterField(
            model_name="check",
            name="kind",
            field=models.CharField(
                choices=[
                    ("dbs", "DBS check"),
                    ("insurance", "Public liability insurance"),
                    ("safeguarding", "Safeguarding training"),
                    ("business_registration", "Business registration"),
                    ("registration", "Registration with the care regulator"),
                    ("exemption", "Individual exemption confirmed"),
                    ("terms", "Terms of service"),
                    ("support_plan", "Support plan"),
                    ("policies", "Complaints and safeguarding policy"),
                ],
                max_length=24,
            ),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
