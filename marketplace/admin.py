"""The Django admin for imports, errors and marketplace products, and the admin site's frame.

Change lists stay fast on large tables: related rows are joined (`list_select_related`),
the full-table COUNT and the facet counts are off, and nothing in a row runs a query.
Jobs are never added or edited by hand here: they are started from /admin/marketplace
(the same service as the API) and changed only by the worker, the cancel and the retry
actions.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.requests import authenticated_user
from core.exceptions import ApplicationError
from marketplace.models import (
    MarketplaceImportError,
    MarketplaceImportJob,
    MarketplaceProduct,
    MarketplaceProductTranslation,
)
from marketplace.services import import_job_cancel, import_job_retry
from marketplace.templatetags.marketplace_tags import job_duration

admin.site.site_header = _("Letzshop import administration")
admin.site.site_title = _("Letzshop import admin")
admin.site.index_title = _("Dashboard")

COUNTERS = ("imported_count", "updated_count", "unchanged_count", "error_count", "warning_count", "total_processed")
Status = MarketplaceImportJob.Status


# --- django-q2 --------------------------------------------------------------------------
class SuperuserOnlyAdminMixin:
    """django-q2's task, schedule and queue pages are for superusers only (SPEC section 9).

    A staff user who is not a superuser does not see them in the index or the sidebar and
    gets 403 on their URLs, whatever model permissions they were given.
    """

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser and super().has_module_permission(request)  # type: ignore[misc]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser and super().has_view_permission(request, obj)  # type: ignore[misc]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return request.user.is_superuser and super().has_add_permission(request, *args)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)  # type: ignore[misc]


def restrict_django_q_admin() -> None:
    """Make django-q2's ModelAdmins superuser-only; called once every admin module is loaded."""
    from django_q import models as q_models

    for model in (q_models.Schedule, q_models.Success, q_models.Failure, q_models.OrmQ):
        if not admin.site.is_registered(model):
            continue
        base = type(admin.site.get_model_admin(model))
        admin.site.unregister(model)
        admin.site.register(model, type(f"SuperuserOnly{base.__name__}", (SuperuserOnlyAdminMixin, base), {}))


# --- import jobs ------------------------------------------------------------------------
class CreatorFilter(admin.SimpleListFilter):
    """Who started the job: me, or any staff member who ever started one (store users are many)."""

    title = _("created by")
    parameter_name = "creator"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        from accounts.models import User

        staff = User.objects.filter(is_staff=True).order_by("username").values_list("id", "username")
        others = [(str(pk), name) for pk, name in staff if pk != request.user.pk]
        return [("me", "Me"), ("store", "Store users"), *others]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[MarketplaceImportJob]
    ) -> QuerySet[MarketplaceImportJob]:
        value = self.value()
        if value == "me":
            return queryset.filter(user=authenticated_user(request))
        if value == "store":
            return queryset.filter(user__is_staff=False)
        if value and value.isdigit():
            return queryset.filter(user_id=int(value))
        return queryset


@admin.action(description="Retry the selected failed jobs")
def retry_jobs(
    modeladmin: admin.ModelAdmin[MarketplaceImportJob], request: HttpRequest, queryset: QuerySet[MarketplaceImportJob]
) -> None:
    retried, refused = [], []
    for job in queryset.select_related("store"):
        try:
            new_job = import_job_retry(job=job, user=authenticated_user(request))
        except (ApplicationError, ValidationError) as exc:
            message = exc.message if isinstance(exc, ApplicationError) else "; ".join(exc.messages)
            refused.append(f"#{job.pk}: {message}")
        else:
            retried.append(f"#{job.pk} → #{new_job.pk}")
    if retried:
        modeladmin.message_user(request, f"Retried {len(retried)} job(s): {', '.join(retried)}.", messages.SUCCESS)
    if refused:
        modeladmin.message_user(request, f"Not retried: {' '.join(refused)}", messages.WARNING)


