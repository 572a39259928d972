from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    """What was last emailed per store, kind and feed, and how many repeats were folded: read only."""

    list_display = ("store", "kind", "key", "sent_at", "folded_count", "last_event_at")
    list_filter = ("kind", "key")
    list_select_related = ("store",)
    search_fields = ("store__code", "store__name")
    ordering = ("-sent_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False
