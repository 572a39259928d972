"""The catalog product JSON: effective values on top, overrides and imported data beside them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.pagination import page_serializer
from marketplace.importing.schema import TRANSLATABLE
from marketplace.models import MarketplaceProduct, MarketplaceProductTranslation

if TYPE_CHECKING:
    from catalog.selectors import CatalogItem


class ImportedProductSerializer(serializers.Serializer[MarketplaceProduct]):
    """The product as the store's feed describes it (``MarketplaceProduct``)."""

    id = serializers.IntegerField(help_text="Marketplace product id: what publish and unpublish take.")
    marketplace_product_id = serializers.CharField(help_text="The product's id in the feed.")
    marketplace = serializers.CharField()
    title = serializers.CharField()
    brand = serializers.CharField()
    gtin = serializers.CharField()
    mpn = serializers.CharField()
    link = serializers.CharField()
    image_link = serializers.CharField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    sale_price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    currency = serializers.CharField()
    availability = serializers.CharField(help_text="One of in_stock, out_of_stock, preorder, backorder, or empty.")
    condition = serializers.CharField(help_text="One of new, refurbished, used, or empty.")
    last_import_job_id = serializers.IntegerField(
        allow_null=True, help_text="The import that last created or changed it."
    )
    updated_at = serializers.DateTimeField()

    class Meta:
        ref_name = "ImportedProduct"


class TranslationSerializer(serializers.ModelSerializer[MarketplaceProductTranslation]):
    """One language of the product: its localized attributes and the last import whose feed
    contained it."""

    last_seen_job_id = serializers.IntegerField(
        allow_null=True, read_only=True, help_text="The last import whose feed contained this language's row."
    )
    last_seen_at = serializers.DateTimeField(allow_null=True, read_only=True, help_text="When that import saw it.")

    class Meta:
        model = MarketplaceProductTranslation
        fields = ("language", *TRANSLATABLE, "last_seen_job_id", "last_seen_at")
        read_only_fields = fields
        ref_name = "ProductTranslation"


class OverridesSerializer(serializers.Serializer[dict[str, Any]]):
    """The store's own values; null or "" means the imported value shows through."""

    price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    sale_price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    availability = serializers.CharField(help_text="Empty: as imported.")
    condition = serializers.CharField(help_text="Empty: as imported.")

    class Meta:
        ref_name = "CatalogOverrides"


class CatalogProductOutputSerializer(serializers.Serializer["CatalogItem"]):
    """One of the store's imported products with its catalog state.

    Read it from ``catalog.selectors.catalog_item_list`` (the annotations are required) through
    ``catalog_item_with_translations`` (``translations`` reads the prefetched ``translation_list``).
    """

    id = serializers.IntegerField(
        source="catalog_product_id",
        allow_null=True,
        help_text="Catalog product id, for GET and PATCH /{id}; null when not published.",
    )
    marketplace_product_id = serializers.IntegerField(source="pk", help_text="Same as marketplace_product.id.")
    is_published = serializers.BooleanField()
    price = serializers.DecimalField(
        source="effective_price",
        max_digits=12,
        decimal_places=2,
        allow_null=True,
        help_text="Effective price: the store's override, else the imported price.",
    )
    sale_price = serializers.DecimalField(
        source="effective_sale_price",
        max_digits=12,
        decimal_places=2,
        allow_null=True,
        help_text="Effective sale price.",
    )
    currency = serializers.CharField()
    availability = serializers.CharField(
        source="effective_availability", allow_null=True, help_text="Effective availability."
    )
    condition = serializers.CharField(source="effective_condition", allow_null=True, help_text="Effective condition.")
    overrides = serializers.SerializerMethodField(help_text="Null when not published.")
    is_featured = serializers.BooleanField(allow_null=True, help_text="Null when not published.")
    is_active = serializers.BooleanField(
        allow_null=True, help_text="False: published but hidden. Null when not published."
    )
    display_order = serializers.IntegerField(allow_null=True)
    min_quantity = serializers.IntegerField(allow_null=True)
    max_quantity = serializers.IntegerField(allow_null=True, help_text="Null: no maximum (or not published).")
    published_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField(
        source="catalog_updated_at",
        allow_null=True,
        help_text="Last change of the catalog entry (not of the imported data).",
    )
    marketplace_product = ImportedProductSerializer(source="*", help_text="The product as imported.")
    translations = TranslationSerializer(
        source="translation_list",
        many=True,
        read_only=True,
        help_text="The product's languages as imported, fr, en, de; a language not imported yet is absent.",
    )

    class Meta:
        ref_name = "CatalogProduct"

    @extend_schema_field(OverridesSerializer(allow_null=True))
    def get_overrides(self, item: CatalogItem) -> dict[str, Any] | None:
        if not item.is_published:
            return None
        return OverridesSerializer(
            {
                "price": item.price_override,
                "sale_price": item.sale_price_override,
                "availability": item.availability_override,
                "condition": item.condition_override,
            }
        ).data


CatalogProductPageSerializer = page_serializer("CatalogProductPage", CatalogProductOutputSerializer)
