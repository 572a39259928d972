from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from accounts.models import User
from stores.models import Store, StoreMembership


def store_list_for_user(*, user: User) -> QuerySet[Store]:
    """Stores the user may see: all for platform admins, their memberships otherwise."""
    if user.is_staff:
        return Store.objects.all()
    return Store.objects.filter(memberships__user=user).distinct()


def membership_get(*, user: User, store: Store) -> StoreMembership | None:
    return StoreMembership.objects.filter(user=user, store=store).first()


def store_dashboard_data(*, store: Store) -> dict[str, object]:
    """Counts and the latest jobs for the store dashboard, in a fixed number of queries (four)."""
    from catalog.models import Product
    from marketplace.models import MarketplaceImportJob, MarketplaceProduct

    active = MarketplaceImportJob.ACTIVE_STATUSES
    job_counts = MarketplaceImportJob.objects.filter(store=store).aggregate(
        total=Count("id"),
        active=Count("id", filter=Q(status__in=active)),
    )
    return {
        "product_count": MarketplaceProduct.objects.filter(store=store).count(),
        "published_count": Product.objects.filter(store=store).count(),
        "job_count": job_counts["total"],
        "active_job_count": job_counts["active"],
        "latest_jobs": list(
            MarketplaceImportJob.objects.filter(store=store).select_related("user").order_by("-created_at", "-id")[:5]
        ),
        "feed_languages": [language for language in ("fr", "en", "de") if store.feed_url(language)],
    }
