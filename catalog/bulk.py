"""Set-based publish and unpublish: one statement per chunk of products, no product in Python.

Publishing 300,000 products one ``Product`` object at a time took 40-85 s inside one
request (issue 15). Here a chunk of at most ``CHUNK_SIZE`` products is one
``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` (publish) or one ``DELETE`` (unpublish),
each in its own short transaction, so that on SQLite an import that starts meanwhile waits
for one chunk (a fraction of a second), never for the whole action.

A ``Selection`` names the products: explicit ids, or the products of an import (its feed
membership, or what it created or changed). Chunks are ranges of marketplace product ids,
``(lo, hi]``, found by the database (``_next_chunk``): the ids of an import's 300,000
products never travel to Python.

Two rules hold by construction, whatever the caller passes:
- only the store's own marketplace products are published: the source of every INSERT is
  ``marketplace_products WHERE store_id = <the store>``, so another store's id is ignored;
- only the store's own catalog rows are deleted: every DELETE is ``WHERE store_id = <the store>``.
Both writes are idempotent (a published product is left as it is, an unpublished one is
not there to delete), so a chunk that runs twice, after a worker died, changes nothing more.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from catalog.models import Product
from marketplace.models import FeedMembership, MarketplaceProduct

CHUNK_SIZE = 20_000

SCOPE_ALL = "all"  # the rows the import's feed contained (catalog.selectors.JobScope.ALL)
SCOPE_CHANGED = "changed"  # what the import created or changed (JobScope.CHANGED)


@dataclass(frozen=True)
class Selection:
    """Which of a store's marketplace products an action is about: ``ids`` (sorted, unique)
    or the products of the import ``job_id`` in ``scope``."""

    store_id: int
    ids: tuple[int, ...] | None = None
    job_id: int | None = None
    scope: str = SCOPE_ALL

    def __post_init__(self) -> None:
        if (self.ids is None) == (self.job_id is None):
            raise ValueError("A selection has either ids or a job")


@dataclass(frozen=True)
class Chunk:
    lo: int  # the chunk's ids are above this one
    hi: int  # the highest marketplace product id of the chunk: the next chunk starts above it
    rows: int  # how many products (ids, feed rows) the chunk names
    source: QuerySet[Any, Any] | Sequence[int]  # their marketplace product ids, for ``id IN (...)``


def _job_source(selection: Selection) -> QuerySet[Any, Any]:
    """The ids of the import's products, to be narrowed to one range."""
    if selection.scope == SCOPE_CHANGED:
        return MarketplaceProduct.objects.filter(
            store_id=selection.store_id, last_import_job_id=selection.job_id
        ).values_list("id", flat=True)
    # Read along FeedMembership's primary key (import_job, product): an index range scan.
    return FeedMembership.objects.filter(import_job_id=selection.job_id).values_list("product_id", flat=True)


def _id_column(selection: Selection) -> str:
    return "id" if selection.scope == SCOPE_CHANGED else "product_id"


def _next_chunk(selection: Selection, *, after: int, size: int) -> Chunk | None:
    """The next chunk of the selection above id ``after``, or None when there is none."""
    if selection.ids is not None:
        start = bisect.bisect_right(selection.ids, after)
        ids = selection.ids[start : start + size]
        return Chunk(lo=after, hi=ids[-1], rows=len(ids), source=ids) if ids else None
    column = _id_column(selection)
    # One aggregate over the next `size` ids (Django wraps the sliced query in a subquery):
    # the chunk's upper bound and its size, without reading the ids.
    window = _job_source(selection).filter(**{f"{column}__gt": after}).order_by(column)[:size]
    found = window.aggregate(rows=Count(column), hi=Max(column))
    if not found["rows"]:
        return None
    hi = int(found["hi"])
    source = _job_source(selection).filter(**{f"{column}__gt": after, f"{column}__lte": hi}).order_by()
    return Chunk(lo=after, hi=hi, rows=int(found["rows"]), source=source)


def selection_count(selection: Selection) -> int:
    """How many of the store's marketplace products the selection names (one query)."""
    products = MarketplaceProduct.objects.filter(store_id=selection.store_id)
    if selection.ids is not None:
        total = 0
        for start in range(0, len(selection.ids), CHUNK_SIZE):
            total += products.filter(id__in=selection.ids[start : start + CHUNK_SIZE]).count()
        return total
    return products.filter(id__in=_job_source(selection).order_by()).count()


