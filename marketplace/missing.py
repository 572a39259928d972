"""Missing products and the safety net (SPEC 11).

After an import's rows are written, and in the transaction that gives the job its final
status (`importing.pipeline`):

1. *Returned*: the store's missing products that the feed contained come back, whatever
   kind of import it was: their availability is restored (unless this import wrote the
   product, in which case the feed's value stands), their `missing_*` columns cleared,
   their absence streaks reset, and a `returned` presence row recorded.
2. The feed's translations lose their absence streak (any import that lists a product is
   proof that it is still sold).
3. A *full* import only: the store's translations of its language that the feed did not
   contain get `absent_streak + 1`. A product every translation of which has reached the
   store's grace is a *candidate*. The safety net holds the removal (presence rows `held`,
   `removal_held` sent after commit) when the candidates are more than
   `removal_max_percent` of the active products, or the feed has fewer rows than
   `removal_min_rows_percent` of the previous completed full import of its language;
   otherwise the store's policy is applied to them at once.

Everything is set-based: a fixed number of statements whatever the catalog's size. Rows
the import skipped with an error still count as contained (a broken price must not make a
product disappear), through the identifiers of the job's error rows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, cast

from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import BooleanField, Case, Count, Exists, F, Field, OuterRef, Q, QuerySet, When
from django.db.models.expressions import RawSQL
from django.utils import timezone

from marketplace.membership import feed_product_ids
from marketplace.models import (
    Availability,
    FeedMembership,
    MarketplaceImportError,
    MarketplaceImportJob,
    MarketplaceProduct,
    MarketplaceProductTranslation,
    ProductPresenceChange,
)
from marketplace.signals import removal_held
from stores.models import MissingPolicy, Store

logger = logging.getLogger(__name__)

Kind = ProductPresenceChange.Kind
Removal = MarketplaceImportJob.Removal
COMPLETED_STATUSES = (MarketplaceImportJob.Status.COMPLETED, MarketplaceImportJob.Status.COMPLETED_WITH_ERRORS)


class MissingAction:
    """Values of `MarketplaceProduct.missing_action`: what the policy did to a missing product."""

    KEPT = "kept"
    OUT_OF_STOCK = "out_of_stock"
    DEACTIVATED = "deactivated"


_POLICY_ACTION = {
    MissingPolicy.KEEP: MissingAction.KEPT,
    MissingPolicy.OUT_OF_STOCK: MissingAction.OUT_OF_STOCK,
    MissingPolicy.DEACTIVATE: MissingAction.DEACTIVATED,
}


class RemovalNotHeld(Exception):
    """The job has no held removal to settle (the API's 409)."""


@dataclass(frozen=True)
class PresenceOutcome:
    returned: int = 0
    missing: int = 0
    held: int = 0


def _contained_ids(job: MarketplaceImportJob) -> tuple[QuerySet[Any, Any], QuerySet[Any, Any]]:
    """The products the feed contained (membership), and those whose rows it skipped with an
    error (by their id in the file), both as subqueries."""
    errored = MarketplaceProduct.objects.filter(
        store_id=job.store_id,
        marketplace=job.marketplace,
        marketplace_product_id__in=MarketplaceImportError.objects.filter(
            import_job_id=job.pk, severity=MarketplaceImportError.Severity.ERROR
        )
        .exclude(identifier="")
        .values("identifier"),
    ).values("id")
    return feed_product_ids(job_id=job.pk), errored


def _insert_presence(*, job_id: int, kind: str, products: QuerySet[MarketplaceProduct]) -> int:
    """Record `products` as `kind` for the job: one INSERT ... SELECT, the row count back."""
    meta = ProductPresenceChange._meta
    q = connection.ops.quote_name
    select_sql, params = products.order_by().values("id").query.sql_with_params()
    columns = ", ".join(
        q(cast("Field[Any, Any]", meta.get_field(name)).column) for name in ("import_job", "product", "kind")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {q(meta.db_table)} ({columns}) SELECT %s, s.id, %s FROM ({select_sql}) s",
            [job_id, kind, *params],
        )
        return int(cursor.rowcount)


def _listed_by(job: MarketplaceImportJob) -> Exists | RawSQL:
    """A product filter: the job's feed contained it, probed per product through the
    membership's primary key.

    On PostgreSQL, OFFSET 0 keeps the EXISTS from becoming a semi-join, which the planner
    (the membership is written faster than it is analyzed) drove from the feed's rows.
    """
    if connection.vendor != "postgresql":
        return Exists(feed_product_ids(job_id=job.pk).filter(product_id=OuterRef("pk")))
    q = connection.ops.quote_name
    meta = FeedMembership._meta
    job_column, product_column = (
        q(cast("Field[Any, Any]", meta.get_field(name)).column) for name in ("import_job", "product")
    )
    products = q(MarketplaceProduct._meta.db_table)
    return RawSQL(
        f"EXISTS (SELECT 1 FROM {q(meta.db_table)} m WHERE m.{job_column} = %s"
        f" AND m.{product_column} = {products}.{q(MarketplaceProduct._meta.pk.column)} OFFSET 0)",
        [job.pk],
        output_field=BooleanField(),
    )


def _store_translations(store_id: int) -> QuerySet[MarketplaceProductTranslation]:
    return MarketplaceProductTranslation.objects.filter(
        product_id__in=MarketplaceProduct.objects.filter(store_id=store_id).values("id")
    )


def _candidates(store: Store) -> QuerySet[MarketplaceProduct]:
    """The store's products that are not missing yet and whose every translation has been
    absent from at least `missing_grace` consecutive full imports."""
    translations = MarketplaceProductTranslation.objects.filter(product_id=OuterRef("pk"))
    # Driven by the absent translations (a partial index holds only those), few next to
    # the catalog; `absent_streak > 0` is spelt out so the planner may use that index.
    absent = MarketplaceProductTranslation.objects.filter(
        absent_streak__gt=0, absent_streak__gte=store.missing_grace
    ).values("product_id")
    return MarketplaceProduct.objects.filter(store_id=store.pk, missing_since__isnull=True, pk__in=absent).filter(
        ~Exists(translations.filter(absent_streak__lt=store.missing_grace))
    )


def _previous_full_rows(job: MarketplaceImportJob) -> int | None:
    previous = (
        MarketplaceImportJob.objects.filter(
            store_id=job.store_id,
            language=job.language,
            is_full_feed=True,
            # A check wrote nothing: the safety net compares with what was imported.
            dry_run=False,
            status__in=COMPLETED_STATUSES,
            id__lt=job.pk,
        )
        .order_by("-id")
        .values_list("total_processed", flat=True)
        .first()
    )
    return previous


def removal_should_hold(*, store: Store, candidates: int, active: int, rows: int, previous_rows: int | None) -> bool:
    """The safety net's rule: more than removal_max_percent of the active products, or a
    feed shorter than removal_min_rows_percent of the previous full one.

    >>> s = Store(removal_max_percent=20, removal_min_rows_percent=50)
    >>> removal_should_hold(store=s, candidates=21, active=100, rows=100, previous_rows=100)
    True
    >>> removal_should_hold(store=s, candidates=20, active=100, rows=50, previous_rows=100)
    False
    >>> removal_should_hold(store=s, candidates=1, active=100, rows=49, previous_rows=100)
    True
    """
    if candidates <= 0:
        return False
    if candidates * 100 > store.removal_max_percent * active:
        return True
    return previous_rows is not None and rows * 100 < store.removal_min_rows_percent * previous_rows


def _apply_policy(*, job_id: int, store: Store, products: QuerySet[MarketplaceProduct], now: Any) -> int:
    """Mark `products` missing under the store's policy; nothing is deleted. Return how many."""
    action = _POLICY_ACTION.get(MissingPolicy(store.missing_policy), MissingAction.DEACTIVATED)
    values: dict[str, Any] = {"missing_since": now, "missing_action": action, "updated_at": now}
    if action == MissingAction.OUT_OF_STOCK:
        # Both right-hand sides read the row as it was: the availability it had is kept.
        values.update(availability_before_missing=F("availability"), availability=Availability.OUT_OF_STOCK)
    return products.update(**values)


def import_presence_update(*, job: MarketplaceImportJob) -> PresenceOutcome:
    """Run the missing-product step of a completed import (see the module docstring) and
    record its counts and removal state on the job. Call it in the transaction that
    finishes the job; `removal_held` is sent once that commits."""
    if job.dry_run:
        # A check of a feed (SPEC 6) writes no product, so it makes none missing either.
        return PresenceOutcome()
    store = Store.objects.get(pk=job.store_id)
    now = timezone.now()
    _contained, errored = _contained_ids(job)
    # A recovered job runs again from the start.
    ProductPresenceChange.objects.filter(import_job_id=job.pk).delete()

    # 1. Returned. Usually no product of the store is missing: one probe of the partial
    # index says so, and the step is skipped. Otherwise the store's missing products (few)
    # each probe the membership's key; as `pk__in=` the planner drove the query from the
    # feed's 100,000 rows instead, each probing the products (0.2-0.6 s of an unchanged
    # re-import of 100,000 rows on PostgreSQL, to find none).
    missing_now = MarketplaceProduct.objects.filter(store_id=store.pk, missing_since__isnull=False)
    returned = 0
    if missing_now.exists():
        back = missing_now.filter(_listed_by(job))
        returned = _insert_presence(job_id=job.pk, kind=Kind.RETURNED, products=back)
    if returned:
        came_back = ProductPresenceChange.objects.filter(import_job_id=job.pk, kind=Kind.RETURNED).values("product_id")
        _store_translations(store.pk).filter(product_id__in=came_back, absent_streak__gt=0).update(absent_streak=0)
        MarketplaceProduct.objects.filter(store_id=store.pk, pk__in=came_back).update(
            # A row the writer skipped as unchanged still has the availability the policy
            # set; a row it wrote has the feed's, which stands.
            availability=Case(
                When(
                    Q(missing_action=MissingAction.OUT_OF_STOCK) & ~Q(last_import_job_id=job.pk),
                    then=F("availability_before_missing"),
                ),
                default=F("availability"),
            ),
            missing_since=None,
            missing_action="",
            availability_before_missing="",
            updated_at=now,
        )

    # 2. What the feed contained is present in its language.
    in_language = _store_translations(store.pk).filter(language=job.language)
    # From the few absent translations (partial index), each probing the membership's key.
    listed = Exists(feed_product_ids(job_id=job.pk).filter(product_id=OuterRef("product_id")))
    absent = in_language.filter(absent_streak__gt=0)
    # Skipped when no translation of the language is absent (the usual case), which the
    # partial index alone answers: the UPDATE's plan looks costly enough for PostgreSQL to
    # compile it (JIT, 70-110 ms to change no row), and SQLite runs it from the store's
    # products (0.1 s per 100,000). Not limited to the store: with the join, SQLite did the same.
    if MarketplaceProductTranslation.objects.filter(absent_streak__gt=0, language=job.language).exists():
        absent.filter(listed | Q(product_id__in=errored)).update(absent_streak=0)
    fields: dict[str, Any] = {"returned_count": returned, "missing_count": 0, "removal_held": False}
    outcome = PresenceOutcome(returned=returned)

    # 3. Full feeds only: absence, candidates, the safety net, the policy.
    if job.is_full_feed:
        # NOT EXISTS (an anti-join probing the membership's primary key) rather than NOT IN,
        # which PostgreSQL runs row by row once the feed's ids outgrow work_mem.
        in_language.filter(~listed).exclude(product_id__in=errored).update(absent_streak=F("absent_streak") + 1)
        candidates = _candidates(store)
        count = candidates.count()
        fields["removal"] = Removal.NONE
        if count:
            active = MarketplaceProduct.objects.filter(store_id=store.pk, missing_since__isnull=True).count()
            job_rows = MarketplaceImportJob.objects.filter(pk=job.pk).values_list("total_processed", flat=True)[0]
            if removal_should_hold(
                store=store, candidates=count, active=active, rows=job_rows, previous_rows=_previous_full_rows(job)
            ):
                _insert_presence(job_id=job.pk, kind=Kind.HELD, products=candidates)
                fields.update(removal_held=True, removal=Removal.HELD)
                outcome = PresenceOutcome(returned=returned, held=count)
                job_id = job.pk
                transaction.on_commit(lambda: _send_removal_held(job_id=job_id, count=count))
                logger.warning("Removal of %d missing products held by the safety net (of %d active)", count, active)
            else:
                _insert_presence(job_id=job.pk, kind=Kind.MISSING, products=candidates)
                went = ProductPresenceChange.objects.filter(import_job_id=job.pk, kind=Kind.MISSING).values(
                    "product_id"
                )
                missing = _apply_policy(
                    job_id=job.pk, store=store, products=MarketplaceProduct.objects.filter(pk__in=went), now=now
                )
                fields.update(missing_count=missing, removal=Removal.APPLIED)
                outcome = PresenceOutcome(returned=returned, missing=missing)
    MarketplaceImportJob.objects.filter(pk=job.pk).update(**fields, updated_at=now)
    if outcome.returned or outcome.missing:
        logger.info("Missing products: %d went missing, %d came back", outcome.missing, outcome.returned)
    return outcome


@dataclass(frozen=True)
class PresencePreview:
    """What a check's feed would do to the store's products if it were a full feed."""

    would_go_missing: int
    would_hold: bool


def import_presence_preview(*, job: MarketplaceImportJob, seen_table: str) -> PresencePreview:
    """Read-only step 3 for a check (a dry run): the products that a full import of this
    feed would make missing, and whether the safety net would hold their removal.

    `seen_table` is the import's temporary table of the ids its file had (the writer's);
    a check records no feed membership. A fixed number of statements, like the real step.
    """
    store = Store.objects.get(pk=job.store_id)
    grace = store.missing_grace
    meta = MarketplaceProduct._meta
    q = connection.ops.quote_name
    mpid = q(cast("Field[Any, Any]", meta.get_field("marketplace_product_id")).column)
    translations = MarketplaceProductTranslation.objects.filter(product_id=OuterRef("pk"))
    errored = (
        MarketplaceImportError.objects.filter(import_job_id=job.pk, severity=MarketplaceImportError.Severity.ERROR)
        .exclude(identifier="")
        .values("identifier")
    )
    candidates = (
        MarketplaceProduct.objects.filter(store_id=store.pk, marketplace=job.marketplace, missing_since__isnull=True)
        # This language's translation would reach the grace with this absence...
        .filter(Exists(translations.filter(language=job.language, absent_streak__gte=grace - 1)))
        # ...and every other one has reached it already.
        .filter(~Exists(translations.exclude(language=job.language).filter(absent_streak__lt=grace)))
        .exclude(marketplace_product_id__in=errored)
        .extra(where=[f"NOT EXISTS (SELECT 1 FROM {seen_table} s WHERE s.mpid = {q(meta.db_table)}.{mpid})"])
    )
    count = candidates.count()
    hold = False
    if count:
        active = MarketplaceProduct.objects.filter(store_id=store.pk, missing_since__isnull=True).count()
        rows = MarketplaceImportJob.objects.filter(pk=job.pk).values_list("total_processed", flat=True)[0]
        hold = removal_should_hold(
            store=store, candidates=count, active=active, rows=rows, previous_rows=_previous_full_rows(job)
        )
    return PresencePreview(would_go_missing=count, would_hold=hold)


def _send_removal_held(*, job_id: int, count: int) -> None:
    for receiver, result in removal_held.send_robust(sender=MarketplaceImportJob, job_id=job_id, count=count):
        if isinstance(result, Exception):
            logger.error(
                "Import job %s: %s failed on a held removal: %r",
                job_id,
                getattr(receiver, "__qualname__", receiver),
                result,
                exc_info=result,
            )


def removal_settle(*, job: MarketplaceImportJob, action: str) -> MarketplaceImportJob:
    """Settle a held removal: "apply" hands the held products to the store's policy now
    (except those that are no longer candidates: a feed has listed them since, or they are
    missing already); "keep" resets their absence streaks so they stay.

    Raises RemovalNotHeld when the job has no held removal (settled already, or never held);
    ValueError for another action (the caller validated it).
    """
    if action not in ("apply", "keep"):
        raise ValueError(f"Unknown removal action: {action!r}")
    now = timezone.now()
    with transaction.atomic():
        # The conditional UPDATE decides between two owners clicking at once.
        settled = MarketplaceImportJob.objects.filter(pk=job.pk, removal=Removal.HELD).update(
            removal=Removal.APPLIED if action == "apply" else Removal.KEPT, removal_held=False, updated_at=now
        )
        if not settled:
            raise RemovalNotHeld
        store = Store.objects.get(pk=job.store_id)
        held = ProductPresenceChange.objects.filter(import_job_id=job.pk, kind=Kind.HELD).values("product_id")
        if action == "apply":
            still = _candidates(store).filter(pk__in=held)
            ProductPresenceChange.objects.filter(
                import_job_id=job.pk, kind=Kind.HELD, product_id__in=still.values("id")
            ).update(kind=Kind.MISSING)
            went = ProductPresenceChange.objects.filter(import_job_id=job.pk, kind=Kind.MISSING).values("product_id")
            missing = _apply_policy(
                job_id=job.pk,
                store=store,
                products=MarketplaceProduct.objects.filter(pk__in=went, missing_since__isnull=True),
                now=now,
            )
            MarketplaceImportJob.objects.filter(pk=job.pk).update(missing_count=missing)
        else:
            _store_translations(store.pk).filter(product_id__in=held, absent_streak__gt=0).update(absent_streak=0)
    job.refresh_from_db()
    return job


def presence_change_list(*, job: MarketplaceImportJob, kind: str) -> QuerySet[ProductPresenceChange]:
    """The job's products of one kind (missing, returned, held) with their product, by feed id;
    the job must come from a scoped selector."""
    return (
        ProductPresenceChange.objects.filter(import_job=job, kind=kind)
        .select_related("product")
        .only("import_job_id", "kind", "product__id", "product__marketplace_product_id", "product__title")
        .order_by("product__marketplace_product_id", "product_id")
    )


def held_removal_for_store(*, store: Store) -> MarketplaceImportJob | None:
    """The store's latest import whose removal is held (the banner), or None."""
    return MarketplaceImportJob.objects.filter(store=store, removal_held=True).order_by("-id").first()


def held_removal_sample(*, job: MarketplaceImportJob, size: int = 5) -> list[MarketplaceProduct]:
    """A few of the held products, for the banner."""
    return [change.product for change in presence_change_list(job=job, kind=Kind.HELD)[:size]]


PRESENCE_PAGE_SIZE = 25


def presence_lists(*, job: MarketplaceImportJob, page: Any = None) -> dict[str, Any]:
    """The job page's missing / returned / held section: one page of each list (products by
    feed id, with names and ids) and their counts, in a fixed number of queries. The job
    must come from a scoped selector."""
    counts = dict(
        ProductPresenceChange.objects.filter(import_job=job)
        .values_list("kind")
        .annotate(n=Count("product_id"))
        .values_list("kind", "n")
    )
    lists = {}
    for kind in Kind.values:
        if counts.get(kind):
            lists[kind] = Paginator(presence_change_list(job=job, kind=kind), PRESENCE_PAGE_SIZE).get_page(page)
    return {"presence_counts": {kind: counts.get(kind, 0) for kind in Kind.values}, "presence_pages": lists}


def held_removal_count_for_job(*, job: MarketplaceImportJob) -> int:
    return ProductPresenceChange.objects.filter(import_job=job, kind=Kind.HELD).count()
