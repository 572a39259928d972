"""The product attributes a feed can fill, their kinds and their column sizes.

This is the contract between the pure import stages (mapping, normalizers) and the
`MarketplaceProduct` model: a test checks that every attribute here matches a model field
of the same name and size, so the normalizer truncates exactly where the database would
refuse.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    TEXT = "text"  # free text, trimmed
    URL = "url"  # trimmed text, no validation beyond length
    URL_LIST = "url_list"  # comma separated (additional_image_link) -> list[str]
    PRICE = "price"  # "29,99 EUR" -> (Decimal, currency)
    GTIN = "gtin"  # digits with a valid check digit, or empty with a warning
    AVAILABILITY = "availability"
    CONDITION = "condition"
    GENDER = "gender"  # male | female | unisex, obvious words mapped with a warning
    AGE_GROUP = "age_group"  # newborn | infant | toddler | kids | adult, likewise
    BOOL = "bool"
    INT = "int"


AVAILABILITY_VALUES = ("in_stock", "out_of_stock", "preorder", "backorder")
CONDITION_VALUES = ("new", "refurbished", "used")
GENDER_VALUES = ("male", "female", "unisex")
AGE_GROUP_VALUES = ("newborn", "infant", "toddler", "kids", "adult")
DEFAULT_CURRENCY = "EUR"


@dataclass(frozen=True)
class Attribute:
    name: str
    kind: Kind
    max_length: int | None  # None: unbounded text column (still capped, see TEXT_LIMIT)
    translatable: bool = False  # kept per language in MarketplaceProductTranslation


# Unbounded text columns are still capped so one row can never bloat the table.
TEXT_LIMIT = 10_000

ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute("marketplace_product_id", Kind.TEXT, 255),
    Attribute("title", Kind.TEXT, 500, translatable=True),
    Attribute("description", Kind.TEXT, None, translatable=True),
    Attribute("link", Kind.URL, 2000, translatable=True),
    Attribute("mobile_link", Kind.URL, 2000, translatable=True),
    Attribute("image_link", Kind.URL, 2000),
    Attribute("additional_image_links", Kind.URL_LIST, None),
    Attribute("price", Kind.PRICE, None),
    Attribute("sale_price", Kind.PRICE, None),
    Attribute("sale_price_effective_date", Kind.TEXT, 100),
    Attribute("availability", Kind.AVAILABILITY, 20),
    Attribute("availability_date", Kind.TEXT, 50),
    Attribute("expiration_date", Kind.TEXT, 50),
    Attribute("condition", Kind.CONDITION, 20),
    Attribute("brand", Kind.TEXT, 255),
    Attribute("gtin", Kind.GTIN, 14),
    Attribute("mpn", Kind.TEXT, 100),
    Attribute("identifier_exists", Kind.BOOL, None),
    Attribute("google_product_category", Kind.TEXT, 500),
    Attribute("product_type", Kind.TEXT, 750, translatable=True),
    Attribute("item_group_id", Kind.TEXT, 100),
    Attribute("color", Kind.TEXT, 100, translatable=True),
    Attribute("size", Kind.TEXT, 100, translatable=True),
    Attribute("size_type", Kind.TEXT, 50),
    Attribute("size_system", Kind.TEXT, 10),
    Attribute("gender", Kind.GENDER, 20),
    Attribute("age_group", Kind.AGE_GROUP, 20),
    Attribute("material", Kind.TEXT, 200, translatable=True),
    Attribute("pattern", Kind.TEXT, 100, translatable=True),
    Attribute("adult", Kind.BOOL, None),
    Attribute("multipack", Kind.INT, None),
    Attribute("is_bundle", Kind.BOOL, None),
    Attribute("energy_efficiency_class", Kind.TEXT, 10),
    Attribute("unit_pricing_measure", Kind.TEXT, 50),
    Attribute("unit_pricing_base_measure", Kind.TEXT, 50),
    Attribute("shipping", Kind.TEXT, 500),
    Attribute("shipping_label", Kind.TEXT, 100),
    Attribute("shipping_weight", Kind.TEXT, 50),
    Attribute("shipping_length", Kind.TEXT, 50),
    Attribute("shipping_width", Kind.TEXT, 50),
    Attribute("shipping_height", Kind.TEXT, 50),
    Attribute("tax_category", Kind.TEXT, 100),
    Attribute("custom_label_0", Kind.TEXT, 100),
    Attribute("custom_label_1", Kind.TEXT, 100),
    Attribute("custom_label_2", Kind.TEXT, 100),
    Attribute("custom_label_3", Kind.TEXT, 100),
    Attribute("custom_label_4", Kind.TEXT, 100),
    Attribute("ads_redirect", Kind.URL, 2000),
    Attribute("promotion_id", Kind.TEXT, 100),
    Attribute("product_highlight", Kind.TEXT, 1000, translatable=True),
    Attribute("product_detail", Kind.TEXT, 1000, translatable=True),
)

ATTRIBUTES_BY_NAME = {attribute.name: attribute for attribute in ATTRIBUTES}
# The localized attributes (SPEC 7): stored per language on MarketplaceProductTranslation,
# in this order; title and description come first, they are also the product's display copy.
TRANSLATABLE = tuple(a.name for a in ATTRIBUTES if a.translatable)
# Prices come with a currency column on the model: price -> currency, sale_price -> sale_price_currency.
CURRENCY_FIELDS = {"price": "currency", "sale_price": "sale_price_currency"}