def owned_ids(*, store_id: int, ids: Sequence[int]) -> set[int]:
    """Of ``ids``, those of the store's marketplace products (one query per chunk)."""
    found: set[int] = set()
    products = MarketplaceProduct.objects.filter(store_id=store_id)
    for start in range(0, len(ids), CHUNK_SIZE):
        found.update(products.filter(id__in=ids[start : start + CHUNK_SIZE]).values_list("id", flat=True))
    return found


def _new_product_columns() -> tuple[list[str], list[Any]]:
    """The columns of a freshly published ``Product`` besides store and marketplace product,
    with their model defaults prepared for this database (so a new default in the model
    reaches the bulk path too)."""
    now = timezone.now()
    columns: list[str] = []
    values: list[Any] = []
    for field in Product._meta.concrete_fields:
        if field.primary_key or field.name in ("store", "marketplace_product"):
            continue
        auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        # get_default(): the model's default, else "" for text and None for nullable fields.
        value = now if auto else field.get_default()
        columns.append(connection.ops.quote_name(field.column))
        values.append(field.get_db_prep_save(value, connection))
    return columns, values


def publish_sql(selection: Selection, chunk: Chunk) -> tuple[str, list[Any]]:
    """The INSERT that publishes the chunk's products that are not published yet."""
    # The SELECT comes from the ORM (the store scope, the chunk's source as a subquery);
    # the ORM has no INSERT ... SELECT nor ON CONFLICT DO NOTHING, so that part is SQL.
    # SQLite and PostgreSQL both take this statement as written (SQLite needs the WHERE
    # before ON CONFLICT to tell the upsert from a join constraint).
    # The id range repeats what the source implies: without it PostgreSQL reads the whole
    # marketplace_products table for every chunk (a hash join), with it a range of the primary key.
    source = (
        MarketplaceProduct.objects.filter(
            store_id=selection.store_id, id__gt=chunk.lo, id__lte=chunk.hi, id__in=chunk.source
        )
        .order_by()
        .values_list("store_id", "id")
    )
    source_sql, source_params = source.query.sql_with_params()
    columns, values = _new_product_columns()
    quote = connection.ops.quote_name
    table = quote(Product._meta.db_table)
    store_column, product_column = quote("store_id"), quote("marketplace_product_id")
    sql = (
        f"INSERT INTO {table} ({store_column}, {product_column}, {', '.join(columns)}) "
        f"SELECT src.{store_column}, src.{quote('id')}, {', '.join(['%s'] * len(values))} "
        f"FROM ({source_sql}) src WHERE true "
        f"ON CONFLICT ({store_column}, {product_column}) DO NOTHING"
    )
    return sql, [*values, *source_params]


def _publish_chunk(selection: Selection, chunk: Chunk) -> int:
    """Publish the chunk's products that are not published yet; return how many."""
    sql, params = publish_sql(selection, chunk)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        inserted: int = cursor.rowcount
        return max(inserted, 0)


def _unpublish_chunk(selection: Selection, chunk: Chunk) -> int:
    """Delete the store's catalog rows of the chunk's products; return how many.

    Nothing refers to a ``Product``, so Django deletes with one ``DELETE ... WHERE`` (no
    collection of the rows in Python).
    """
    deleted, _ = Product.objects.filter(store_id=selection.store_id, marketplace_product_id__in=chunk.source).delete()
    return deleted


@dataclass(frozen=True)
class ChunkDone:
    hi: int  # resume above this id
    rows: int  # products the chunk named
    changed: int  # published (or unpublished) by the chunk


def run(
    selection: Selection,
    *,
    publish: bool,
    after: int = 0,
    chunk_size: int = CHUNK_SIZE,
    on_chunk: Callable[[ChunkDone], None] | None = None,
) -> int:
    """Publish (or unpublish) the selection's products above id ``after``, chunk by chunk;
    return how many were published (unpublished).

    Each chunk commits on its own, together with whatever ``on_chunk`` writes (a bulk
    action's progress and resume point), so a reader never sees progress that was not
    written, and a re-run from the recorded point repeats nothing.
    """
    write = _publish_chunk if publish else _unpublish_chunk
    changed = 0
    while (chunk := _next_chunk(selection, after=after, size=chunk_size)) is not None:
        with transaction.atomic():
            count = write(selection, chunk)
            if on_chunk is not None:
                on_chunk(ChunkDone(hi=chunk.hi, rows=chunk.rows, changed=count))
        changed += count
        after = chunk.hi
    return changed


def chunks(selection: Selection, *, after: int = 0, size: int = CHUNK_SIZE) -> Iterator[Chunk]:
    """The selection's chunks in id order (for tests and the benchmark's EXPLAIN)."""
    while (chunk := _next_chunk(selection, after=after, size=size)) is not None:
        yield chunk
        after = chunk.hi
