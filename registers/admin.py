from django.contrib import admin

from .models import RegisterRecord, SyncCursor


class NeedsOfficerFilter(admin.SimpleListFilter):
    title = "needs an officer"
    parameter_name = "needs_officer"

    def lookups(self, request, model_admin):
        return [("yes", "Yes: a difference not yet looked at, or could not check")]

    def queryset(self, request, queryset):
        if self.value() != "yes":
            return queryset
        return queryset.filter(
            pk__in=[
                record.pk for record in queryset if record.needs_officer or record.could_not_check
            ]
        )


@admin.register(RegisterRecord)
class RegisterRecordAdmin(admin.ModelAdmin):
    """What the registers said. Written by the nightly check (and, for CIW, the staff form);
    read here, never edited: an officer acts on the listing itself."""

    list_display = ["provider", "kind", "register_id", "outcome", "answered_at", "could_not_check"]
    list_filter = [NeedsOfficerFilter, "kind", "outcome"]
    search_fields = ["provider__name", "register_id", "name"]
    list_select_related = ["provider"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SyncCursor)
class SyncCursorAdmin(admin.ModelAdmin):
    list_display = ["name", "last_run_at"]

    def has_add_permission(self, request):
        return False
