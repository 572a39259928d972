from __future__ import annotations

from django.contrib import admin

from stores.models import Store, StoreMembership


class StoreMembershipInline(admin.TabularInline):
    model = StoreMembership
    extra = 0
    raw_id_fields = ("user",)
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "default_language", "is_active", "created_at")
    list_filter = ("is_active", "default_language")
    search_fields = ("code", "name")
    inlines = [StoreMembershipInline]
    fieldsets = (
        (None, {"fields": ("code", "name", "default_language", "is_active")}),
        (
            "Letzshop feeds (Quick Fill)",
            {"fields": ("letzshop_csv_url_fr", "letzshop_csv_url_en", "letzshop_csv_url_de")},
        ),
    )


@admin.register(StoreMembership)
class StoreMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "store", "role", "created_at")
    list_filter = ("role",)
    list_select_related = ("user", "store")
    search_fields = ("user__username", "store__code", "store__name")
    raw_id_fields = ("user", "store")
