from __future__ import annotations

from decimal import Decimal

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from catalog.models import Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin[Product]):
    list_display = (
        "id",
        "product_id",
        "title",
        "store_code",
        "effective_price",
        "effective_availability",
        "is_active",
        "is_featured",
        "display_order",
        "updated_at",
    )
    list_display_links = ("id", "product_id")
    list_filter = ("is_active", "is_featured", "availability", "store")
    list_select_related = ("store", "marketplace_product")
    search_fields = (
        "marketplace_product__title",
        "^marketplace_product__marketplace_product_id",
        "=marketplace_product__gtin",
    )
    search_help_text = _("Part of the title, the start of a product id, or a whole GTIN.")
    raw_id_fields = ("store", "marketplace_product")
    readonly_fields = ("created_at", "updated_at")
    list_per_page = 50
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    @admin.display(description=_("product id"), ordering="marketplace_product__marketplace_product_id")
    def product_id(self, product: Product) -> str:
        return product.marketplace_product.marketplace_product_id

    @admin.display(description=_("title"), ordering="marketplace_product__title")
    def title(self, product: Product) -> str:
        return product.marketplace_product.title

    @admin.display(description=_("store"), ordering="store__code")
    def store_code(self, product: Product) -> str:
        return product.store.code

    @admin.display(description=_("price"))
    def effective_price(self, product: Product) -> Decimal | None:
        """The store's override, else the imported price."""
        return product.price if product.price is not None else product.marketplace_product.price

    @admin.display(description=_("availability"))
    def effective_availability(self, product: Product) -> str:
        return product.availability or product.marketplace_product.availability or "—"
