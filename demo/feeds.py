"""Demo Letzshop feeds in French, English and German, generated deterministically.

Each language is written the way real shops export it: the French feed from a
spreadsheet in cp1252 with semicolons and decimal commas, the English one as UTF-8 CSV
with `g:` headers, the German one tab-separated with German column names. The same
product ids appear in all three, and a few rows are broken on purpose so the error
viewer has something to show.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class DemoFeed:
    language: str
    encoding: str
    delimiter: str


DEMO_FEEDS: dict[str, DemoFeed] = {
    "letzshop-fr.csv": DemoFeed("fr", "cp1252", ";"),
    "letzshop-en.csv": DemoFeed("en", "utf-8", ","),
    "letzshop-de.tsv": DemoFeed("de", "utf-8", "\t"),
}
DEMO_ROWS = 300

_HEADERS = {
    "fr": [
        "id",
        "titre",
        "description",
        "lien",
        "lien_image",
        "prix",
        "disponibilité",
        "état",
        "marque",
        "gtin",
        "mpn",
        "catégorie_de_produits_google",
        "type_de_produit",
        "couleur",
        "taille",
    ],
    "en": [
        "g:id",
        "g:title",
        "g:description",
        "g:link",
        "g:image_link",
        "g:price",
        "g:availability",
        "g:condition",
        "g:brand",
        "g:gtin",
        "g:mpn",
        "g:google_product_category",
        "g:product_type",
        "g:color",
        "g:size",
    ],
    "de": [
        "ID",
        "Titel",
        "Beschreibung",
        "Link",
        "Bildlink",
        "Preis",
        "Verfügbarkeit",
        "Zustand",
        "Marke",
        "GTIN",
        "MPN",
        "Google Produktkategorie",
        "Produkttyp",
        "Farbe",
        "Größe",
    ],
}
_NOUNS = {
    "fr": [
        "Chemise en lin",
        "Sac à dos",
        "Théière en fonte",
        "Écharpe en laine",
        "Lampe de bureau",
        "Montre connectée",
        "Casque audio",
        "Tasse à café",
        "Coussin brodé",
        "Bougie parfumée",
    ],
    "en": [
        "Linen shirt",
        "Backpack",
        "Cast-iron teapot",
        "Wool scarf",
        "Desk lamp",
        "Smart watch",
        "Headphones",
        "Coffee mug",
        "Embroidered cushion",
        "Scented candle",
    ],
    "de": [
        "Leinenhemd",
        "Rucksack",
        "Gusseisen-Teekanne",
        "Wollschal",
        "Schreibtischlampe",
        "Smartwatch",
        "Kopfhörer",
        "Kaffeetasse",
        "Besticktes Kissen",
        "Duftkerze",
    ],
}
_COLOURS = {
    "fr": ["rouge", "bleu", "vert", "noir", "blanc"],
    "en": ["red", "blue", "green", "black", "white"],
    "de": ["rot", "blau", "grün", "schwarz", "weiß"],
}
_AVAILABILITY = {
    "fr": ["en stock", "en stock", "en rupture de stock", "précommande"],
    "en": ["in stock", "in_stock", "out of stock", "preorder"],
    "de": ["auf Lager", "auf Lager", "nicht auf Lager", "vorbestellen"],
}
_CONDITION = {"fr": "neuf", "en": "new", "de": "neu"}
_BLURB = {
    "fr": "Fabriqué au Luxembourg avec des matériaux durables. Livraison rapide, retour gratuit sous 30 jours.",
    "en": "Made in Luxembourg from durable materials. Fast delivery, free returns within 30 days.",
    "de": "In Luxemburg aus langlebigen Materialien hergestellt. Schnelle Lieferung, kostenlose Rückgabe.",
}
_BRANDS = ["Maison Moselle", "Ardennes Atelier", "Kirchberg Design", "Éislek Goods", "Minett & Co"]
_TYPE = {"fr": "Maison > Décoration", "en": "Home > Decor", "de": "Haus > Dekoration"}


def gtin13(seed: int) -> str:
    body = f"{400000000000 + seed * 7919:012d}"[-12:]
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _price(language: str, cents: int) -> str:
    euros, rest = divmod(cents, 100)
    if language == "fr":
        return f"{euros},{rest:02d} €"
    if language == "de":
        return f"{euros},{rest:02d} EUR"
    return f"{euros}.{rest:02d} EUR"


def demo_feed_rows(language: str, rows: int = DEMO_ROWS) -> list[list[str]]:
    rng = random.Random(42)  # same products, prices and GTINs in every language
    out: list[list[str]] = []
    for n in range(1, rows + 1):
        noun_index = rng.randrange(len(_NOUNS["en"]))
        colour_index = rng.randrange(len(_COLOURS["en"]))
        cents = rng.randrange(499, 24999)
        availability_index = rng.randrange(len(_AVAILABILITY["en"]))
        brand = _BRANDS[rng.randrange(len(_BRANDS))]
        noun = _NOUNS[language][noun_index]
        colour = _COLOURS[language][colour_index]
        product_id = f"LS-{n:05d}"
        out.append(
            [
                product_id,
                f"{noun} {colour} #{n}",
                f"{noun} — {colour}. {_BLURB[language]}",
                f"https://shop.example.lu/{language}/p/{product_id}",
                f"https://shop.example.lu/img/{product_id}.jpg",
                _price(language, cents),
                _AVAILABILITY[language][availability_index],
                _CONDITION[language],
                brand,
                gtin13(n),
                f"MPN-{n:05d}",
                "536",
                _TYPE[language],
                colour,
                ["S", "M", "L", "XL"][n % 4],
            ]
        )
    # Deliberate mistakes, the kind real exports contain.
    out[9][1] = ""  # missing title -> error
    out[19][5] = "gratuit" if language == "fr" else "free"  # unparseable price -> error
    out[29][9] = out[29][9][:-1] + str((int(out[29][9][-1]) + 1) % 10)  # bad check digit -> warning
    out[39][9] = "4.00638E+12"  # spreadsheet-mangled GTIN -> warning
    out.append(list(out[49]))  # the same id twice -> error on the later row
    return out


@cache
def demo_feed_bytes(name: str) -> bytes:
    feed = DEMO_FEEDS[name]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=feed.delimiter, lineterminator="\r\n")
    writer.writerow(_HEADERS[feed.language])
    writer.writerows(demo_feed_rows(feed.language))
    return buffer.getvalue().encode(feed.encoding)
