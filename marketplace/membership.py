"""Feed membership (SPEC 7): which products an import's feed contained, and from it each
translation's last import that contained it.

The rows are written by the import engine, one per product of the feed (COPY, see
`importing.writing`); here they are read and pruned.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery

from marketplace.models import FeedMembership, MarketplaceImportJob, MarketplaceProductTranslation


def feed_product_ids(*, job_id: int) -> QuerySet[FeedMembership, Any]:
    """The ids of the products the import's feed contained, as a subquery (`pk__in=`)."""
    return FeedMembership.objects.filter(import_job_id=job_id).values("product_id")


def _last_seen(store_id: Any, field: str) -> Subquery:
    # The store's imports of the translation's language, newest first, each probed by the
    # primary key (import, product): a handful, since older imports' rows are pruned.
    latest = FeedMembership.objects.filter(
        product_id=OuterRef("product_id"),
        import_job__store_id=store_id,
        import_job__language=OuterRef("language"),
    ).order_by("-import_job_id")
    return Subquery(latest.values(field)[:1])


def translations_with_last_seen(
    qs: QuerySet[MarketplaceProductTranslation], *, store_id: int
) -> QuerySet[MarketplaceProductTranslation]:
    """Annotate `last_seen_job_id` and `last_seen_at` (that import's end): the latest import of
    the translation's language whose feed contained the product; None when none of the
    kept imports did."""
    return qs.annotate(
        last_seen_job_id=_last_seen(store_id, "import_job_id"),
        last_seen_at=_last_seen(store_id, "import_job__completed_at"),
    )


def feed_membership_forget(*, job: MarketplaceImportJob) -> None:
    """Drop what an earlier run of this job recorded (one indexed DELETE, nothing for a new job)."""
    FeedMembership.objects.filter(import_job=job).delete()


def feed_membership_prune(*, job: MarketplaceImportJob) -> int:
    """Forget the feeds of the store's imports of this language older than the newest
    MARKETPLACE_FEED_MEMBERSHIP_KEEP; return how many rows went. One DELETE, through the
    primary key's first column."""
    keep = settings.MARKETPLACE_FEED_MEMBERSHIP_KEEP
    # A check (dry run) records no membership, so it must not push an import's out.
    newer = MarketplaceImportJob.objects.filter(store_id=job.store_id, language=job.language, dry_run=False).order_by(
        "-id"
    )
    cutoff = newer.values_list("id", flat=True)[keep - 1 : keep].first()
    if cutoff is None:
        return 0
    older = MarketplaceImportJob.objects.filter(store_id=job.store_id, language=job.language, id__lt=cutoff)
    deleted, _ = FeedMembership.objects.filter(import_job__in=older).delete()
    return deleted
