"""Write a realistic Google Shopping feed for the import benchmark.

About 45 columns and 1.7 KB a row, like a mid-sized shop's export: descriptions of 300 to
1,500 characters, two or three additional image links, valid GTINs, prices with currency,
shipping and custom labels, and two columns no mapping knows (kept in extra_attributes).
About 1% of rows are broken the way real feeds break: no id, no title, an unparseable or
negative price, a bad check digit, a GTIN a spreadsheet turned into `4.00638E+12`.

The output is deterministic for a given row count and seed, so "unchanged" runs re-import
exactly the same bytes and runs can be compared over time.

    python -m benchmarks.generate_feed --rows 100000 --out benchmarks/out/feed_100000.csv
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

HEADER = [
    "id",
    "title",
    "description",
    "link",
    "mobile_link",
    "image_link",
    "additional_image_link",
    "price",
    "sale_price",
    "sale_price_effective_date",
    "availability",
    "availability_date",
    "condition",
    "brand",
    "gtin",
    "mpn",
    "identifier_exists",
    "google_product_category",
    "product_type",
    "item_group_id",
    "color",
    "size",
    "size_type",
    "size_system",
    "gender",
    "age_group",
    "material",
    "pattern",
    "adult",
    "multipack",
    "is_bundle",
    "energy_efficiency_class",
    "unit_pricing_measure",
    "unit_pricing_base_measure",
    "shipping",
    "shipping_weight",
    "tax_category",
    "custom_label_0",
    "custom_label_1",
    "custom_label_2",
    "custom_label_3",
    "custom_label_4",
    "promotion_id",
    "internal_stock_note",
    "supplier_ref",
]

_WORD_TEXT = """
linen cotton wool leather steel oak walnut ceramic glass bamboo recycled organic handmade soft
durable lightweight waterproof breathable classic modern vintage compact portable elegant sturdy
premium natural designed crafted tested luxembourg europe workshop family tradition quality comfort
everyday season gift kitchen garden office travel outdoor home living bedroom bathroom children
adults care washable finish colour texture pattern detail stitching handle pocket zipper strap
lining sole frame base lid
"""
_WORDS = _WORD_TEXT.split()
_NOUNS = [
    "Shirt",
    "Backpack",
    "Teapot",
    "Scarf",
    "Desk lamp",
    "Smart watch",
    "Headphones",
    "Coffee mug",
    "Cushion",
    "Candle",
    "Sneakers",
    "Jacket",
    "Wallet",
    "Chair",
    "Vase",
    "Blanket",
]
_ADJECTIVES = [
    "Linen",
    "Leather",
    "Organic",
    "Classic",
    "Vintage",
    "Compact",
    "Premium",
    "Handmade",
    "Recycled",
    "Waterproof",
    "Elegant",
    "Sturdy",
]
_BRANDS = [
    "Maison Moselle",
    "Atelier Kirchberg",
    "Clervaux Goods",
    "Esch Design",
    "Vianden Works",
    "Mullerthal Co",
    "Ardennes Outfitters",
    "Remich Home",
]
_COLOURS = ["black", "white", "navy", "olive", "sand", "burgundy", "grey", "teal"]
_SIZES = ["XS", "S", "M", "L", "XL", "XXL", "38", "40", "42", "44"]
_CATEGORIES = [
    "Apparel & Accessories > Clothing > Shirts & Tops",
    "Home & Garden > Kitchen & Dining",
    "Home & Garden > Decor > Candles",
    "Electronics > Audio > Headphones",
    "Apparel & Accessories > Shoes",
    "Furniture > Chairs",
    "Luggage & Bags > Backpacks",
]
_AVAILABILITY = ["in stock", "in_stock", "out of stock", "preorder", "backorder", "in stock", "in stock"]


def gtin13(rng: random.Random) -> str:
    body = "400" + "".join(rng.choice("0123456789") for _ in range(9))
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _text_pool(rng: random.Random) -> str:
    # One long text to slice descriptions from: building each from words is what makes a
    # naive generator slow, and the importer cannot tell the difference.
    sentences = []
    for _ in range(4000):
        words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 18))]
        sentences.append(" ".join(words).capitalize() + ".")
    return " ".join(sentences)


def make_row(n: int, rng: random.Random, pool: str) -> list[str]:
    sku = f"SKU-{n:08d}"
    noun = rng.choice(_NOUNS)
    brand = rng.choice(_BRANDS)
    colour = rng.choice(_COLOURS)
    size = rng.choice(_SIZES)
    title = f"{brand} {rng.choice(_ADJECTIVES)} {noun} {colour} {size} - model {n % 9973}"
    length = int(rng.triangular(300, 1500, 1350))
    start = rng.randrange(0, len(pool) - length)
    description = pool[start : start + length].strip()
    price = rng.randint(299, 49999) / 100
    on_sale = rng.random() < 0.3
    slug = f"{noun.lower().replace(' ', '-')}-{n}"
    base = "https://www.example-shop.lu"
    images = ",".join(f"https://cdn.example-shop.lu/img/{n}/{i}.jpg" for i in range(rng.randint(2, 3)))
    row = [
        sku,
        title,
        description,
        f"{base}/products/{slug}?utm_source=letzshop",
        f"https://m.example-shop.lu/products/{slug}",
        f"https://cdn.example-shop.lu/img/{n}/main.jpg",
        images,
        f"{price:.2f} EUR",
        f"{price * 0.8:.2f} EUR" if on_sale else "",
        "2025-11-01T00:00+01:00/2025-12-31T23:59+01:00" if on_sale else "",
        rng.choice(_AVAILABILITY),
        "",
        "new" if rng.random() < 0.95 else "refurbished",
        brand,
        gtin13(rng),
        f"MPN-{rng.randint(100000, 999999)}",
        "yes",
        rng.choice(_CATEGORIES),
        f"Home > {noun} > {colour.capitalize()}",
        f"GRP-{n // 4:07d}",
        colour,
        size,
        "regular",
        "EU",
        rng.choice(["male", "female", "unisex"]),
        "adult",
        rng.choice(["cotton", "linen", "leather", "steel", "ceramic"]),
        rng.choice(["solid", "striped", "checked", ""]),
        "no",
        "",
        "no",
        rng.choice(["A", "B", "C", ""]),
        "750 ml" if noun == "Coffee mug" else "",
        "100 ml" if noun == "Coffee mug" else "",
        "LU:::4.90 EUR",
        f"{rng.randint(1, 50) / 10:.1f} kg",
        "standard",
        rng.choice(["summer", "winter", "all-season"]),
        rng.choice(["bestseller", "new-arrival", "clearance", ""]),
        f"margin-{rng.randint(1, 5)}",
        "",
        "",
        "PROMO-2025" if on_sale else "",
        f"bin {rng.randint(1, 400)}",
        f"SUP-{rng.randint(1000, 9999)}",
    ]
    _maybe_break(row, n, rng)
    return row


def _maybe_break(row: list[str], n: int, rng: random.Random) -> None:
    """Break about 1% of rows: half skipped (errors), half kept with a warning."""
    if rng.random() >= 0.01:
        return
    kind = rng.randrange(6)
    if kind == 0:
        row[0] = ""  # missing_id
    elif kind == 1:
        row[1] = ""  # missing_title
    elif kind == 2:
        row[7] = "call us"  # unparseable price
    elif kind == 3:
        row[7] = "-5.00 EUR"  # negative price
    elif kind == 4:
        row[14] = row[14][:-1] + str((int(row[14][-1]) + 1) % 10)  # bad check digit: warning
    else:
        row[14] = f"{int(row[14]) / 10**12:.5f}E+12"  # spreadsheet-mangled GTIN: warning


def write_feed(path: Path, rows: int, seed: int = 20251127) -> Path:
    rng = random.Random(seed)
    pool = _text_pool(rng)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".part")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(1, rows + 1):
            writer.writerow(make_row(n, rng, pool))
    tmp.replace(path)  # a half-written feed never looks finished
    return path


def feed_path(out_dir: Path, rows: int) -> Path:
    return out_dir / f"feed_{rows}.csv"


def ensure_feed(out_dir: Path, rows: int) -> Path:
    path = feed_path(out_dir, rows)
    if not path.exists():
        write_feed(path, rows)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    out = args.out or feed_path(Path(__file__).resolve().parent / "out", args.rows)
    write_feed(out, args.rows)
    size = out.stat().st_size
    print(f"{out}: {args.rows} rows, {size / 1e6:.1f} MB, {size / args.rows:.0f} bytes/row")


if __name__ == "__main__":
    main()
