from __future__ import annotations

from pathlib import Path

import pytest

from demo.feeds import DEMO_FEEDS, demo_feed_bytes
from marketplace.importing.decoding import open_feed
from marketplace.importing.mapping import MappingError, normalize_header, resolve_columns
from marketplace.importing.schema import ATTRIBUTES_BY_NAME

REAL_FEEDS = Path("/work/shared/feeds/real")
_DEMO_ATTRIBUTES = [
    "marketplace_product_id",
    "title",
    "description",
    "link",
    "image_link",
    "price",
    "availability",
    "condition",
    "brand",
    "gtin",
    "mpn",
    "google_product_category",
    "product_type",
    "color",
    "size",
]


def _mapped(header: list[str]) -> dict[str, str]:
    columns = resolve_columns(header)
    return {header[index]: attribute for attribute, index in columns.index_of.items()}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("id", "id"),
        ("  G:Image Link ", "image_link"),
        ('"g:price"', "price"),
        ("\ufeffid", "id"),
        ("Sale-Price  Effective Date", "sale_price_effective_date"),
        ("Artikelgruppen-ID", "artikelgruppen_id"),
        ("tranche d'âge", "tranche_d'âge"),
        ("", ""),
    ],
)
def test_normalize_header(raw, expected):
    assert normalize_header(raw) == expected


