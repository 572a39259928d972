from __future__ import annotations

from django.contrib import admin

from marketplace.models import (
    MarketplaceImportError,
    MarketplaceImportJob,
    MarketplaceProduct,
    MarketplaceProductTranslation,
)

COUNTERS = ("imported_count", "updated_count", "unchanged_count", "error_count", "warning_count", "total_processed")


@admin.register(MarketplaceImportJob)
class MarketplaceImportJobAdmin(admin.ModelAdmin):
    list_display = ("id", "store", "language", "status", *COUNTERS[:5], "user", "created_at")
    list_filter = ("status", "marketplace", "language", "store", "created_at")
    list_select_related = ("store", "user")
    search_fields = ("store__code", "store__name", "source_url")
    raw_id_fields = ("store", "user", "retried_from")
    readonly_fields = (*COUNTERS, "progress_percent", "bytes_total", "bytes_processed", "detected_encoding",
                       "detected_delimiter", "started_at", "completed_at", "heartbeat_at", "attempts",
                       "created_at", "updated_at")
    date_hierarchy = "created_at"


@admin.register(MarketplaceImportError)
class MarketplaceImportErrorAdmin(admin.ModelAdmin):
    list_display = ("import_job", "row_number", "identifier", "error_type", "severity", "field", "error_message")
    list_filter = ("error_type", "severity")
    list_select_related = ("import_job",)
    search_fields = ("identifier", "error_message")
    raw_id_fields = ("import_job",)


class TranslationInline(admin.StackedInline):
    model = MarketplaceProductTranslation
    extra = 0
    readonly_fields = ("source_hash", "had_warnings", "created_at", "updated_at")


@admin.register(MarketplaceProduct)
class MarketplaceProductAdmin(admin.ModelAdmin):
    list_display = ("marketplace_product_id", "title", "store", "brand", "price", "availability", "gtin", "updated_at")
    list_filter = ("availability", "condition", "marketplace", "store")
    list_select_related = ("store",)
    search_fields = ("title", "marketplace_product_id", "gtin", "brand")
    raw_id_fields = ("store", "last_import_job")
    readonly_fields = ("content_hash", "created_at", "updated_at")
    inlines = [TranslationInline]
