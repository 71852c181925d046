from django.contrib import admin

from .models import Postcode, PostcodeArea


@admin.register(Postcode)
class PostcodeAdmin(admin.ModelAdmin):
    list_display = ["postcode", "latitude", "longitude", "admin_district"]
    search_fields = ["=postcode"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False  # loaded by import_postcodes, never typed in

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PostcodeArea)
class PostcodeAreaAdmin(PostcodeAdmin):
    list_display = ["code", "kind", "latitude", "longitude", "postcode_count"]
    list_filter = ["kind"]
    search_fields = ["=code"]