@pytest.mark.parametrize("name", sorted(DEMO_FEEDS))
def test_it_maps_every_demo_feed_column(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(demo_feed_bytes(name))
    with open_feed(path) as feed:
        columns = resolve_columns(feed.header)
    assert columns.index_of == {attribute: i for i, attribute in enumerate(_DEMO_ATTRIBUTES)}
    assert columns.extra == {}


_REAL_EXPECTED = {
    "boschino_sk_openai_feed_EXCERPT.csv": (
        {
            "item_id": "marketplace_product_id",
            "title": "title",
            "description": "description",
            "url": "link",
            "brand": "brand",
            "image_url": "image_link",
            "availability": "availability",
            "price": "price",
            "sale_price": "sale_price",
            "gtin": "gtin",
            "mpn": "mpn",
        },
        {"seller_name", "is_ads_eligible"},
    ),
    "laz627_sample-valid_openai.csv": (
        {
            "id": "marketplace_product_id",
            "title": "title",
            "description": "description",
            "link": "link",
            "product_category": "product_type",
            "brand": "brand",
            "material": "material",
            "image_link": "image_link",
            "price": "price",
            "availability": "availability",
        },
        {
            "enable_search",
            "enable_checkout",
            "weight",
            "inventory_quantity",
            "seller_name",
            "seller_url",
            "return_policy",
            "return_window",
        },
    ),
    "homestead_feed_EXCERPT.tsv": (
        {
            name: name
            for name in (
                "title",
                "description",
                "link",
                "image_link",
                "price",
                "availability",
                "condition",
                "brand",
                "identifier_exists",
                "google_product_category",
                "product_type",
            )
        }
        | {"id": "marketplace_product_id"},
        set(),
    ),
    "jabadia_gmc-learning-site_feed.tsv": (
        {
            name: name
            for name in (
                "title",
                "description",
                "link",
                "image_link",
                "availability",
                "condition",
                "price",
                "brand",
                "gtin",
                "google_product_category",
                "product_type",
                "item_group_id",
                "color",
                "size",
                "gender",
                "age_group",
                "material",
            )
        }
        | {"id": "marketplace_product_id"},
        set(),
    ),
    "laz627_sample-apparel.tsv": (
        {
            name: name
            for name in (
                "title",
                "description",
                "link",
                "image_link",
                "availability",
                "price",
                "item_group_id",
                "gender",
                "age_group",
                "color",
                "size",
                "brand",
                "mpn",
                "gtin",
            )
        }
        | {"id": "marketplace_product_id"},
        set(),
    ),
    "mesbonbons_feed_EXCERPT.tsv": (
        {
            name: name
            for name in (
                "title",
                "description",
                "link",
                "image_link",
                "availability",
                "price",
                "brand",
                "gtin",
                "identifier_exists",
                "condition",
            )
        }
        | {"id": "marketplace_product_id"},
        set(),
    ),
}


def test_every_real_feed_is_covered():
    assert {p.name for p in REAL_FEEDS.iterdir() if p.suffix in (".csv", ".tsv")} == set(_REAL_EXPECTED)


@pytest.mark.parametrize("name", sorted(_REAL_EXPECTED))
def test_it_maps_the_real_feeds(name):
    mapped, extra = _REAL_EXPECTED[name]
    with open_feed(REAL_FEEDS / name) as feed:
        header = feed.header
    columns = resolve_columns(header)
    assert _mapped(header) == mapped
    assert set(columns.extra.values()) == extra
    # Every column is either mapped or kept: nothing is silently dropped.
    assert sorted([*columns.index_of.values(), *columns.extra]) == list(range(len(header)))


_GERMAN = {
    "ID": "marketplace_product_id",
    "Titel": "title",
    "Beschreibung": "description",
    "Link": "link",
    "Mobiler Link": "mobile_link",
    "Bildlink": "image_link",
    "Zusätzlicher Bildlink": "additional_image_links",
    "Preis": "price",
    "Sonderangebotspreis": "sale_price",
    "Sonderangebotszeitraum": "sale_price_effective_date",
    "Verfügbarkeit": "availability",
    "Verfügbarkeitsdatum": "availability_date",
    "Ablaufdatum": "expiration_date",
    "Zustand": "condition",
    "Marke": "brand",
    "GTIN": "gtin",
    "MPN": "mpn",
    "Kennzeichnung existiert": "identifier_exists",
    "Google Produktkategorie": "google_product_category",
    "Produkttyp": "product_type",
    "Artikelgruppen-ID": "item_group_id",
    "Farbe": "color",
    "Größe": "size",
    "Größentyp": "size_type",
    "Größensystem": "size_system",
    "Geschlecht": "gender",
    "Altersgruppe": "age_group",
    "Material": "material",
    "Muster": "pattern",
    "nicht jugendfrei": "adult",
    "Multipack": "multipack",
    "gehört zu Set": "is_bundle",
    "Energieeffizienzklasse": "energy_efficiency_class",
    "Grundpreis Maß": "unit_pricing_measure",
    "Grundpreis Einheitsmaß": "unit_pricing_base_measure",
    "Versand": "shipping",
    "Versandlabel": "shipping_label",
    "Versandgewicht": "shipping_weight",
    "Versandlänge": "shipping_length",
    "Versandbreite": "shipping_width",
    "Versandhöhe": "shipping_height",
    "Steuerkategorie": "tax_category",
    "Benutzerdefiniertes Label 0": "custom_label_0",
    "benutzerdefiniertes_Label_4": "custom_label_4",
    "Aktions-ID": "promotion_id",
}
_FRENCH = {
    "identifiant": "marketplace_product_id",
    "titre": "title",
    "description": "description",
    "lien": "link",
    "lien mobile": "mobile_link",
    "lien image": "image_link",
    "lien_image": "image_link",
    "lien image supplémentaire": "additional_image_links",
    "prix": "price",
    "prix soldé": "sale_price",
    "période de validité du prix soldé": "sale_price_effective_date",
    "disponibilité": "availability",
    "date de disponibilité": "availability_date",
    "date d'expiration": "expiration_date",
    "état": "condition",
    "marque": "brand",
    "référence fabricant": "mpn",
    "identifiant existant": "identifier_exists",
    "catégorie de produits google": "google_product_category",
    "type de produit": "product_type",
    "identifiant d'article groupe": "item_group_id",
    "identifiant groupe": "item_group_id",
    "couleur": "color",
    "taille": "size",
    "sexe": "gender",
    "genre": "gender",
    "tranche d'âge": "age_group",
    "matière": "material",
    "motif": "pattern",
    "adulte": "adult",
    "lot": "is_bundle",
    "classe énergétique": "energy_efficiency_class",
    "livraison": "shipping",
    "poids du colis": "shipping_weight",
    "étiquette personnalisée 2": "custom_label_2",
}
_OTHER_SCHEMAS = {
    "item_id": "marketplace_product_id",
    "sku": "marketplace_product_id",
    "offer_id": "marketplace_product_id",
    "Artikelnummer": "marketplace_product_id",
    "Référence": "marketplace_product_id",
    "name": "title",
    "url": "link",
    "product_url": "link",
    "image_url": "image_link",
    "additional_image_urls": "additional_image_links",
    "EAN": "gtin",
    "UPC": "gtin",
    "manufacturer": "brand",
    "category": "product_type",
    "special_price": "sale_price",
}
_GOOGLE_SPACED = {
    "g:id": "marketplace_product_id",
    "image link": "image_link",
    "additional image link": "additional_image_links",
    "additional_image_link": "additional_image_links",
    "sale price effective date": "sale_price_effective_date",
    "google product category": "google_product_category",
    "product type": "product_type",
    "item group id": "item_group_id",
    "custom label 0": "custom_label_0",
    "G:CUSTOM_LABEL_3": "custom_label_3",
    "identifier exists": "identifier_exists",
    "ads redirect": "ads_redirect",
    "is bundle": "is_bundle",
}


@pytest.mark.parametrize(
    ("name", "attribute"), [*_GERMAN.items(), *_FRENCH.items(), *_OTHER_SCHEMAS.items(), *_GOOGLE_SPACED.items()]
)
def test_it_knows_localized_and_other_schema_names(name, attribute):
    header = [name, "__other__"] if attribute in ("marketplace_product_id", "title") else ["id", "title", name]
    if attribute == "marketplace_product_id":
        header[1] = "title"
    if attribute == "title":
        header[1] = "id"
    assert _mapped(header)[name] == attribute


def test_every_schema_attribute_is_reachable_by_its_own_name():
    header = ["id", *ATTRIBUTES_BY_NAME]
    columns = resolve_columns(header)
    assert set(columns.index_of) == set(ATTRIBUTES_BY_NAME)


@pytest.mark.parametrize(
    ("name", "attribute"),
    [
        ("Groesse", "size"),
        ("GRÖSSE", "size"),
        ("Grosse", "size"),
        ("Verfuegbarkeit", "availability"),
        ("Verfugbarkeit", "availability"),
        ("disponibilite", "availability"),
        ("etat", "condition"),
        ("Zusaetzlicher Bildlink", "additional_image_links"),
        ("tranche d age", "age_group"),
        ("TRANCHE D'ÂGE", "age_group"),
        ("Catégorie de produits Google", "google_product_category"),
    ],
)
def test_it_matches_with_or_without_accents(name, attribute):
    assert _mapped(["id", "title", name])[name] == attribute


@pytest.mark.parametrize(("name", "attribute"), [("Preis (EUR)", "price"), ("price [EUR]", "price")])
def test_a_unit_in_brackets_is_ignored(name, attribute):
    assert _mapped(["id", "title", name])[name] == attribute


def test_a_separate_currency_column_is_recognised():
    assert resolve_columns(["id", "title", "price", "Währung"]).index_of["currency"] == 3


def test_the_google_name_beats_an_alias_wherever_it_is():
    columns = resolve_columns(["sku", "title", "id"])
    assert columns.index_of["marketplace_product_id"] == 2
    assert columns.extra == {0: "sku"}


def test_the_first_of_two_equal_columns_wins_and_the_second_is_kept():
    columns = resolve_columns(["id", "title", "title", "note", "note", ""])
    assert columns.index_of["title"] == 1
    assert columns.extra == {2: "title", 3: "note", 4: "note (2)", 5: "column_6"}


def test_unknown_columns_keep_their_original_name():
    columns = resolve_columns(["g:id", "g:title", " Lagerort ", "Interne Notiz"])
    assert columns.extra == {2: "Lagerort", 3: "Interne Notiz"}
    assert columns.header == ["g:id", "g:title", " Lagerort ", "Interne Notiz"]


def test_it_names_the_columns_found_when_the_id_is_missing():
    with pytest.raises(MappingError) as info:
        resolve_columns(["a", "title", "c"])
    assert info.value.message.startswith("The file has no id column. Columns found: a, title, c.")


def test_it_names_both_missing_columns():
    with pytest.raises(MappingError, match="The file has no id or title columns. Columns found: a, b."):
        resolve_columns(["a", "b"])


def test_it_hints_at_the_delimiter_when_only_one_column_is_found():
    with pytest.raises(MappingError, match="comma, semicolon or tab"):
        resolve_columns(["id:title:price"])


def test_a_long_header_is_shortened_in_the_message():
    with pytest.raises(MappingError, match="and 60 more"):
        resolve_columns([f"col{n}" for n in range(100)])


def test_no_header_name_is_claimed_by_two_attributes():
    from marketplace.importing.column_aliases import ALIASES, IMAGES_COLUMN, IMAGES_NAMES
    from marketplace.importing.mapping import match_keys

    owners: dict[str, set[str]] = {}
    names = [(attribute, name) for attribute, (localized, other) in ALIASES.items() for name in (*localized, *other)]
    names += [(IMAGES_COLUMN, name) for name in IMAGES_NAMES]
    names += [(attribute, attribute) for attribute in ATTRIBUTES_BY_NAME]
    for attribute, name in names:
        for key in match_keys(name):
            owners.setdefault(key, set()).add(attribute)
    shared = {key: attributes for key, attributes in owners.items() if len(attributes) > 1}
    assert shared == {}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            ["ID", "UGS", "Nom", "Tarif régulier", "Tarif promo", "Images", "Parent", "En stock ?"],
            {
                "ID": "marketplace_product_id",
                "Nom": "title",
                "Tarif régulier": "price",
                "Tarif promo": "sale_price",
                "Images": "images",
                "Parent": "item_group_id",
                "En stock ?": "availability",
            },
        ),
        (
            ["SKU", "Name", "Regular price", "Sale price", "In stock?", "Images", "Parent"],
            {
                "SKU": "marketplace_product_id",
                "Name": "title",
                "Regular price": "price",
                "Sale price": "sale_price",
                "In stock?": "availability",
                "Images": "images",
                "Parent": "item_group_id",
            },
        ),
        (
            [
                "Artikelnummer",
                "Kurzbez.",
                "Langtext",
                "Regulärer Preis",
                "Bilder",
                "Übergeordnetes Produkt",
                "Vorrätig?",
            ],
            {
                "Artikelnummer": "marketplace_product_id",
                "Kurzbez.": "title",
                "Langtext": "description",
                "Regulärer Preis": "price",
                "Bilder": "images",
                "Übergeordnetes Produkt": "item_group_id",
                "Vorrätig?": "availability",
            },
        ),
        (
            ["Handle", "Title", "Body (HTML)", "Variant SKU", "Variant Price", "Variant Barcode", "Image Src"],
            {
                "Handle": "item_group_id",
                "Title": "title",
                "Body (HTML)": "description",
                "Variant SKU": "marketplace_product_id",
                "Variant Price": "price",
                "Variant Barcode": "gtin",
                "Image Src": "image_link",
            },
        ),
        (
            ["ID", "Name *", "Price tax included", "Image URLs (x,y,z...)", "Manufacturer", "EAN13"],
            {
                "ID": "marketplace_product_id",
                "Name *": "title",
                "Price tax included": "price",
                "Image URLs (x,y,z...)": "images",
                "Manufacturer": "brand",
                "EAN13": "gtin",
            },
        ),
        (
            ["productNumber", "name", "description_long", "price_gross", "cover_media_url", "parent_id"],
            {
                "productNumber": "marketplace_product_id",
                "name": "title",
                "description_long": "description",
                "price_gross": "price",
                "cover_media_url": "image_link",
                "parent_id": "item_group_id",
            },
        ),
    ],
    ids=["woocommerce-fr", "woocommerce-en", "woocommerce-de-erp", "shopify", "prestashop", "shopware"],
)
def test_it_maps_shop_export_columns(header, expected):
    assert _mapped(header) == expected


@pytest.mark.parametrize(
    ("cell", "parts"),
    [
        ("shipping(country:postal_code:price)", ("country", "postal_code", "price")),
        (
            "g:shipping(country:service:price:min_handling_time:max_handling_time)",
            ("country", "service", "price", "min_handling_time", "max_handling_time"),
        ),
        ("shipping (Country:Price)", ("country", "price")),
        ("shipping(country:region:service:price)", ()),  # Google's default order: nothing to do
        ("shipping", ()),
        ("shipping(colour:price)", ()),  # not Google's sub-attributes: read as a plain shipping
    ],
)
def test_a_shipping_header_names_its_sub_attributes(cell, parts):
    columns = resolve_columns(["id", "title", cell])
    assert columns.index_of["shipping"] == 2
    assert columns.shipping_parts == parts
