from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from stores.models import Store, StoreMembership


class StoreMembershipInline(admin.TabularInline[StoreMembership, Store]):
    model = StoreMembership
    extra = 0
    raw_id_fields = ("user",)
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin[Store]):
    list_display = (
        "code",
        "name",
        "default_language",
        "is_active",
        "member_count",
        "feeds",
        "platform_links",
        "created_at",
    )
    list_filter = ("is_active", "default_language")
    search_fields = ("code", "name")
    inlines = [StoreMembershipInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = (
        (None, {"fields": ("code", "name", "default_language", "is_active")}),
        (
            _("Letzshop feeds (Quick Fill)"),
            {"fields": ("letzshop_csv_url_fr", "letzshop_csv_url_en", "letzshop_csv_url_de")},
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Store]:
        return super().get_queryset(request).annotate(_member_count=Count("memberships"))

    @admin.display(description=_("members"), ordering="_member_count")
    def member_count(self, store: Store) -> int:
        count: int = store._member_count  # type: ignore[attr-defined]  # annotated by get_queryset
        return count

    @admin.display(description=_("feed URLs"))
    def feeds(self, store: Store) -> str:
        languages = [language.upper() for language in ("fr", "en", "de") if store.feed_url(language)]
        return " ".join(languages) or "—"

    @admin.display(description="")
    def platform_links(self, store: Store) -> str:
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin_pages:store-edit", args=[store.code]),
            _("Settings"),
            reverse("admin_pages:marketplace") + f"?store={store.code}",
            _("Import"),
            reverse("admin_pages:imports") + f"?store={store.pk}",
            _("Jobs"),
        )


@admin.register(StoreMembership)
class StoreMembershipAdmin(admin.ModelAdmin[StoreMembership]):
    list_display = ("user", "store", "role", "created_at")
    list_filter = ("role", "store")
    list_select_related = ("user", "store")
    search_fields = ("user__username", "store__code", "store__name")
    raw_id_fields = ("user", "store")
