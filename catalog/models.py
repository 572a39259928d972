from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from core.models import BaseModel
from marketplace.models import Availability, Condition


class Product(BaseModel):
    """A store's published product: the imported data plus the store's own overrides.

    Empty override fields inherit the imported value, so a re-import updates every
    published product that the store did not override.
    """

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="products")
    marketplace_product = models.ForeignKey(
        "marketplace.MarketplaceProduct", on_delete=models.CASCADE, related_name="catalog_products"
    )
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    sale_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    availability = models.CharField(max_length=20, choices=Availability.choices, blank=True)
    condition = models.CharField(max_length=20, choices=Condition.choices, blank=True)
    is_featured = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True, db_index=True)
    display_order = models.IntegerField(default=0)
    min_quantity = models.PositiveIntegerField(default=1)
    max_quantity = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        db_table = "products"
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
            raise ValidationError({"marketplace_product": "This product was imported by another store."})
