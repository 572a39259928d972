from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel
from marketplace.models import Availability, Condition


class Product(BaseModel):
    """A store's published product: the imported data plus the store's own overrides.

    Empty override fields inherit the imported value, so a re-import updates every
    published product that the store did not override.
    """

    # Indexes: only the primary key, the unique (store, marketplace product) one, and the
    # marketplace product's (Django's cascade from a deleted marketplace product looks rows
    # up by it). Every other index cost each published row another entry (issue 15): the
    # store's is the unique index's first column; nothing searches by created_at or
    # is_active alone (lists go from the store's marketplace products through the unique index).
    #
    # Foreign keys: on PostgreSQL one composite constraint (store_id, marketplace_product_id)
    # -> marketplace_products (store_id, id) replaces Django's two (catalog migration 0004):
    # it checks once per row what the two checked twice (a bulk publish spent 58% of its
    # time in those two triggers) and makes the database itself refuse a product published
    # by a store that did not import it. Django knows it only as db_constraint=False, so
    # CASCADE is emulated by Django as before (and by ON DELETE CASCADE in the database).
    # SQLite keeps Django's two original constraints (0004 leaves its table alone).
    store = models.ForeignKey(
        "stores.Store", on_delete=models.CASCADE, related_name="products", db_index=False, db_constraint=False
    )
    marketplace_product = models.ForeignKey(
        "marketplace.MarketplaceProduct", on_delete=models.CASCADE, related_name="catalog_products", db_constraint=False
    )
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    sale_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    availability = models.CharField(max_length=20, choices=Availability.choices, blank=True)
    condition = models.CharField(max_length=20, choices=Condition.choices, blank=True)
    is_featured = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    display_order = models.IntegerField(default=0)
    min_quantity = models.PositiveIntegerField(default=1)
    max_quantity = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)  # BaseModel's, without its index (see store)

    class Meta:
        db_table = "products"
        verbose_name = _("Product")
        verbose_name_plural = _("Products")
        ordering = ["display_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["store", "marketplace_product"], name="uniq_product_store_mp"),
            models.CheckConstraint(condition=Q(price__isnull=True) | Q(price__gte=0), name="product_price_gte_0"),
            models.CheckConstraint(
                condition=Q(sale_price__isnull=True) | Q(sale_price__gte=0), name="product_sale_price_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(max_quantity__isnull=True) | Q(min_quantity__lte=F("max_quantity")),
                name="product_min_lte_max_quantity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.store_id}:{self.marketplace_product_id}"

    def clean(self) -> None:
        # A store publishes only its own marketplace products. The services guarantee it by
        # construction; this catches every form (the Django admin's included).
        if self.store_id and self.marketplace_product_id and self.marketplace_product.store_id != self.store_id:
            raise ValidationError({"marketplace_product": _("This product was imported by another store.")})


class CatalogBulkAction(BaseModel):
    """A publish or unpublish too large for a request (MARKETPLACE_PUBLISH_SYNC_LIMIT), run
    by a django-q2 worker chunk by chunk (``catalog.bulk``), with its progress.

    ``cursor`` is the highest marketplace product id done: it is written in the same
    transaction as each chunk, together with ``done`` and ``changed``, so a re-run after a
    dead worker resumes exactly where the last committed chunk ended and its counts stay exact.
    """

    class Action(models.TextChoices):
        PUBLISH = "publish", _("Publish")
        UNPUBLISH = "unpublish", _("Unpublish")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PROCESSING = "processing", _("Processing")
        COMPLETED = "completed", _("Completed")
        FAILED = "failed", _("Failed")

    class Scope(models.TextChoices):
        IDS = "ids", _("Selected products")
        JOB_ALL = "all", _("Every product of an import's feed")
        JOB_CHANGED = "changed", _("What an import created or changed")

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="catalog_bulk_actions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    scope = models.CharField(max_length=16, choices=Scope.choices)
    # Scope "ids": the marketplace product ids, sorted (at most the API's 10,000 per request).
    marketplace_product_ids = models.JSONField(null=True, blank=True)
    # Scopes "all" and "changed": the import whose products these are.
    job = models.ForeignKey(
        "marketplace.MarketplaceImportJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(default=0)  # the store's products the selection named when it was asked
    done = models.PositiveIntegerField(default=0)  # of them, gone through
    changed = models.PositiveIntegerField(default=0)  # published (or unpublished) by this action
    cursor = models.BigIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    error_message = models.TextField(blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "catalog_bulk_actions"
        indexes = [
            # The recovery's query: active actions by heartbeat.
            models.Index(fields=["status", "heartbeat_at"], name="bulk_action_status_hb_idx"),
            models.Index(fields=["store", "status"], name="bulk_action_store_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} #{self.pk} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.PROCESSING)

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.COMPLETED:
            return 100
        if not self.total:
            return 0
        return min(100, self.done * 100 // self.total)

    @property
    def unchanged(self) -> int:
        """Already published (publish) or not published (unpublish): left as they were."""
        return max(0, self.done - self.changed)