@admin.action(description="Cancel the selected active jobs")
def cancel_jobs(
    modeladmin: admin.ModelAdmin[MarketplaceImportJob], request: HttpRequest, queryset: QuerySet[MarketplaceImportJob]
) -> None:
    cancelled, skipped = [], []
    for job in queryset:
        if not job.is_active:
            skipped.append(f"#{job.pk}")
            continue
        try:
            job = import_job_cancel(job=job)
        except ApplicationError:  # finished between the listing and the click
            skipped.append(f"#{job.pk}")
        else:
            cancelled.append(f"#{job.pk} ({job.get_status_display().lower()})")
    if cancelled:
        modeladmin.message_user(request, f"Cancel requested for {', '.join(cancelled)}.", messages.SUCCESS)
    if skipped:
        modeladmin.message_user(request, f"Not active, left as they were: {', '.join(skipped)}.", messages.WARNING)


@admin.register(MarketplaceImportJob)
class MarketplaceImportJobAdmin(admin.ModelAdmin[MarketplaceImportJob]):
    list_display = (
        "id",
        "store_name",
        "status_badge",
        "language",
        "marketplace",
        "imported_count",
        "updated_count",
        "unchanged_count",
        "errors_link",
        "warning_count",
        "total_processed",
        "created_by",
        "created_at",
        "duration",
    )
    list_display_links = ("id",)
    list_filter = ("status", "marketplace", "language", "store", CreatorFilter, "created_at")
    list_select_related = ("store", "user")
    search_fields = ("store__code", "store__name", "source_url")
    search_help_text = "Store code or name, or part of the feed URL."
    list_per_page = 50
    # 100,000 jobs: no second COUNT(*) over the whole table, no facet counts.
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    actions = [retry_jobs, cancel_jobs]
    fieldsets = (
        (
            "Job",
            {
                "fields": (
                    "store",
                    "user",
                    "marketplace",
                    "language",
                    "batch_size",
                    "source_url",
                    "source_filename",
                    "status",
                    "retried_from",
                    "monitor_link",
                )
            },
        ),
        ("Counters", {"fields": (*COUNTERS, "progress_percent", "bytes_processed", "bytes_total")}),
        ("Problems", {"fields": ("errors_summary", "error_message")}),
        ("Detected", {"fields": ("detected_encoding", "detected_delimiter")}),
        (
            "Timing",
            {
                "fields": (
                    "created_at",
                    "started_at",
                    "completed_at",
                    "duration",
                    "heartbeat_at",
                    "attempts",
                    "cancel_requested",
                    "updated_at",
                )
            },
        ),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Every field: the job's state belongs to the worker and the services.
        # cast: this admin's fieldsets name flat fields, never a row (tuple) of them.
        return [cast(str, name) for fieldset in self.fieldsets for name in fieldset[1]["fields"]]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Jobs are started from /admin/marketplace, which validates and queues them.
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="store", ordering="store__name")
    def store_name(self, job: MarketplaceImportJob) -> str:
        return job.store.name

    @admin.display(description="status", ordering="status")
    def status_badge(self, job: MarketplaceImportJob) -> str:
        return format_html('<span class="job-status job-status-{}">{}</span>', job.status, job.get_status_display())

    @admin.display(description="errors", ordering="error_count")
    def errors_link(self, job: MarketplaceImportJob) -> str:
        if not job.error_count and not job.warning_count:
            return "0"
        url = reverse("admin:marketplace_marketplaceimporterror_changelist") + f"?job={job.pk}"
        return format_html('<a href="{}">{}</a>', url, job.error_count)

    @admin.display(description="created by", ordering="user__username")
    def created_by(self, job: MarketplaceImportJob) -> str:
        return job.user.get_username() if job.user else "—"

    @admin.display(description="duration")
    def duration(self, job: MarketplaceImportJob) -> str:
        return job_duration(job)

    @admin.display(description="monitor")
    def monitor_link(self, job: MarketplaceImportJob) -> str:
        url = reverse("admin_pages:import-detail", args=[job.pk])
        return format_html('<a href="{}">Open in Import Jobs (details and error viewer)</a>', url)

    @admin.display(description="errors and warnings")
    def errors_summary(self, job: MarketplaceImportJob) -> str:
        if not job.error_count and not job.warning_count:
            return "None"
        url = reverse("admin:marketplace_marketplaceimporterror_changelist") + f"?job={job.pk}"
        return format_html('<a href="{}">{} error(s), {} warning(s)</a>', url, job.error_count, job.warning_count)


