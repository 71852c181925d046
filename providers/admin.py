from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.db.models import Exists, OuterRef
from django.utils import timezone

from .models import (
    Audience,
    Check,
    CoverageDistrict,
    Provider,
    Review,
    Service,
    ServiceCategory,
    StatusChange,
)
from .services import listings_apply_rules


class ChecksFilter(admin.SimpleListFilter):
    title = "checks"
    parameter_name = "checks"

    def lookups(self, request, model_admin):
        return [
            ("current", "All four basic checks current"),
            ("expired", "Has an expired check"),
            ("incomplete", "Basic checks not all current"),
            ("outside_rules", "Published but outside the rules (hidden from the public)"),
            ("in_grace", "In their grace period"),
            ("suspended_by_rules", "Suspended by the publishing rules"),
            ("review_due", "Published, no full review for a year"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "current":
            return queryset.with_basic_checks_current()
        if self.value() == "expired":
            return queryset.with_expired_checks()
        if self.value() == "incomplete":
            return queryset.without_basic_checks_current()
        if self.value() == "outside_rules":
            return queryset.published().outside_rules()
        if self.value() == "in_grace":
            return queryset.published().in_grace()
        if self.value() == "suspended_by_rules":
            return queryset.suspended_by_rules()
        if self.value() == "review_due":
            return queryset.published().review_due()
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


class NewCheckForm(forms.ModelForm):
    """On a new listing the four basic checks are filled in, verified today: a row is saved as
    it stands (set "Not provided" for a check you have not seen), so the officer only adds what
    differs, such as expiry dates."""

    def has_changed(self):
        return self.instance.pk is None or super().has_changed()


class CheckInline(admin.TabularInline):
    model = Check
    form = NewCheckForm
    extra = 0
    fields = [
        "kind",
        "status",
        "verified_on",
        "verified_by",
        "expires_on",
        "reference",
        "link",
        "staff_notes",
    ]
    autocomplete_fields = ["verified_by"]

    def get_extra(self, request, obj=None, **kwargs):
        return len(Check.BASIC_KINDS) if obj is None else 0


class ReviewInline(admin.TabularInline):
    model = Review
    extra = 0
    fields = ["reviewed_on", "reviewed_by", "notes"]
    readonly_fields = ["reviewed_by"]
    verbose_name_plural = "full reviews (record one when you have checked the whole listing)"


class ReadOnlyInline(admin.TabularInline):
    """Rows a listing's page shows but where nothing is added, changed or deleted."""

    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StatusChangeInline(ReadOnlyInline):
    """The listing's status history: written only through "Change status", never edited."""

    model = StatusChange
    fields = ["changed_at", "from_status", "to_status", "changed_by", "reason"]
    readonly_fields = fields
    verbose_name_plural = "status history"


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Provider.Status.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Why",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="Kept in the listing's status history",
        error_messages={"required": "Say why the status is changing"},
    )


class ProviderForm(forms.ModelForm):
    """The listing's page, refused if the listing changed since it was opened (its version)."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seen_version"].initial = self.instance.version if self.instance.pk else 0

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        # Lock the row for the rest of this save: two officers saving at once take turns, and
        # the second sees the first's version.
        current = (
            Provider.objects.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list("version", flat=True)
            .first()
        )
        if cleaned.get("seen_version") != current:
            raise forms.ValidationError(self._conflict())
        return cleaned

    def _conflict(self):
        differences = []
        for name, field in self.fields.items():
            if name == "seen_version" or name not in self.cleaned_data:
                continue
            theirs = getattr(self.instance, name, None)
            mine = self.cleaned_data[name]
            if hasattr(theirs, "all"):  # services, audiences
                theirs, mine = sorted(map(str, theirs.all())), sorted(map(str, mine or []))
            if theirs != mine:
                differences.append(
                    f"{field.label}: theirs \u201c{theirs}\u201d, yours \u201c{mine}\u201d"
                )
        return (
            "Someone else saved this listing while you had it open, so your changes have not "
            "been saved. Their version is now the listing; open it again to see it with its "
            "checks, then make your changes again. "
            + ("What differs: " + "; ".join(differences) + "." if differences else "")
        )


class CoverageDistrictInline(admin.TabularInline):
    model = CoverageDistrict
    extra = 1
    verbose_name = "postcode district covered"
    verbose_name_plural = "postcode districts covered (as well as the travel radius)"


class ExpiryFilter(admin.SimpleListFilter):
    """Looks forward, as officers need: what runs out soon, and what has run out."""

    title = "runs out"
    parameter_name = "expires"

    def lookups(self, request, model_admin):
        return [
            ("next_7", "In the next 7 days"),
            ("next_30", "In the next 30 days"),
            ("next_90", "In the next 90 days"),
            ("ran_out", "Has run out"),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() in ("next_7", "next_30", "next_90"):
            days = int(self.value().split("_")[1])
            return queryset.current(today).filter(expires_on__lte=today + timedelta(days=days))
        if self.value() == "ran_out":
            return queryset.expired(today)
        return queryset


@admin.register(Check)
class CheckAdmin(admin.ModelAdmin):
    list_display = ["provider", "kind", "status", "verified_on", "expires_on", "is_current"]
    list_filter = [ExpiryFilter, "kind", "status"]
    search_fields = ["provider__name"]
    autocomplete_fields = ["provider", "verified_by"]

    @admin.display(boolean=True, description="Current")
    def is_current(self, obj):
        return obj.is_current(timezone.localdate())

    def save_model(self, request, obj, form, change):
        if obj.status == Check.Status.VERIFIED and obj.verified_by_id is None:
            obj.verified_by = request.user
        super().save_model(request, obj, form, change)
        apply_rules(self, request, obj.provider)


def apply_rules(model_admin, request, provider):
    """After staff change a listing or its checks: take it down at once if it now breaks the
    publishing rules (a rejected check, say), and tell them."""
    for change in listings_apply_rules(providers=[provider], by=request.user):
        model_admin.message_user(
            request, f"{provider.name} was suspended. {change.reason}", messages.WARNING
        )


class ServiceInline(admin.TabularInline):
    model = Service
    extra = 1
    prepopulated_fields = {"slug": ["name"]}


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "regulated"]
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
