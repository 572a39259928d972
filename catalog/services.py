"""Every write to a store's catalog: publish, unpublish, overrides.

Published means "a ``Product`` row exists for the store and the marketplace product";
``is_active`` is a separate switch on a published product (hide it without losing its
overrides). Unpublishing deletes the row, and with it the overrides.

Publishing and unpublishing are set-based and idempotent (``catalog.bulk``): one
statement per chunk of up to 20,000 products (never a query, nor a Python object, per
product), publishing an already published product changes nothing (its overrides and
settings are kept), and unpublishing a product that is not published changes nothing.
Above MARKETPLACE_PUBLISH_SYNC_LIMIT products, ``catalog.bulk_actions`` runs them in a worker.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from catalog import bulk
from catalog.models import Product
from catalog.selectors import PUBLISHABLE_JOB_STATUSES, JobScope
from core.exceptions import ConflictError
from core.ids import MAX_DB_ID
from core.services import model_update
from marketplace.models import MarketplaceImportJob
from stores.models import Store

logger = logging.getLogger(__name__)

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
            _("Import %(job)s is still %(status)s: publish its products once it has finished.")
            % {"job": job.pk, "status": job.get_status_display().lower()},
            extra={"job_id": job.pk, "job_status": job.status},
        )


def _clean_ids(ids: Iterable[Any]) -> list[int]:
    try:
        cleaned = sorted({int(i) for i in ids})
    except (TypeError, ValueError) as exc:
        raise ValidationError({"marketplace_product_ids": _("Every id must be an integer.")}) from exc
    if cleaned and (cleaned[0] < 1 or cleaned[-1] > MAX_DB_ID):
        raise ValidationError({"marketplace_product_ids": _("Every id must be a positive integer.")})
    return cleaned


def _check_job(*, store: Store, job: MarketplaceImportJob) -> None:
    if job.store_id != store.pk:
        # Callers fetch the job with a store-scoped selector; this is the last line of defence.
        raise ValidationError({"job_id": _("No such import job.")})
    if job.dry_run:
        raise ValidationError(
            {"job_id": _("Import %(id)s was a check of a feed: it wrote no product to publish.") % {"id": job.pk}}
        )
    if job.status not in PUBLISHABLE_JOB_STATUSES:
        raise JobNotFinished(job)


@dataclass(frozen=True)
class PreparedSelection:
    """A validated selection of the store's products and how many it names."""

    selection: bulk.Selection
    matched: int


def selection_prepare(
    *,
    store: Store,
    marketplace_product_ids: Iterable[Any] | None = None,
    job: MarketplaceImportJob | None = None,
    scope: str = JobScope.ALL,
) -> PreparedSelection:
    """Validate what a publish or unpublish names and count it, without changing anything.

    - ``marketplace_product_ids``: ``MarketplaceProduct`` ids. All must be the store's own:
      if any is not, ValidationError names them (another store's id looks exactly like a
      missing one) and nothing is changed.
    - ``job``: a finished import of this store (JobNotFinished while it runs); ``scope``
      ``JobScope.ALL`` (its feed) or ``JobScope.CHANGED``, see ``catalog_job_products``.
    One query per 20,000 ids, or one for a job, whatever its size.
    """
    if (marketplace_product_ids is None) == (job is None):
        raise ValidationError(_("Give either marketplace product ids or an import job."))
    if job is not None:
        _check_job(store=store, job=job)
        if scope not in (JobScope.ALL, JobScope.CHANGED):
            raise ValidationError({"scope": _("Unknown scope %(scope)r.") % {"scope": scope}})
        selection = bulk.Selection(store_id=store.pk, job_id=job.pk, scope=scope)
        return PreparedSelection(selection=selection, matched=bulk.selection_count(selection))
    ids = _clean_ids(marketplace_product_ids or [])
    owned = bulk.owned_ids(store_id=store.pk, ids=ids)
    unknown = [pk for pk in ids if pk not in owned]
    if unknown:
        shown = ", ".join(str(pk) for pk in unknown[:20]) + (" ..." if len(unknown) > 20 else "")
        raise ValidationError(
            {"marketplace_product_ids": _("No such products in this store: %(ids)s.") % {"ids": shown}}
        )
    return PreparedSelection(selection=bulk.Selection(store_id=store.pk, ids=tuple(ids)), matched=len(ids))


def _log(action: str, store: Store, prepared: PreparedSelection, changed: int) -> None:
    selection = prepared.selection
    logger.info(
        "catalog %s store=%s job=%s scope=%s matched=%d changed=%d",
        action,
        store.code,
        selection.job_id or "-",
        selection.scope if selection.job_id else "-",
        prepared.matched,
        changed,
    )


