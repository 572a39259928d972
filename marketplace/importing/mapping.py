"""Stage 4 of an import: map the feed's header cells onto the attributes of `schema.ATTRIBUTES`.

Pure module. A header cell is matched after `normalize_header` and a looser key (accents folded both
ways, "ä" -> "a" and "ä" -> "ae", any punctuation -> "_"), so "Größe", "Groesse", "grosse" and
"GRÖSSE" all find `size`. Names come in three ranks and a better rank wins whatever the order:

0. the Google attribute name itself (``id``, ``g:image_link``, ``image link``);
1. the localized names Google accepts in delimited feeds (German ``Bildlink``, French ``lien image``);
2. names from other schemas and shop exports (``item_id``, ``url``, ``sku``, ``EAN``...).

Within a rank the first column wins. Columns that lose, and columns nobody knows, go to `extra`
under their original header name, so their values land in ``extra_attributes`` instead of being lost.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from marketplace.importing.errors import ImportFailed
from marketplace.importing.schema import ATTRIBUTES_BY_NAME

# Not a schema attribute: a separate currency column applies to bare-number prices.
CURRENCY_COLUMN = "currency"
_MAX_NAMES_IN_MESSAGE = 40


class MappingError(ImportFailed):
    """The header cannot be used (no id or no title column); the job fails with `message`."""


@dataclass(frozen=True)
class ColumnMap:
    # Schema attribute name (plus "currency" when the file has such a column) -> column index.
    index_of: dict[str, int]
    # Column index -> original header name, for columns that go to extra_attributes.
    extra: dict[int, str]
    header: list[str]


_GOOGLE = 0
_LOCALIZED = 1
_OTHER = 2

# attribute -> (localized Google names in German and French, other common names).
# Spelling does not matter much: every name is matched through match_keys.
_ALIASES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "marketplace_product_id": (
        ("ID", "identifiant", "identifiant produit", "id produit"),
        (
            "item_id",
            "itemid",
            "product_id",
            "productid",
            "offer_id",
            "offerid",
            "sku",
            "article_id",
            "artikelnummer",
            "artikel nr",
            "artikel-nr.",
            "art nr",
            "art.-nr.",
            "artikel id",
            "produkt id",
            "produktnummer",
            "référence",
            "reference",
            "ref",
            "réf",
            "référence produit",
            "code article",
            "marketplace_product_id",
            "merchant_item_id",
            "product code",
            "item number",
        ),
    ),
    "title": (
        ("Titel", "titre"),
        (
            "name",
            "product_name",
            "product name",
            "product_title",
            "item_name",
            "nom",
            "nom du produit",
            "nom produit",
            "libellé",
            "désignation",
            "produktname",
            "produktbezeichnung",
            "bezeichnung",
            "artikelname",
            "artikelbezeichnung",
            "produkttitel",
        ),
    ),
    "description": (
        ("Beschreibung", "description"),
        (
            "product_description",
            "long_description",
            "descriptif",
            "description longue",
            "produktbeschreibung",
            "artikelbeschreibung",
            "langbeschreibung",
        ),
    ),
    "link": (
        ("Link", "lien"),
        (
            "url",
            "product_url",
            "product_link",
            "producturl",
            "deeplink",
            "deep_link",
            "landing_page",
            "lien produit",
            "url produit",
            "produktlink",
            "produkt url",
            "artikel url",
        ),
    ),
    "mobile_link": (("mobiler Link", "lien mobile"), ("mobile_url",)),
    "image_link": (
        ("Bildlink", "lien image"),
        (
            "image_url",
            "imageurl",
            "image",
            "main_image",
            "main_image_url",
            "image link url",
            "picture",
            "picture_url",
            "photo",
            "url image",
            "image principale",
            "bild",
            "bild url",
            "bildurl",
            "hauptbild",
        ),
    ),
    "additional_image_links": (
        (
            "zusätzlicher Bildlink",
            "zusätzliche Bildlinks",
            "lien image supplémentaire",
            "liens images supplémentaires",
            "lien d'image supplémentaire",
        ),
        (
            "additional_image_link",
            "additional_image_url",
            "additional_image_urls",
            "additional_images",
            "additional_image",
            "images",
            "image_urls",
            "other_images",
            "weitere bilder",
            "weitere bildlinks",
            "zusatzbilder",
            "images supplémentaires",
        ),
    ),
    "price": (
        ("Preis", "prix"),
        (
            "regular_price",
            "base_price",
            "list_price",
            "price_eur",
            "prix ttc",
            "prix de vente",
            "verkaufspreis",
            "preis brutto",
            "bruttopreis",
        ),
    ),
    "sale_price": (
        ("Sonderangebotspreis", "prix soldé"),
        (
            "special_price",
            "discount_price",
            "reduced_price",
            "promo_price",
            "offer_price",
            "prix promo",
            "prix promotionnel",
            "prix réduit",
            "angebotspreis",
            "aktionspreis",
            "reduzierter preis",
        ),
    ),
    "sale_price_effective_date": (
        ("Sonderangebotszeitraum", "période de validité du prix soldé", "période du prix soldé"),
        ("sale_price_dates", "special_price_dates"),
    ),
    "availability": (
        ("Verfügbarkeit", "disponibilité"),
        (
            "stock_status",
            "availability_status",
            "stock status",
            "lieferstatus",
            "lagerstatus",
            "statut du stock",
            "état du stock",
        ),
    ),
    "availability_date": (("Verfügbarkeitsdatum", "date de disponibilité"), ()),
    "expiration_date": (("Ablaufdatum", "date d'expiration"), ()),
    "condition": (("Zustand", "état"), ("etat", "item_condition", "product_condition", "artikelzustand")),
    "brand": (
        ("Marke", "marque"),
        ("brand_name", "manufacturer", "hersteller", "fabricant", "vendor", "markenname"),
    ),
    "gtin": (
        ("GTIN",),
        (
            "ean",
            "ean13",
            "ean_13",
            "ean code",
            "code ean",
            "ean/gtin",
            "gtin/ean",
            "gtin13",
            "gtin_13",
            "gtin12",
            "gtin14",
            "gtin8",
            "upc",
            "isbn",
            "barcode",
            "code barre",
            "code-barres",
            "strichcode",
            "ean nummer",
        ),
    ),
    "mpn": (
        ("MPN", "référence fabricant"),
        (
            "manufacturer_part_number",
            "herstellernummer",
            "herstellerartikelnummer",
            "hersteller artikelnummer",
            "hersteller-nr.",
            "référence constructeur",
        ),
    ),
    "identifier_exists": (("Kennzeichnung existiert", "identifiant existant", "identifiant existe"), ()),
    "google_product_category": (
        ("Google Produktkategorie", "catégorie de produits google", "catégorie google"),
        ("google_category", "google_product_category_id", "google category", "gpc", "google kategorie"),
    ),
    "product_type": (
        ("Produkttyp", "type de produit"),
        (
            "product_category",
            "category",
            "categories",
            "category_path",
            "catégorie",
            "catégories",
            "kategorie",
            "kategorien",
            "produktkategorie",
            "rubrique",
            "warengruppe",
        ),
    ),
    "item_group_id": (
        (
            "Artikelgruppen-ID",
            "identifiant groupe",
            "identifiant d'article groupé",
            "identifiant d'article groupe",
            "identifiant de groupe d'articles",
        ),
        (
            "group_id",
            "item_group",
            "parent_id",
            "parent_sku",
            "parent",
            "variant_group",
            "variantengruppe",
            "vaterartikel",
            "stammartikel",
            "stammartikelnummer",
            "référence parent",
        ),
    ),
    "color": (("Farbe", "couleur"), ("colour", "colors", "farben", "couleurs")),
    "size": (("Größe", "taille"), ("sizes", "grössen", "tailles")),
    "size_type": (("Größentyp", "type de taille", "type de coupe"), ()),
    "size_system": (("Größensystem", "système de tailles", "système de taille"), ()),
    "gender": (("Geschlecht", "sexe"), ("genre", "sex")),
    "age_group": (("Altersgruppe", "tranche d'âge"), ("age_range", "groupe d'âge")),
    "material": (("Material", "matière"), ("materials", "matériau", "matériaux", "materialien", "stoff")),
    "pattern": (("Muster", "motif"), ()),
    "adult": (("nicht jugendfrei", "Erwachsene", "adulte", "produit pour adultes"), ("adult_content", "is_adult")),
    "multipack": (("Multipack",), ("lot multiple",)),
    "is_bundle": (("gehört zu Set", "lot"), ("bundle", "bundle_flag")),
    "energy_efficiency_class": (
        ("Energieeffizienzklasse", "classe énergétique", "classe d'efficacité énergétique"),
        ("energy_class", "energieklasse"),
    ),
    "unit_pricing_measure": (
        ("Grundpreis Maß", "mesure du prix unitaire", "prix unitaire mesure"),
        ("unit_price_measure",),
    ),
    "unit_pricing_base_measure": (
        ("Grundpreis Einheitsmaß", "mesure de base du prix unitaire"),
        ("unit_price_base_measure",),
    ),
    "shipping": (("Versand", "livraison"), ("shipping_cost", "versandkosten", "frais de port", "frais de livraison")),
    "shipping_label": (("Versandlabel", "Versandetikett", "étiquette de livraison"), ()),
    "shipping_weight": (("Versandgewicht", "poids du colis", "poids d'expédition"), ("poids de livraison",)),
    "shipping_length": (("Versandlänge", "longueur du colis"), ()),
    "shipping_width": (("Versandbreite", "largeur du colis"), ()),
    "shipping_height": (("Versandhöhe", "hauteur du colis"), ()),
    "tax_category": (("Steuerkategorie", "catégorie fiscale", "catégorie de taxe"), ()),
    "ads_redirect": (("Ads Weiterleitung", "redirection annonces"), ("adwords_redirect",)),
    "promotion_id": (("Aktions-ID", "Promotion-ID", "identifiant promotion", "identifiant de promotion"), ()),
    CURRENCY_COLUMN: (("Währung", "devise"), ("currency_code", "monnaie", "waehrung")),
}
for _n in range(5):
    _ALIASES[f"custom_label_{_n}"] = (
        (f"benutzerdefiniertes Label {_n}", f"étiquette personnalisée {_n}"),
        (f"custom label {_n}", f"customlabel{_n}", f"label {_n}"),
    )

# Google's own names that differ from our attribute names.
_GOOGLE_NAMES = {"id": "marketplace_product_id", "additional_image_link": "additional_image_links"}

_GERMAN_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_TRAILING_PARENTHESES = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\s*$")
_CONTROL_CHARS = dict.fromkeys(range(32)) | {0x7F: None, 0xFEFF: None}


def normalize_header(name: str) -> str:
    """Trim, lower-case, drop a ``g:`` prefix, turn spaces and dashes into ``_``, strip quotes and BOM.

    >>> normalize_header(' "G:Image Link" ')
    'image_link'
    """
    value = name.translate(_CONTROL_CHARS).strip().strip("\"'").strip().lower()
    if value.startswith("g:"):
        value = value[2:].lstrip()
    value = value.replace(" ", "_").replace("-", "_").replace("\u00a0", "_")
    while "__" in value:
        value = value.replace("__", "_")
    return value.strip("_")


def _fold_accents(value: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", value) if not unicodedata.combining(ch))


def match_keys(name: str) -> set[str]:
    """Loose keys for a header or a word: accents dropped both ways, punctuation -> "_".

    >>> sorted(match_keys("Größe"))
    ['groesse', 'grosse']
    """
    base = normalize_header(name)
    keys = set()
    for variant in (base, base.translate(_GERMAN_TRANSLITERATION)):
        folded = _fold_accents(variant.replace("ß", "ss"))
        key = _NOT_WORD.sub("_", folded).strip("_")
        if key:
            keys.add(key)
    return keys


def _build_index() -> dict[str, tuple[str, int]]:
    index: dict[str, tuple[str, int]] = {}

    def add(name: str, attribute: str, rank: int) -> None:
        for key in match_keys(name):
            current = index.get(key)
            if current is not None and current[0] != attribute:
                # Two attributes sharing a name would make the mapping depend on table order.
                raise RuntimeError(f"Header alias {name!r} is claimed by {current[0]} and {attribute}")
            if current is None or current[1] > rank:
                index[key] = (attribute, rank)

    for attribute in ATTRIBUTES_BY_NAME:
        add(attribute, attribute, _GOOGLE)
    for google_name, attribute in _GOOGLE_NAMES.items():
        add(google_name, attribute, _GOOGLE)
    for attribute, (localized, other) in _ALIASES.items():
        for name in localized:
            add(name, attribute, _LOCALIZED)
        for name in other:
            add(name, attribute, _OTHER)
    add(CURRENCY_COLUMN, CURRENCY_COLUMN, _GOOGLE)
    return index


_INDEX = _build_index()


def _lookup(header_cell: str) -> tuple[str, int] | None:
    keys = match_keys(header_cell)
    # "Preis (EUR)", "price [EUR]": the unit in brackets is decoration.
    without_unit = _TRAILING_PARENTHESES.sub("", header_cell)
    if without_unit != header_cell:
        keys |= match_keys(without_unit)
    matches = [_INDEX[key] for key in keys if key in _INDEX]
    return min(matches, key=lambda match: match[1]) if matches else None


def resolve_columns(header: list[str]) -> ColumnMap:
    """Map header cells onto schema attributes; raise MappingError without an id or a title column."""
    best: dict[str, tuple[int, int]] = {}  # attribute -> (rank, index)
    matched: dict[int, tuple[str, int]] = {}
    for index, cell in enumerate(header):
        match = _lookup(cell or "")
        if match is None:
            continue
        matched[index] = match
        attribute, rank = match
        if attribute not in best or rank < best[attribute][0]:
            best[attribute] = (rank, index)
    index_of = {attribute: index for attribute, (_rank, index) in best.items()}
    used = set(index_of.values())

    extra: dict[int, str] = {}
    taken: set[str] = set()
    for index, cell in enumerate(header):
        if index in used:
            continue
        name = (cell or "").translate(_CONTROL_CHARS).strip() or f"column_{index + 1}"
        # Two columns with the same name must not overwrite each other in extra_attributes.
        unique, n = name, 2
        while unique in taken:
            unique, n = f"{name} ({n})", n + 1
        taken.add(unique)
        extra[index] = unique

    missing = [
        label
        for attribute, label in (("marketplace_product_id", "id"), ("title", "title"))
        if attribute not in index_of
    ]
    if missing:
        raise MappingError(_missing_message(missing, header))
    return ColumnMap(index_of=index_of, extra=extra, header=list(header))


def _missing_message(missing: list[str], header: list[str]) -> str:
    names = [(cell or "").translate(_CONTROL_CHARS).strip() for cell in header]
    shown = [name or "(blank)" for name in names[:_MAX_NAMES_IN_MESSAGE]]
    found = ", ".join(shown) if shown else "none"
    if len(names) > _MAX_NAMES_IN_MESSAGE:
        found += f" and {len(names) - _MAX_NAMES_IN_MESSAGE} more"
    what = " or ".join(missing)
    column_word = "columns" if len(missing) > 1 else "column"
    message = f"The file has no {what} {column_word}. Columns found: {found}."
    if len(names) == 1:
        message += " Only one column was found: check that the file is comma, semicolon or tab separated."
    else:
        message += " The first line of the file must name the columns (for example id, title, price)."
    return message
