"""Listings as spreadsheet rows, for CSV export and for onboarding by CSV import
(django-import-export).

Import makes new listings only, each a draft for staff to check and publish. A row is refused, with
a plain message for each problem, for an unknown postcode, service or who-it-is-for, a team over
8, a district that is not one, a check date in the future or before the date verified, or a
listing the file (or the directory) already has. If any row is refused, nothing is written.

Export writes what staff are looking at, with each listing's checks and districts. A cell that a
spreadsheet would run as a formula (starting =, +, -, @, a tab or a return) is written with a
leading apostrophe, which spreadsheets show as text; import takes that apostrophe off again.
"""

from datetime import date
from decimal import InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from import_export import fields, resources, widgets

from places.postcodes import InvalidPostcode, PostcodeValue
from providers import changes
from providers.models import Audience, Check, CoverageDistrict, Provider, Service

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHECK_KINDS = Check.BASIC_KINDS + [Check.Kind.REGISTRATION, Check.Kind.EXEMPTION]
MAX_ROWS = 5000


def escape_formula(value):
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unescape_formula(value):
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def _slugs(value):
    return [part.strip() for part in str(value or "").replace(",", ";").split(";") if part.strip()]


def _date(value, column, errors):
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors[column] = f"Enter the date as year-month-day, like 2026-03-31, not {str(value)[:20]}"
        return None


class WholeNumber(widgets.IntegerWidget):
    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except (ValueError, ArithmeticError, InvalidOperation):
            raise ValueError(f"Enter a whole number, like 3, not {str(value)[:20]}") from None


class Pounds(widgets.DecimalWidget):
    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except (ValueError, ArithmeticError, InvalidOperation):
            raise ValueError(
                f"Enter an amount in pounds, like 18.50, not {str(value)[:20]}"
            ) from None


