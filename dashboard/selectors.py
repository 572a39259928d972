"""What the store dashboard shows: it sums up the marketplace (imports) and the catalog."""

from __future__ import annotations

from django.db.models import Count, Q

from catalog.models import Product
from catalog.selectors import catalog_language_coverage
from marketplace.models import MarketplaceImportJob
from stores.models import Store


def store_dashboard_data(*, store: Store) -> dict[str, object]:
    """Counts, language coverage and the latest jobs for the store dashboard, in a fixed number
    of queries (five: the product count is the coverage's)."""
    active = MarketplaceImportJob.ACTIVE_STATUSES
    job_counts = MarketplaceImportJob.objects.filter(store=store).aggregate(
        total=Count("id"),
        active=Count("id", filter=Q(status__in=active)),
    )
    coverage = catalog_language_coverage(store=store)
    return {
        "product_count": coverage.total,
        "language_coverage": coverage,
        "published_count": Product.objects.filter(store=store).count(),
        "job_count": job_counts["total"],
        "active_job_count": job_counts["active"],
        "latest_jobs": list(
            MarketplaceImportJob.objects.filter(store=store).select_related("user").order_by("-created_at", "-id")[:5]
        ),
        "feed_languages": [language for language in ("fr", "en", "de") if store.feed_url(language)],
    }