def product_publish_prepared(
    *, store: Store, prepared: PreparedSelection, chunk_size: int = bulk.CHUNK_SIZE
) -> PublishResult:
    """Publish a prepared selection in the caller's process (``product_publish``)."""
    published = bulk.run(prepared.selection, publish=True, chunk_size=chunk_size)
    _log("publish", store, prepared, published)
    # A product published by a concurrent call between the count and the insert counts as
    # already published, never as a negative number.
    return PublishResult(
        matched=prepared.matched, published=published, already_published=max(0, prepared.matched - published)
    )


def product_unpublish_prepared(
    *, store: Store, prepared: PreparedSelection, chunk_size: int = bulk.CHUNK_SIZE
) -> UnpublishResult:
    """Unpublish a prepared selection in the caller's process (``product_unpublish``)."""
    unpublished = bulk.run(prepared.selection, publish=False, chunk_size=chunk_size)
    _log("unpublish", store, prepared, unpublished)
    return UnpublishResult(
        matched=prepared.matched, unpublished=unpublished, not_published=max(0, prepared.matched - unpublished)
    )


def product_publish(
    *,
    store: Store,
    marketplace_product_ids: Iterable[Any] | None = None,
    job: MarketplaceImportJob | None = None,
    scope: str = JobScope.ALL,
    chunk_size: int = bulk.CHUNK_SIZE,
) -> PublishResult:
    """Publish the given marketplace products, or those of a finished import job, to the store's catalog.

    The arguments and their rules are ``selection_prepare``'s. Already published products
    are left exactly as they are (overrides, active flag). Set-based (``catalog.bulk``):
    one INSERT ... SELECT per chunk of ``chunk_size`` products, each chunk committed on its
    own, whatever the number of products; this runs in the caller's process, however
    large: ``catalog_bulk_request`` is what sends large ones to a worker.
    """
    prepared = selection_prepare(store=store, marketplace_product_ids=marketplace_product_ids, job=job, scope=scope)
    return product_publish_prepared(store=store, prepared=prepared, chunk_size=chunk_size)


def product_unpublish(
    *,
    store: Store,
    marketplace_product_ids: Iterable[Any] | None = None,
    job: MarketplaceImportJob | None = None,
    scope: str = JobScope.ALL,
    chunk_size: int = bulk.CHUNK_SIZE,
) -> UnpublishResult:
    """Remove products from the store's catalog; the same arguments and rules as ``product_publish``.

    The ``Product`` rows are deleted, overrides included; the imported data stays. One
    DELETE per chunk.
    """
    prepared = selection_prepare(store=store, marketplace_product_ids=marketplace_product_ids, job=job, scope=scope)
    return product_unpublish_prepared(store=store, prepared=prepared, chunk_size=chunk_size)


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
        raise ValidationError(dict.fromkeys(sorted(unknown), _("This field cannot be changed.")))
    data = dict(data)
    for name in ("availability", "condition"):
        if name in data and data[name] is None:
            data[name] = ""

    errors: dict[str, str] = {}
    for name in ("price", "sale_price"):
        if data.get(name) is not None and data[name] < 0:
            errors[name] = _("Cannot be negative.")
    if "min_quantity" in data and (data["min_quantity"] is None or data["min_quantity"] < 1):
        errors["min_quantity"] = _("The minimum quantity must be at least 1.")
    if "max_quantity" in data and data["max_quantity"] is not None and data["max_quantity"] < 1:
        errors["max_quantity"] = _("The maximum quantity must be at least 1, or empty for no maximum.")
    if not errors:
        min_q = data.get("min_quantity", product.min_quantity)
        max_q = data.get("max_quantity", product.max_quantity)
        if max_q is not None and min_q > max_q:
            field = "max_quantity" if "max_quantity" in data else "min_quantity"
            errors[field] = _("The minimum quantity (%(min)s) cannot be above the maximum quantity (%(max)s).") % {
                "min": min_q,
                "max": max_q,
            }
    if not errors and ("price" in data or "sale_price" in data):
        imported = product.marketplace_product
        price = _effective(data.get("price", product.price), imported.price)
        sale = _effective(data.get("sale_price", product.sale_price), imported.sale_price)
        if price is not None and sale is not None and sale > price:
            sale_overridden = data.get("sale_price", product.sale_price) is not None
            if sale_overridden:
                errors["sale_price"] = _("The sale price (%(sale)s) cannot be above the price (%(price)s).") % {
                    "sale": sale,
                    "price": price,
                }
            else:
                errors["price"] = _(
                    "The imported sale price (%(sale)s) would be above this price: set a sale price too."
                ) % {"sale": sale}
    if errors:
        raise ValidationError(errors)

    product, changed = model_update(instance=product, fields=list(OVERRIDE_FIELDS), data=data)
    if changed:
        logger.info("catalog overrides store=%s product=%s fields=%s", product.store_id, product.pk, sorted(data))
    return product
