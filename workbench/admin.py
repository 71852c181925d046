"""The one admin for listings (the workbench's pages under /staff/ are where daily work is done):
services picked by category, no slug, the listing's reports and audit timeline, publish, suspend
with a reason and record a full review, CSV export and import. providers.admin keeps the parts it
is built from (its forms, filters and inlines), the checks' and the taxonomy's admins."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV

from places.postcodes import InvalidPostcode, PostcodeValue
from portal.admin import owner_invite_action
from providers.admin import (
    CategoryFilter,
    CheckInline,
    ChecksFilter,
    CoverageDistrictInline,
    ProviderForm,
    ReadOnlyInline,
    ReviewInline,
    StatusChangeInline,
    StatusForm,
    apply_rules,
)
from providers.models import Audience, Check, Provider, Review, Service
from providers.services import PublishingRefused, provider_set_status
from reports.models import ProblemReport

from .audit import timeline
from .resources import ProviderResource


class GroupedCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes under a heading for each service category."""

    def optgroups(self, name, value, attrs=None):
        grouped = {}
        for option_value, label in self.choices:
            grouped.setdefault(option_value.instance.category.name, []).append(
                (option_value, label)
            )
        everything, self.choices = self.choices, list(grouped.items())
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = everything


class ReportInline(ReadOnlyInline):
    """What the public has told us about this listing, newest first. Read here, worked on the
    report's own page."""

    model = ProblemReport
    fields = ["report_link", "topic", "urgent", "status", "assigned_to", "created_at"]
    readonly_fields = fields
    ordering = ["-urgent", "-created_at"]
    verbose_name_plural = "reports from the public about this listing"
    show_change_link = False

    @admin.display(description="Report")
    def report_link(self, obj):
        url = reverse("admin:reports_problemreport_change", args=[obj.pk])
        return format_html('<a href="{}">Open report {}</a>', url, obj.pk)


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(
        label="Date of the review",
        initial=timezone.localdate,
        help_text="The day you checked the whole listing, for example 31/3/2026",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    notes = forms.CharField(
        label="What you found (staff only)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_reviewed_on(self):
        day = self.cleaned_data["reviewed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The review date must be today or in the past")
        return day


# Labels and hints in the words officers use.
LABELS = {
    "name": ("Business name", "As the public will see it"),
    "summary": ("Short description", "One or two sentences shown in search results"),
    "base_postcode": (
        "Postcode they work from",
        "Private: never shown. Their public area is worked out from it",
    ),  # fmt: skip
    "town": ("Town or village", "Shown with the area, like Chelmsford (CM1 1)"),
    "coverage_radius_miles": (
        "How far they travel (miles)",
        "0 if they only cover the districts listed below",
    ),  # fmt: skip
    "workers": ("Number of people working", "Including the owner, paid or not. 8 at most"),
}


@admin.register(Provider)
class ProviderAdmin(ImportExportMixin, admin.ModelAdmin):
    """The one admin for listings. Daily work has its own pages under /staff/ (the workbench's
    views); this stays for details the workbench does not edit, adding a listing, bulk actions
    and CSV import."""

    form = ProviderForm
    resource_classes = [ProviderResource]
    formats = [CSV]
    change_form_template = "admin/providers/provider/officer_change_form.html"
    list_display = [
        "name",
        "status",
        "area_label",
        "base_postcode",
        "legal_form",
        "last_checked_on",
        "updated_at",
    ]
    list_filter = ["status", CategoryFilter, ChecksFilter, "legal_form", "accepts_direct_payments"]
    search_fields = ["name", "base_postcode", "area_sector", "town"]
    inlines = [CheckInline, CoverageDistrictInline, ReviewInline, StatusChangeInline, ReportInline]
    actions = ["publish_selected", "record_review_selected", owner_invite_action]
    date_hierarchy = "updated_at"
    list_per_page = 50
    readonly_fields = [
        "status_with_link",
        "area_label",
        "last_checked_on",
        "nation",
        "gives_personal_care",
        "registered_until",
        "rules_met_until",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["name", "status_with_link", "summary", "description", "seen_version"]}),
        (
            "In Welsh (optional: Welsh pages show the English where these are empty)",
            {"fields": ["name_cy", "summary_cy", "description_cy"]},
        ),
        ("Business", {"fields": ["legal_form", "workers"]}),
        ("Contact (public)", {"fields": ["contact_name", "phone", "email", "website"]}),
        (
            "Where they are and where they go",
            {"fields": ["base_postcode", "town", "area_label", "coverage_radius_miles"]},
        ),
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
        (
            "Regulation (worked out from the services and checks)",
            {
                "fields": ["nation", "gives_personal_care", "registered_until", "rules_met_until"],
                "description": "A listing that offers personal care needs a verified registration "
                "check (with the regulator's ID), or, for a sole trader working alone, a verified "
                "individual exemption check.",
            },
        ),
        (
            "Council review (staff only)",
            {"fields": ["last_checked_on", "staff_notes", "created_at", "updated_at"]},
        ),
        ("What they offer", {"fields": ["services", "audiences", "languages", "welsh_spoken"]}),
    ]

    @admin.display(description="Public area")
    def area_label(self, obj):
        return obj.area_label

    @admin.display(description="Status")
    def status_with_link(self, obj):
        if obj.pk is None:
            return "Draft. Save the listing and its checks, then publish it."
        url = reverse("admin:providers_provider_status", args=[obj.pk])
        return format_html('{} <a href="{}">Change status</a>', obj.get_status_display(), url)

    def get_urls(self):
        status = path(
            "<int:object_id>/status/",
            self.admin_site.admin_view(self.status_view),
            name="providers_provider_status",
        )
        review = path(
            "<int:object_id>/review/",
            self.admin_site.admin_view(self.review_view),
            name="providers_provider_review",
        )
        return [status, review, *super().get_urls()]

    def status_view(self, request, object_id):
        """Change a listing's status with a reason; publishing names each check that fails."""
        provider = get_object_or_404(Provider, pk=object_id)
        if not self.has_change_permission(request, provider):
            return redirect("admin:index")
        problems = []
        wanted = request.GET.get("status")
        initial = wanted if wanted in Provider.Status.values else provider.status
        form = StatusForm(request.POST or None, initial={"status": initial})
        if request.method == "POST" and form.is_valid():
            try:
                change = provider_set_status(
                    provider=provider,
                    status=form.cleaned_data["status"],
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except PublishingRefused as refused:
                problems = refused.problems
            else:
                if change:
                    self.message_user(
                        request, f"{provider.name} is now {change.get_to_status_display().lower()}"
                    )
                return redirect("admin:providers_provider_change", provider.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Change the status of {provider.name}",
            "provider": provider,
            "form": form,
            "problems": problems,
            "opts": self.model._meta,
        }
        status = 400 if problems or form.errors else 200
        return TemplateResponse(
            request, "admin/providers/provider/change_status.html", context, status=status
        )

    @admin.action(description="Publish selected listings", permissions=["change"])
    def publish_selected(self, request, queryset):
        published, refused = 0, []
        for provider in queryset:
            try:
                if provider_set_status(
                    provider=provider,
                    status=Provider.Status.PUBLISHED,
                    by=request.user,
                    reason="Published: all four basic checks verified and in date",
                ):
                    published += 1
            except PublishingRefused as error:
                refused.append(f"{provider.name}: {'; '.join(error.problems)}")
        if published:
            self.message_user(request, f"Published {published} listing{'s' * (published != 1)}")
        for line in refused:
            self.message_user(request, f"Not published. {line}", messages.ERROR)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, CheckInline) and obj.pk is None:
            today = timezone.localdate()
            kwargs["initial"] = [
                {"kind": kind, "status": Check.Status.VERIFIED, "verified_on": today}
                for kind in Check.BASIC_KINDS
            ]
        return kwargs

    def save_formset(self, request, form, formset, change):
        # Whoever records a review or verifies a check is the officer saving the page.
        for item in formset.save(commit=False):
            if isinstance(item, Review) and item.reviewed_by_id is None:
                item.reviewed_by = request.user
            if (
                isinstance(item, Check)
                and item.status == Check.Status.VERIFIED
                and item.verified_by_id is None
            ):
                item.verified_by = request.user
            item.save()
        for item in formset.deleted_objects:
            item.delete()
        formset.save_m2m()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        apply_rules(self, request, form.instance)

    def get_search_results(self, request, queryset, search_term):
        # Staff paste postcodes in any shape; match the normalised form too.
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        try:
            value = PostcodeValue.parse(search_term)
        except InvalidPostcode:
            return queryset, may_have_duplicates
        return queryset | self.model.objects.filter(base_postcode=str(value)), may_have_duplicates

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # Services and who it is for: plain checkboxes, and no "+" that would make new taxonomy
        # from a listing (the taxonomy has its own pages).
        if db_field.name == "services":
            return forms.ModelMultipleChoiceField(
                queryset=Service.objects.select_related("category"),
                widget=GroupedCheckboxes,
                required=False,
                label="Services they offer",
                help_text="Anything under personal care needs a registration or a confirmed "
                "individual exemption before the listing can be published",
            )
        if db_field.name == "audiences":
            return forms.ModelMultipleChoiceField(
                queryset=Audience.objects.all(),
                widget=forms.CheckboxSelectMultiple,
                required=False,
                label="Who it is for",
            )
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in LABELS and field is not None:
            field.label, field.help_text = LABELS[db_field.name]
        return field

    def review_view(self, request, object_id):
        """Record a full review of the listing by the signed-in officer."""
        provider = get_object_or_404(Provider, pk=object_id)
        if not self.has_change_permission(request, provider):
            return redirect("admin:index")
        form = ReviewForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            Review.objects.create(provider=provider, reviewed_by=request.user, **form.cleaned_data)
            self.message_user(request, f"Full review of {provider.name} recorded")
            return redirect("admin:providers_provider_change", provider.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Record a full review of {provider.name}",
            "provider": provider,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(
            request,
            "admin/providers/provider/review.html",
            context,
            status=400 if form.errors else 200,
        )

    @admin.action(description="Record a full review of the selected listings today")
    def record_review_selected(self, request, queryset):
        count = 0
        for provider in queryset:
            Review.objects.create(provider=provider, reviewed_by=request.user)
            count += 1
        self.message_user(request, f"Recorded {count} full review{'s' * (count != 1)}")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        provider = self.get_object(request, object_id)
        extra_context = {**(extra_context or {})}
        if provider is not None:
            extra_context["timeline"] = timeline(provider)[:200]
        return super().change_view(request, object_id, form_url, extra_context)

    def import_action(self, request, **kwargs):
        try:
            return super().import_action(request, **kwargs)
        except ValueError as error:  # a file too large, say: a message, never a server error
            self.message_user(request, str(error), messages.ERROR)
            return redirect("admin:providers_provider_import")

    def process_result(self, result, request):
        # A row refused at the last moment (a listing added since the preview, say) means the
        # import wrote nothing: say so, rather than "Import finished".
        if result.has_errors() or result.has_validation_errors():
            problem = "the listings could not be saved"
            if result.invalid_rows:
                row = result.invalid_rows[0]
                problem = f"row {row.number} was refused ({'; '.join(row.error.messages)})"
            self.message_user(
                request,
                f"Nothing was imported: {problem}. Upload the file again to see every problem.",
                messages.ERROR,
            )
            return redirect("admin:providers_provider_import")
        return super().process_result(result, request)
