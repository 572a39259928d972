from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from stores.models import StoreMembership


class MembershipInline(admin.TabularInline[StoreMembership, User]):
    model = StoreMembership
    extra = 0
    raw_id_fields = ("store",)
    fields = ("store", "role", "created_at")
    readonly_fields = ("created_at",)


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    inlines = [MembershipInline]
    list_display = (
        "username",
        "email",
        "is_staff",
        "is_superuser",
        "is_active",
        "store_memberships",
        "last_login",
        "date_joined",
    )
    list_filter = ("is_staff", "is_superuser", "is_active", "memberships__role", "memberships__store")
    search_fields = ("username", "email", "first_name", "last_name", "memberships__store__code")

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        # One extra query for the whole page, not one per user.
        memberships = StoreMembership.objects.select_related("store").order_by("store__code")
        return super().get_queryset(request).prefetch_related(Prefetch("memberships", queryset=memberships))

    @admin.display(description=_("stores"))
    def store_memberships(self, user: User) -> str:
        return ", ".join(f"{m.store.code} ({m.role})" for m in user.memberships.all()) or "—"
