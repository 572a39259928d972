from __future__ import annotations

from django.contrib import admin

from catalog.models import Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("id", "store", "marketplace_product", "price", "availability", "is_active", "is_featured",
                    "display_order")
    list_filter = ("is_active", "is_featured", "availability", "store")
    list_select_related = ("store", "marketplace_product")
    search_fields = ("marketplace_product__title", "marketplace_product__marketplace_product_id",
                     "marketplace_product__gtin")
    raw_id_fields = ("store", "marketplace_product")
