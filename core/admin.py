from django.contrib import admin

from .models import OutboxEmail


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    """Emails the site has sent or will try again: staff can see what is waiting and why, but
    nobody writes or removes them here."""

    list_display = ["subject", "to", "created_at", "sent_at", "attempts"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["=to", "subject"]
    readonly_fields = [
        "key", "to", "subject", "body", "created_at", "sent_at", "attempts", "last_error",
        "next_attempt_at",
    ]  # fmt: skip

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
