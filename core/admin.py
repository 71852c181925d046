from django.contrib import admin

from .models import OutboxEmail
from .outbox import shown_body


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    """Emails the site has sent or will try again: staff can see what is waiting and why, but
    nobody writes or removes them here. A one-time link is never stored, so never shown."""

    list_display = ["subject", "channel", "to", "created_at", "sent_at", "attempts"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter), "channel"]
    search_fields = ["=to", "subject"]
    fields = readonly_fields = [
        "key", "channel", "to", "subject", "email_body", "created_at", "sent_at", "attempts",
        "last_error", "next_attempt_at",
    ]  # fmt: skip

    @admin.display(description="body")
    def email_body(self, obj):
        return shown_body(obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