class ProviderResource(resources.ModelResource):
    id = fields.Field(attribute="id", column_name="id", readonly=True)
    status = fields.Field(attribute="status", column_name="status", readonly=True)
    area = fields.Field(attribute="area_label", column_name="public area", readonly=True)
    services = fields.Field(column_name="services")
    audiences = fields.Field(column_name="who it is for")
    districts = fields.Field(column_name="districts")
    workers = fields.Field(attribute="workers", column_name="workers", widget=WholeNumber())
    coverage_radius_miles = fields.Field(
        attribute="coverage_radius_miles", column_name="coverage_radius_miles", widget=WholeNumber()
    )
    hourly_rate_min = fields.Field(
        attribute="hourly_rate_min", column_name="hourly_rate_min", widget=Pounds()
    )
    hourly_rate_max = fields.Field(
        attribute="hourly_rate_max", column_name="hourly_rate_max", widget=Pounds()
    )

    class Meta:
        model = Provider
        fields = [
            "id",
            "status",
            "name",
            "summary",
            "description",
            "legal_form",
            "workers",
            "contact_name",
            "phone",
            "email",
            "website",
            "base_postcode",
            "town",
            "area",
            "coverage_radius_miles",
            "districts",
            "services",
            "audiences",
            "is_free",
            "hourly_rate_min",
            "hourly_rate_max",
            "cost_notes",
            "accepts_direct_payments",
            "available_weekdays",
            "available_evenings",
            "available_weekends",
            "available_overnight",
            "languages",
        ]
        import_id_fields = []  # every row is a new listing
        clean_model_instances = True
        skip_diff = True
        use_transactions = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Each check as three columns: its status, the day staff verified it and when it runs out.
        for kind in CHECK_KINDS:
            for part in ("verified_on", "expires_on"):
                name = f"{kind}_{part}"
                self.fields[name] = fields.Field(column_name=name, attribute=None)
        self.fields["registration_reference"] = fields.Field(
            column_name="registration_reference", attribute=None
        )
        self._seen = {}

    # Export ---------------------------------------------------------------------------------

    def filter_export(self, queryset, **kwargs):
        return queryset.prefetch_related("services", "audiences", "districts", "checks")

    def export_field(self, field, instance, **kwargs):
        name = field.column_name
        if name == "services":
            value = ";".join(service.slug for service in instance.services.all())
        elif name == "who it is for":
            value = ";".join(audience.slug for audience in instance.audiences.all())
        elif name == "districts":
            value = ";".join(district.outward for district in instance.districts.all())
        elif name == "registration_reference":
            check = _check(instance, Check.Kind.REGISTRATION)
            value = check.reference if check else ""
        elif name.endswith(("_verified_on", "_expires_on")):
            kind, part = name.rsplit("_", 2)[0], "_".join(name.rsplit("_", 2)[1:])
            check = _check(instance, kind)
            day = getattr(check, part) if check and check.status == Check.Status.VERIFIED else None
            value = day.isoformat() if day else ""
        else:
            value = super().export_field(field, instance, **kwargs)
        return escape_formula(value)

    # Import ---------------------------------------------------------------------------------

    def import_data(self, dataset, **kwargs):
        if len(dataset) > MAX_ROWS:
            raise ValueError(
                f"The file has {len(dataset):,} rows; import {MAX_ROWS:,} or fewer at once"
            )
        self._seen = {}
        # Work out each new listing's derived columns once, at the end, not after every row.
        with changes.collecting():
            return super().import_data(dataset, **kwargs)

    def before_import_row(self, row, **kwargs):
        for key, value in list(row.items()):
            row[key] = unescape_formula(value.strip() if isinstance(value, str) else value)

    def init_instance(self, row=None):
        return Provider(status=Provider.Status.DRAFT)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if instance.name:
            instance.slug = instance._unique_slug()
        self._check_row(instance, row, errors, kwargs.get("row_number"))
        if errors:
            raise ValidationError(errors)

    def _check_row(self, instance, row, errors, number):
        form = str(row.get("legal_form") or "").strip()
        labels = {label.lower(): value for value, label in Provider.LegalForm.choices}
        if form.lower() in labels:
            instance.legal_form = labels[form.lower()]
        if instance.workers and instance.workers > 8:
            errors["workers"] = "A micro-enterprise has 8 workers at most"
        wanted = {"services": (Service, _slugs(row.get("services"))),
                  "who it is for": (Audience, _slugs(row.get("who it is for")))}  # fmt: skip
        row["_links"] = {}
        for column, (model, slugs) in wanted.items():
            found = dict(model.objects.filter(slug__in=slugs).values_list("slug", "pk"))
            if unknown := [slug for slug in slugs if slug not in found]:
                errors[column] = f"Unknown {column}: {', '.join(unknown[:5])}"
            row["_links"][column] = list(found.values())
        outwards = []
        for text in _slugs(row.get("districts")):
            try:
                value = PostcodeValue.parse(text)
            except InvalidPostcode:
                value = None
            if value is None or value.kind != "outward":
                errors["districts"] = f"{text[:10]} is not a postcode district, like CM2"
                break
            outwards.append(value.outward)
        row["_districts"] = outwards
        row["_checks"] = self._checks(row, errors)
        key = (
            instance.name.strip().casefold(),
            str(instance.base_postcode).replace(" ", "").upper(),
        )
        if key in self._seen:
            errors["name"] = f"This listing is also in row {self._seen[key]} of the file"
        elif (
            instance.name
            and Provider.objects.filter(
                name__iexact=instance.name.strip(), base_postcode=_postcode(instance.base_postcode)
            ).exists()
        ):
            errors["name"] = "The directory already has a listing with this name and postcode"
        self._seen.setdefault(key, number or "another")

    def _checks(self, row, errors):
        today = timezone.localdate()
        found = {}
        for kind in CHECK_KINDS:
            verified_on = _date(row.get(f"{kind}_verified_on"), f"{kind}_verified_on", errors)
            expires_on = _date(row.get(f"{kind}_expires_on"), f"{kind}_expires_on", errors)
            if verified_on is None:
                if expires_on:
                    errors[f"{kind}_verified_on"] = "Enter the day the check was verified"
                continue
            if verified_on > today:
                errors[f"{kind}_verified_on"] = "The date verified must be today or in the past"
            if expires_on and expires_on < verified_on:
                errors[f"{kind}_expires_on"] = "The expiry date must be after the date verified"
            found[kind] = (verified_on, expires_on)
        reference = str(row.get("registration_reference") or "").strip()
        if Check.Kind.REGISTRATION in found and not reference:
            errors["registration_reference"] = "Enter the ID on the regulator's register"
        row["_reference"] = reference
        return found

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # The model's clean() states the same rules as its database constraints in plain words;
        # asking the database to check each constraint again would cost four queries a row.
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(
                exclude=errors.keys(), validate_unique=validate_unique, validate_constraints=False
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def after_save_instance(self, instance, row, **kwargs):
        instance.services.set(row["_links"]["services"])
        instance.audiences.set(row["_links"]["who it is for"])
        for outward in row["_districts"]:
            CoverageDistrict.objects.get_or_create(provider=instance, outward=outward)
        for kind, (verified_on, expires_on) in row["_checks"].items():
            Check.objects.create(
                provider=instance,
                kind=kind,
                status=Check.Status.VERIFIED,
                verified_on=verified_on,
                expires_on=expires_on,
                reference=row["_reference"] if kind == Check.Kind.REGISTRATION else "",
                verified_by=kwargs.get("user"),
            )


def _check(provider, kind):
    return next((check for check in provider.checks.all() if check.kind == kind), None)


def _postcode(text):
    try:
        value = PostcodeValue.parse(text)
    except InvalidPostcode:
        return text
    return str(value)