# --- import errors ----------------------------------------------------------------------
class JobFilter(admin.SimpleListFilter):
    """The errors of one job, reached from the job (`?job=42`); no list of every job."""

    title = _("import job")
    parameter_name = "job"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        value = request.GET.get(self.parameter_name, "")
        return [(value, f"Job #{value}")] if value.isdigit() else []

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[MarketplaceImportError]
    ) -> QuerySet[MarketplaceImportError]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(import_job_id=int(value))
        return queryset


@admin.register(MarketplaceImportError)
class MarketplaceImportErrorAdmin(admin.ModelAdmin[MarketplaceImportError]):
    list_display = (
        "id",
        "job_link",
        "store_code",
        "row_number",
        "identifier",
        "error_type",
        "severity",
        "field",
        "short_message",
    )
    list_filter = (JobFilter, "error_type", "severity")
    list_select_related = ("import_job__store",)
    search_fields = ("identifier", "error_message")
    search_help_text = "Product id or part of the message."
    list_per_page = 100
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    readonly_fields = (
        "import_job",
        "row_number",
        "identifier",
        "error_type",
        "severity",
        "field",
        "error_message",
        "row_data",
        "created_at",
    )

    def get_ordering(self, request: HttpRequest) -> tuple[str, ...]:
        # One job's errors in row order (err_job_row_idx); across jobs, newest first (primary key).
        if request.GET.get(JobFilter.parameter_name, "").isdigit():
            return ("row_number", "id")
        return ("-id",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="job", ordering="import_job_id")
    def job_link(self, error: MarketplaceImportError) -> str:
        url = reverse("admin_pages:import-detail", args=[error.import_job_id])
        return format_html('<a href="{}">#{}</a>', url, error.import_job_id)

    @admin.display(description="store", ordering="import_job__store__code")
    def store_code(self, error: MarketplaceImportError) -> str:
        return error.import_job.store.code

    @admin.display(description="message")
    def short_message(self, error: MarketplaceImportError) -> str:
        text = error.error_message
        return text if len(text) <= 120 else text[:119] + "…"


# --- marketplace products ---------------------------------------------------------------
class InputListFilter(admin.SimpleListFilter):
    """A list filter with a text box, for columns with too many values to list (brands)."""

    template = "admin/platform/input_filter.html"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return []

    def has_output(self) -> bool:
        return True

    def choices(self, changelist: Any) -> Any:
        other = QueryDict(changelist.get_query_string(remove=[self.parameter_name, "p"]).lstrip("?"))
        yield {
            "selected": self.value() is not None,
            "value": self.value() or "",
            "parameter_name": self.parameter_name,
            "hidden": [(key, value) for key, values in other.lists() for value in values],
            "clear_query_string": changelist.get_query_string(remove=[self.parameter_name]),
        }


class BrandFilter(InputListFilter):
    title = _("brand")
    parameter_name = "brand"

    def queryset(self, request: HttpRequest, queryset: QuerySet[MarketplaceProduct]) -> QuerySet[MarketplaceProduct]:
        value = (self.value() or "").strip()
        return queryset.filter(brand__iexact=value) if value else queryset


class TranslationInline(admin.StackedInline[MarketplaceProductTranslation, MarketplaceProduct]):
    model = MarketplaceProductTranslation
    extra = 0
    readonly_fields = ("source_hash", "had_warnings", "created_at", "updated_at")


@admin.register(MarketplaceProduct)
class MarketplaceProductAdmin(admin.ModelAdmin[MarketplaceProduct]):
    list_display = (
        "marketplace_product_id",
        "title",
        "store_code",
        "brand",
        "price",
        "availability",
        "gtin",
        "updated_at",
    )
    list_filter = ("availability", "store", BrandFilter, "condition", "marketplace")
    list_select_related = ("store",)
    search_fields = ("title", "^marketplace_product_id", "=gtin")
    search_help_text = "Part of the title, the start of a product id, or a whole GTIN."
    raw_id_fields = ("store", "last_import_job")
    readonly_fields = ("content_hash", "created_at", "updated_at")
    inlines = [TranslationInline]
    list_per_page = 50
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    @admin.display(description="store", ordering="store__code")
    def store_code(self, product: MarketplaceProduct) -> str:
        return product.store.code
