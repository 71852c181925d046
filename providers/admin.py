from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.utils import timezone

from .models import Audience, Check, CoverageDistrict, Provider, Service, ServiceCategory


class ChecksFilter(admin.SimpleListFilter):
    title = "checks"
    parameter_name = "checks"

    def lookups(self, request, model_admin):
        return [
            ("current", "All four basic checks current"),
            ("expired", "Has an expired check"),
            ("incomplete", "Basic checks not all current"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "current":
            return queryset.with_basic_checks_current()
        if self.value() == "expired":
            return queryset.with_expired_checks()
        if self.value() == "incomplete":
            return queryset.without_basic_checks_current()
        return queryset


class CategoryFilter(admin.SimpleListFilter):
    title = "service category"
    parameter_name = "category"

    def lookups(self, request, model_admin):
        return [(c.slug, c.name) for c in ServiceCategory.objects.all()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(
                Exists(
                    Provider.services.through.objects.filter(
                        provider=OuterRef("pk"), service__category__slug=self.value()
                    )
                )
            )
        return queryset


class CheckInline(admin.TabularInline):
    model = Check
    extra = 0
    fields = ["kind", "status", "verified_on", "verified_by", "expires_on", "staff_notes"]
    autocomplete_fields = ["verified_by"]


class CoverageDistrictInline(admin.TabularInline):
    model = CoverageDistrict
    extra = 1
    verbose_name = "postcode district covered"
    verbose_name_plural = "postcode districts covered (as well as the travel radius)"


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "status",
        "area_label",
        "base_postcode",
        "legal_form",
        "last_checked_by_council",
        "updated_at",
    ]
    list_filter = ["status", CategoryFilter, ChecksFilter, "legal_form", "accepts_direct_payments"]
    search_fields = ["name", "base_postcode", "area_outward", "town"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["services", "audiences"]
    inlines = [CheckInline, CoverageDistrictInline]
    date_hierarchy = "updated_at"
    list_per_page = 50
    readonly_fields = ["area_label", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "status", "summary", "description"]}),
        ("Business", {"fields": ["legal_form", "workers"]}),
        ("Contact (public)", {"fields": ["contact_name", "phone", "email", "website"]}),
        (
            "Where they are and where they go",
            {"fields": ["base_postcode", "town", "area_label", "coverage_radius_miles"]},
        ),
        ("What they offer", {"fields": ["services", "audiences", "languages"]}),
        (
            "Cost",
            {
                "fields": [
                    "is_free",
                    "hourly_rate_min",
                    "hourly_rate_max",
                    "cost_notes",
                    "accepts_direct_payments",
                ]
            },
        ),
        (
            "Availability",
            {
                "fields": [
                    "available_weekdays",
                    "available_evenings",
                    "available_weekends",
                    "available_overnight",
                ]
            },
        ),
        ("Regulation", {"fields": ["cqc_registered", "cqc_location_id"]}),
        (
            "Council review (staff only)",
            {"fields": ["last_checked_by_council", "staff_notes", "created_at", "updated_at"]},
        ),
    ]

    @admin.display(description="Public area")
    def area_label(self, obj):
        return obj.area_label

    def get_search_results(self, request, queryset, search_term):
        # Staff paste postcodes in any shape; match the normalised form too.
        from places.postcodes import InvalidPostcode, PostcodeValue

        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        try:
            value = PostcodeValue.parse(search_term)
        except InvalidPostcode:
            return queryset, may_have_duplicates
        return queryset | self.model.objects.filter(base_postcode=str(value)), may_have_duplicates


@admin.register(Check)
class CheckAdmin(admin.ModelAdmin):
    list_display = ["provider", "kind", "status", "verified_on", "expires_on", "is_current"]
    list_filter = ["kind", "status", "expires_on"]
    search_fields = ["provider__name"]
    autocomplete_fields = ["provider", "verified_by"]

    @admin.display(boolean=True, description="Current")
    def is_current(self, obj):
        return obj.is_current(timezone.localdate())


class ServiceInline(admin.TabularInline):
    model = Service
    extra = 1
    prepopulated_fields = {"slug": ["name"]}


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ServiceInline]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "position"]
    list_filter = ["category"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Audience)
class AudienceAdmin(admin.ModelAdmin):
    list_display = ["name", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
