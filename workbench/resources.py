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

from collections import Counter, defaultdict, deque
from datetime import date
from decimal import InvalidOperation

from auditlog import get_logentry_model
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntryManager
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models.signals import pre_save
from django.utils import timezone
from import_export import fields, resources, widgets

from places.models import Location, Postcode, PostcodeArea, PostcodeNotFound
from places.postcodes import FULL, InvalidPostcode, PostcodeValue, normalise
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
        # Rows are written together at the end (save_instance, after_import): so no savepoint
        # around each row, which was two queries a row for nothing.
        use_bulk = True

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
    #
    # Rows are checked one by one against lookups made once for the whole file (before_import),
    # and nothing is written row by row: the preview writes nothing at all, and a confirmed import
    # writes every listing and its parts at the end in a few bulk INSERTs (after_import), with the
    # audit entries saving each row would have made. A query or more a row made a 1,000-row
    # preview take minutes in production.

    def import_data(self, dataset, **kwargs):
        if len(dataset) > MAX_ROWS:
            raise ValueError(
                f"The file has {len(dataset):,} rows; import {MAX_ROWS:,} or fewer at once"
            )
        return super().import_data(dataset, **kwargs)

    def before_import(self, dataset, **kwargs):
        self._taxonomy = {
            column: {item.slug: item for item in model.objects.all()}
            for column, model in (("services", Service), ("who it is for", Audience))
        }
        postcodes = dataset["base_postcode"] if "base_postcode" in dataset.headers else []
        self._postcodes = KnownPostcodes([_cell(text) for text in postcodes])
        self._listed = {
            _duplicate_key(name, postcode)
            for chunk in _chunks(self._postcodes.labels)
            for name, postcode in Provider.objects.filter(base_postcode__in=chunk).values_list(
                "name", "base_postcode"
            )
        }
        self._seen = {}
        self._new = []

    def before_import_row(self, row, **kwargs):
        for key, value in list(row.items()):
            row[key] = _cell(value)

    def init_instance(self, row=None):
        provider = Provider(status=Provider.Status.DRAFT)
        provider.known_postcodes = self._postcodes
        return provider

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
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
        row["_links"] = {}
        for column, known in self._taxonomy.items():
            slugs = _slugs(row.get(column))
            if unknown := [slug for slug in slugs if slug not in known]:
                errors[column] = f"Unknown {column}: {', '.join(unknown[:5])}"
            # In the taxonomy's order, as the audit entry of a change to the links lists them.
            row["_links"][column] = [item for slug, item in known.items() if slug in slugs]
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
        row["_districts"] = list(dict.fromkeys(outwards))
        row["_checks"] = self._checks(row, errors)
        key = _duplicate_key(instance.name, instance.base_postcode)
        if key in self._seen:
            errors["name"] = f"This listing is also in row {self._seen[key]} of the file"
        elif instance.name and key in self._listed:
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
        # asking the database to check each constraint again would cost four queries a row. Nor
        # is uniqueness asked of it: the slug is chosen, free, when the listings are written, and
        # the open data IDs are new random UUIDs.
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(
                exclude={*errors, "slug"}, validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        if not self._is_dry_run(kwargs):
            self._new.append((instance, row))

    def after_import(self, dataset, result, **kwargs):
        valid = not result.has_errors() and not result.has_validation_errors()
        if valid and not self._is_dry_run(kwargs) and self._new:
            self._write(kwargs.get("user"))
        super().after_import(dataset, result, **kwargs)

    def _write(self, user):
        """Every new listing with its services, who it is for, districts and checks, a few
        INSERTs each; then their audit entries, as saving each row would have made them; then
        each listing's derived columns, worked out once (bulk writes send no signals)."""
        providers = [provider for provider, _ in self._new]
        slugs = _free_slugs([provider.slug_base() for provider in providers])
        for provider, slug in zip(providers, slugs, strict=True):
            provider.slug = slug
            provider.geocode()  # what Provider.save() does first
        # Both supported databases hand back the new primary keys from a bulk INSERT.
        Provider.objects.bulk_create(providers, batch_size=BATCH)
        # Nothing points at a new listing one to one (its figures, say): known, the audit diff
        # needs no query a listing to find that out.
        for relation in [rel for rel in Provider._meta.related_objects if rel.one_to_one]:
            for provider in providers:
                relation.set_cached_value(provider, None)
        written, parts = defaultdict(list), []
        for provider, row in self._new:
            for field, column, target in LINKS:
                through = getattr(Provider, field).through
                written[through] += [
                    through(provider=provider, **{target: item}) for item in row["_links"][column]
                ]
            own = [
                CoverageDistrict(provider=provider, outward=outward)
                for outward in row["_districts"]
            ]
            own += [
                Check(
                    provider=provider,
                    kind=kind,
                    status=Check.Status.VERIFIED,
                    verified_on=verified_on,
                    expires_on=expires_on,
                    reference=row["_reference"] if kind == Check.Kind.REGISTRATION else "",
                    verified_by=user,
                )
                for kind, (verified_on, expires_on) in row["_checks"].items()
            ]
            for part in own:
                written[type(part)].append(part)
            parts.append(own)
        for model, objects in written.items():
            model.objects.bulk_create(objects, batch_size=BATCH)
        entries = []  # in the order saving each row used to make them
        for (provider, row), own in zip(self._new, parts, strict=True):
            entries.append(_created_entry(provider))
            for field, column, _ in LINKS:
                links = row["_links"][column]
                entries.append(_AUDIT.log_m2m_changes(links, provider, "add", field))
            entries += [_created_entry(part) for part in own]
        _audit_write([entry for entry in entries if entry is not None])
        changes.listings_changed([provider.pk for provider in providers])


# A listing's many-to-many field, its CSV column and the through model's other foreign key.
LINKS = [("services", "services", "service"), ("audiences", "who it is for", "audience")]
BATCH = 500  # rows an INSERT writes at most


class KnownPostcodes:
    """A file's base postcodes and their sectors' centres, looked up in a query or two, answering
    as `Postcode.objects.locate` and `sector_centre` do (see `Provider.known_postcodes`)."""

    def __init__(self, texts):
        wanted = set()
        for text in texts:
            try:
                wanted.add(normalise(text))
            except InvalidPostcode:
                continue
        self.found = {}
        for chunk in _chunks(wanted):
            rows = Postcode.objects.filter(postcode__in=chunk)
            for postcode, *place in rows.values_list(
                "postcode", "latitude", "longitude", "admin_district"
            ):
                self.found[postcode] = place
        self.labels = sorted(self.found)
        sectors = {PostcodeValue.parse(postcode).sector for postcode in self.found}
        self.centres = {}
        for chunk in _chunks(sectors):
            areas = PostcodeArea.objects.filter(code__in=chunk)
            for code, *centre in areas.values_list("code", "latitude", "longitude"):
                self.centres[code] = tuple(centre)

    def locate(self, text):
        value = text if isinstance(text, PostcodeValue) else PostcodeValue.parse(text)
        if value.kind != FULL:
            return Postcode.objects.locate(value)
        if (place := self.found.get(str(value))) is None:
            raise PostcodeNotFound(str(value))
        latitude, longitude, admin_district = place
        return Location(str(value), latitude, longitude, FULL, admin_district, value.outward)

    def sector_centre(self, sector):
        return self.centres.get(sector, (None, None))


def _free_slugs(bases):
    """A slug for each base in turn, as `Provider._unique_slug` would choose one (the base, then
    base-2, base-3...), none taken in the directory or earlier in the file. A query a round, and
    one round unless the directory already has a base's next numbers."""
    wanted, tried = Counter(bases), Counter()
    free, used = defaultdict(deque), set()
    while short := {base: n - len(free[base]) for base, n in wanted.items() if len(free[base]) < n}:
        candidates = []
        for base, count in short.items():
            numbers = range(tried[base] + 1, tried[base] + count + 1)
            candidates += [(base, base if n == 1 else f"{base}-{n}") for n in numbers]
            tried[base] += count
        taken = {
            slug
            for chunk in _chunks([slug for _, slug in candidates])
            for slug in Provider.objects.filter(slug__in=chunk).values_list("slug", flat=True)
        }
        for base, slug in candidates:
            if slug not in taken and slug not in used:
                used.add(slug)
                free[base].append(slug)
    return [free[base].popleft() for base in bases]


class _UnsavedEntries(LogEntryManager):
    """auditlog's own way of filling in an entry (the object, its text, the request's correlation
    ID, extra data), stopping short of saving it, so rows written in bulk are audited in bulk."""

    def create(self, **kwargs):
        return self.model(**kwargs)


_AUDIT = _UnsavedEntries()
_AUDIT.model = get_logentry_model()


def _created_entry(instance):
    """The entry auditlog's post_save receiver makes for a new row (None if nothing to say)."""
    diff = model_instance_diff(
        None, instance, use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES
    )
    if not diff:
        return None
    return _AUDIT.log_create(instance, action=_AUDIT.model.Action.CREATE, changes=diff)


def _audit_write(entries):
    # auditlog's middleware adds who did it (and any other request data) to each entry as it is
    # saved, from the entry's pre_save signal, which bulk_create does not send.
    for entry in entries:
        pre_save.send(
            sender=_AUDIT.model,
            instance=entry,
            raw=False,
            using=_AUDIT.model.objects.db,
            update_fields=None,
        )
    _AUDIT.model.objects.bulk_create(entries, batch_size=BATCH)


def _cell(value):
    return unescape_formula(value.strip() if isinstance(value, str) else value)


def _duplicate_key(name, postcode):
    return (str(name or "").strip().casefold(), str(postcode or "").replace(" ", "").upper())


def _chunks(items, size=2000):
    items = list(items)
    return [items[start : start + size] for start in range(0, len(items), size)]


def _check(provider, kind):
    return next((check for check in provider.checks.all() if check.kind == kind), None)
