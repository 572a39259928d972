from __future__ import annotations

from django.db.models import QuerySet

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
    """Counts and the latest jobs for the store dashboard, in a fixed number of queries."""
    from catalog.models import Product
    from marketplace.models import MarketplaceImportJob, MarketplaceProduct

    return {
        "product_count": MarketplaceProduct.objects.filter(store=store).count(),
        "published_count": Product.objects.filter(store=store).count(),
        "latest_jobs": list(
            MarketplaceImportJob.objects.filter(store=store).select_related("user").order_by("-created_at", "-id")[:5]
        ),
    }
