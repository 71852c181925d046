from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from .models import Application, Owner, ProposedChange, ProviderFigures
from .services import owner_invite


@admin.register(ProposedChange)
class ProposedChangeAdmin(admin.ModelAdmin):
    """A list to find proposals; each is decided on its own page in the workbench."""

    list_display = ["provider", "status", "updated_at", "decide"]
    list_filter = ["status"]
    search_fields = ["provider__name"]
    readonly_fields = [f.name for f in ProposedChange._meta.fields]

    @admin.display(description="Decide")
    def decide(self, obj):
        return format_html('<a href="{}">Open</a>', reverse("workbench:proposal", args=[obj.pk]))

    def has_add_permission(self, request):
        return False  # providers send them

    def has_delete_permission(self, request, obj=None):
        return False  # a record of what was asked and decided


@admin.register(Owner)
class OwnerAdmin(admin.ModelAdmin):
    list_display = ["provider", "user", "created_at"]
    search_fields = ["provider__name", "user__email"]
    raw_id_fields = ["provider", "user"]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["provider", "email", "email_in_use", "created_at"]
    list_filter = ["email_in_use"]
    readonly_fields = [
        "provider", "email", "email_in_use", "answers", "regulation_advice", "created_at",
    ]  # fmt: skip

    def has_add_permission(self, request):
        return False  # made by applying

    def has_delete_permission(self, request, obj=None):
        return False  # kept with the listing


@admin.register(ProviderFigures)
class ProviderFiguresAdmin(admin.ModelAdmin):
    list_display = ["provider", "people_supported", "hours_a_week", "updated_at"]


@admin.action(description="Invite the owner to manage the listing (by its email address)")
def owner_invite_action(modeladmin, request, queryset):
    """Staff action on listings: invite each listing's contact email to manage it."""
    for provider in queryset:
        if not provider.email:
            messages.warning(request, f"{provider.name} has no email address to invite")
            continue
        try:
            owner_invite(provider=provider, email=provider.email, by=request.user)
        except ValueError as error:
            messages.warning(request, str(error))
        else:
            messages.success(request, f"Invited {provider.email} to manage {provider.name}")
