from django.contrib import admin, messages
from django.utils import timezone

from .models import SharedShortlist
from .services import shared_shortlist_revoke


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", "Working"), ("inactive", "Expired or turned off")]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.active()
        if self.value() == "inactive":
            return queryset.inactive()
        return queryset


@admin.register(SharedShortlist)
class SharedShortlistAdmin(admin.ModelAdmin):
    """Links people made to their shortlists. Staff can see when and turn them off, never add
    or edit them. The notes people wrote are theirs, so they are not shown here."""

    list_display = ["link", "created_at", "expires_at", "revoked_at", "provider_count"]
    list_filter = [StateFilter, "created_at"]
    # Exact match only: a person who reports a link can paste it, nobody can browse tokens.
    search_fields = ["=token"]
    fields = ["link", "created_at", "expires_at", "revoked_at", "provider_count"]
    readonly_fields = fields
    actions = ["revoke"]
    date_hierarchy = "created_at"

    @admin.display(description="link")
    def link(self, obj):
        return f"{obj.token[:6]}…"

    @admin.display(description="number of providers")
    def provider_count(self, obj):
        return obj.provider_count

    def has_add_permission(self, request):
        return False

    def get_search_results(self, request, queryset, search_term):
        # Accept a whole pasted link as well as a bare token.
        token = search_term.strip().rstrip("/").rsplit("/", 1)[-1]
        return super().get_search_results(request, queryset, token)

    @admin.action(description="Turn off the selected links", permissions=["change"])
    def revoke(self, request, queryset):
        now = timezone.now()
        count = 0
        for shared in queryset.filter(revoked_at__isnull=True):
            shared_shortlist_revoke(shared=shared, now=now)
            count += 1
        self.message_user(
            request, f"Turned off {count} link{'s' if count != 1 else ''}", messages.SUCCESS
        )
