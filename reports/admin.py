from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.html import format_html
from django.utils.timesince import timesince

from .models import ProblemReport

# What the member of the public sent: staff can read it, never rewrite it.
PUBLIC_FIELDS = ["provider_link", "topic", "message", "name", "contact", "urgent", "created_at"]


class OpenFilter(admin.SimpleListFilter):
    title = "open or closed"
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", "Open (new or in progress)"), ("no", "Closed")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.open()
        if self.value() == "no":
            return queryset.filter(status=ProblemReport.Status.CLOSED)
        return queryset


@admin.register(ProblemReport)
class ProblemReportAdmin(admin.ModelAdmin):
    list_display = [
        "provider_display",
        "topic",
        "urgent",
        "status",
        "waiting",
        "assigned_to",
        "created_at",
    ]
    list_filter = [OpenFilter, "status", "urgent", "topic", "assigned_to"]
    search_fields = ["provider__name", "provider_name", "message"]
    # Urgent first; within each, the longest waiting first.
    ordering = ["-urgent", "created_at"]
    list_select_related = ["provider"]
    date_hierarchy = "created_at"
    list_per_page = 50
    actions = ["mark_in_progress", "mark_closed"]
    readonly_fields = [*PUBLIC_FIELDS, "updated_at"]
    fieldsets = [
        ("What they told us", {"fields": PUBLIC_FIELDS}),
        (
            "Council response (staff only)",
            {"fields": ["status", "assigned_to", "staff_note", "updated_at"]},
        ),
    ]

    def has_add_permission(self, request):
        # Reports only come from the public form.
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assigned_to":
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="Waiting", ordering="created_at")
    def waiting(self, obj):
        if obj.status == ProblemReport.Status.CLOSED:
            return "Closed"
        return timesince(obj.created_at)

    @admin.display(description="Provider", ordering="provider_name")
    def provider_display(self, obj):
        return obj.provider.name if obj.provider else f"{obj.provider_name} (listing deleted)"

    @admin.display(description="Provider")
    def provider_link(self, obj):
        if obj.provider_id is None:
            return f"{obj.provider_name} (listing deleted)"
        url = reverse("admin:providers_provider_change", args=[obj.provider_id])
        return format_html('<a href="{}">{}</a>', url, obj.provider.name)

    def _set_status(self, request, queryset, status):
        # Each report saved on its own, not queryset.update(), which sends no signals: so every
        # change reaches the audit trail, with the officer who made it.
        changed = 0
        for report in queryset.exclude(status=status):
            report.status = status
            report.save(update_fields=["status", "updated_at"])
            changed += 1
        label = ProblemReport.Status(status).label.lower()
        self.message_user(
            request, f"{changed} report{'' if changed == 1 else 's'} marked as {label}."
        )

    @admin.action(description="Mark as in progress", permissions=["change"])
    def mark_in_progress(self, request, queryset):
        self._set_status(request, queryset, ProblemReport.Status.IN_PROGRESS)

    @admin.action(
        description="Mark as closed (those with a staff note saying why)", permissions=["change"]
    )
    def mark_closed(self, request, queryset):
        without = queryset.exclude(status=ProblemReport.Status.CLOSED).filter(staff_note="")
        if skipped := without.count():
            self.message_user(
                request,
                f"{skipped} report{'' if skipped == 1 else 's'} not closed: open each and write in "
                "the staff note why it can be closed.",
                messages.WARNING,
            )
        self._set_status(request, queryset.exclude(staff_note=""), ProblemReport.Status.CLOSED)

    def has_delete_permission(self, request, obj=None):
        # A report, above all a safety concern, is a record the council keeps: close it instead.
        return False

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class ReportForm(form):
            def clean(self):
                cleaned = super().clean()
                if (
                    cleaned.get("status") == ProblemReport.Status.CLOSED
                    and not (cleaned.get("staff_note") or "").strip()
                ):
                    self.add_error("staff_note", "Say why you are closing this report")
                return cleaned

        return ReportForm
