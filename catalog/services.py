"""Every write to a store's catalog: publish, unpublish, overrides.

Published means "a ``Product`` row exists for the store and the marketplace product";
``is_active`` is a separate switch on a published product (hide it without losing its
overrides). Unpublishing deletes the row, and with it the overrides.

Publishing and unpublishing are bulk and idempotent: they work through the requested
products in batches of ``batch_size`` with a fixed number of queries per batch (never one
per product), publishing an already published product changes nothing (its overrides and
settings are kept), and unpublishing a product that is not published changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef

from catalog.models import Product
from catalog.selectors import PUBLISHABLE_JOB_STATUSES, JobScope, catalog_job_products
from core.exceptions import ConflictError
from core.ids import MAX_DB_ID
from core.services import model_update
from marketplace.models import MarketplaceImportJob, MarketplaceProduct
from stores.models import Store

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
# What a store may change on a published product (the guide's "Store overrides",
# "Store settings" and "Inventory").
OVERRIDE_FIELDS = (
    "price",
    "sale_price",
    "availability",
    "condition",
    "is_featured",
    "is_active",
    "display_order",
    "min_quantity",
    "max_quantity",
)


@dataclass(frozen=True)
class PublishResult:
    matched: int  # products the request named, or that the job selected
    published: int  # newly published by this call
    already_published: int  # were published before: left as they were


@dataclass(frozen=True)
class UnpublishResult:
    matched: int
    unpublished: int
    not_published: int  # were not published: nothing to do


class JobNotFinished(ConflictError):
    """The import is still running, so the set of its products is still changing."""

    def __init__(self, job: MarketplaceImportJob) -> None:
        super().__init__(
            f"Import {job.pk} is still {job.status}: publish its products once it has finished.",
            extra={"job_id": job.pk, "job_status": job.status},
        )


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _clean_ids(ids: Iterable[Any]) -> list[int]:
    try:
        cleaned = sorted({int(i) for i in ids})
    except (TypeError, ValueError) as exc:
        raise ValidationError({"marketplace_product_ids": "Every id must be an integer."}) from exc
    if cleaned and (cleaned[0] < 1 or cleaned[-1] > MAX_DB_ID):
        raise ValidationError({"marketplace_product_ids": "Every id must be a positive integer."})
    return cleaned


def _published_flag(store: Store) -> Exists:
    return Exists(Product.objects.filter(store=store, marketplace_product=OuterRef("pk")))


def _check_job(*, store: Store, job: MarketplaceImportJob) -> None:
    if job.store_id != store.pk:
        # Callers fetch the job with a store-scoped selector; this is the last line of defence.
        raise ValidationError({"job_id": "No such import job."})
    if job.status not in PUBLISHABLE_JOB_STATUSES:
        raise JobNotFinished(job)


def _owned_batches(
    *, store: Store, ids: list[int] | None, job: MarketplaceImportJob | None, scope: str, batch_size: int
) -> Iterator[list[tuple[int, bool]]]:
    """(marketplace product id, is published) of the store's products to act on, batch by batch.

    With explicit ids, raises ValidationError naming every id that is not one of the
    store's marketplace products (another store's id looks exactly like a missing one),
    after the last batch, so the caller's transaction rolls back and nothing is changed.
    """
    flag = _published_flag(store)
    if ids is not None:
        unknown: list[int] = []
        for chunk in _chunks(ids, batch_size):
            rows = list(
                MarketplaceProduct.objects.filter(store=store, id__in=chunk)
                .annotate(published=flag)
                .values_list("id", "published")
            )
            unknown.extend(sorted(set(chunk) - {pk for pk, _ in rows}))
            yield rows
        if unknown:
            shown = ", ".join(str(pk) for pk in unknown[:20]) + (" ..." if len(unknown) > 20 else "")
            raise ValidationError({"marketplace_product_ids": f"No such products in this store: {shown}."})
        return
    assert job is not None
    qs = catalog_job_products(store=store, job=job, scope=scope).annotate(published=flag)
    last_id = 0
    while True:
        rows = list(qs.filter(id__gt=last_id).order_by("id").values_list("id", "published")[:batch_size])
        if not rows:
            return
        yield rows
        last_id = rows[-1][0]


def _validate_target(
    *, store: Store, marketplace_product_ids: Iterable[Any] | None, job: MarketplaceImportJob | None
) -> list[int] | None:
    if (marketplace_product_ids is None) == (job is None):
        raise ValidationError("Give either marketplace product ids or an import job.")
    if job is not None:
        _check_job(store=store, job=job)
        return None
    return _clean_ids(marketplace_product_ids or [])


def product_publish(
    *,
    store: Store,
    marketplace_product_ids: Iterable[Any] | None = None,
    job: MarketplaceImportJob | None = None,
    scope: str = JobScope.ALL,
    batch_size: int = BATCH_SIZE,
) -> PublishResult:
    """Publish the given marketplace products, or those of a finished import job, to the store's catalog.

    - ``marketplace_product_ids``: ``MarketplaceProduct`` ids. All must be the store's own:
      if any is not, ValidationError names them and nothing is published.
    - ``job``: a finished import of this store (JobNotFinished while it runs);
      ``scope`` says which of its products: ``JobScope.ALL`` (default) or
      ``JobScope.CHANGED``, see ``catalog.selectors.catalog_job_products``.

    Already published products are left exactly as they are (overrides, active flag).
    Two queries per batch: read the batch with its published flags, insert the new ones.
    """
    ids = _validate_target(store=store, marketplace_product_ids=marketplace_product_ids, job=job)
    matched = published = 0
    with transaction.atomic():
        for rows in _owned_batches(store=store, ids=ids, job=job, scope=scope, batch_size=batch_size):
            new = [Product(store=store, marketplace_product_id=pk) for pk, is_published in rows if not is_published]
            # ignore_conflicts: a concurrent publish of the same product is not an error.
            Product.objects.bulk_create(new, batch_size=batch_size, ignore_conflicts=True)
            matched += len(rows)
            published += len(new)
    logger.info(
        "catalog publish store=%s job=%s scope=%s matched=%d published=%d",
        store.code,
        job.pk if job else "-",
        scope if job else "-",
        matched,
        published,
    )
    return PublishResult(matched=matched, published=published, already_published=matched - published)


def product_unpublish(
    *,
    store: Store,
    marketplace_product_ids: Iterable[Any] | None = None,
    job: MarketplaceImportJob | None = None,
    scope: str = JobScope.ALL,
    batch_size: int = BATCH_SIZE,
) -> UnpublishResult:
    """Remove products from the store's catalog; the same arguments and rules as ``product_publish``.

    The ``Product`` rows are deleted, overrides included; the imported data stays.
    Two queries per batch: read the batch, delete its published products.
    """
    ids = _validate_target(store=store, marketplace_product_ids=marketplace_product_ids, job=job)
    matched = unpublished = 0
    with transaction.atomic():
        for rows in _owned_batches(store=store, ids=ids, job=job, scope=scope, batch_size=batch_size):
            to_delete = [pk for pk, is_published in rows if is_published]
            if to_delete:
                deleted, _ = Product.objects.filter(store=store, marketplace_product_id__in=to_delete).delete()
                unpublished += deleted
            matched += len(rows)
    logger.info(
        "catalog unpublish store=%s job=%s matched=%d unpublished=%d",
        store.code,
        job.pk if job else "-",
        matched,
        unpublished,
    )
    return UnpublishResult(matched=matched, unpublished=unpublished, not_published=matched - unpublished)


def _effective(override: Decimal | None, imported: Decimal | None) -> Decimal | None:
    return override if override is not None else imported


def product_update_overrides(*, product: Product, data: dict[str, Any]) -> Product:
    """Change a published product's overrides and settings (only the keys present in ``data``).

    An override of None (price, sale price) or "" (availability, condition) means "use
    the imported value", so the next re-import shows through. Rules, as field errors:
    no negative price or sale price; the effective sale price not above the effective
    price (checked when either changes, against the imported value when only one is
    overridden); min quantity at least 1 and not above max quantity. Then
    ``full_clean()`` (choices, decimal places, the model's constraints) and a save of
    the changed fields only.
    """
    unknown = set(data) - set(OVERRIDE_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be changed."))
    data = dict(data)
    for name in ("availability", "condition"):
        if name in data and data[name] is None:
            data[name] = ""

    errors: dict[str, str] = {}
    for name in ("price", "sale_price"):
        if data.get(name) is not None and data[name] < 0:
            errors[name] = "Cannot be negative."
    if "min_quantity" in data and (data["min_quantity"] is None or data["min_quantity"] < 1):
        errors["min_quantity"] = "The minimum quantity must be at least 1."
    if "max_quantity" in data and data["max_quantity"] is not None and data["max_quantity"] < 1:
        errors["max_quantity"] = "The maximum quantity must be at least 1, or empty for no maximum."
    if not errors:
        min_q = data.get("min_quantity", product.min_quantity)
        max_q = data.get("max_quantity", product.max_quantity)
        if max_q is not None and min_q > max_q:
            field = "max_quantity" if "max_quantity" in data else "min_quantity"
            errors[field] = f"The minimum quantity ({min_q}) cannot be above the maximum quantity ({max_q})."
    if not errors and ("price" in data or "sale_price" in data):
        imported = product.marketplace_product
        price = _effective(data.get("price", product.price), imported.price)
        sale = _effective(data.get("sale_price", product.sale_price), imported.sale_price)
        if price is not None and sale is not None and sale > price:
            sale_overridden = data.get("sale_price", product.sale_price) is not None
            if sale_overridden:
                errors["sale_price"] = f"The sale price ({sale}) cannot be above the price ({price})."
            else:
                errors["price"] = f"The imported sale price ({sale}) would be above this price: set a sale price too."
    if errors:
        raise ValidationError(errors)

    product, changed = model_update(instance=product, fields=list(OVERRIDE_FIELDS), data=data)
    if changed:
        logger.info("catalog overrides store=%s product=%s fields=%s", product.store_id, product.pk, sorted(data))
    return product
