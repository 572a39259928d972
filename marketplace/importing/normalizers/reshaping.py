"""Values a header says how to read: shipping sub-attributes in the header's order, a shop
export's list of all images, a parent of "0".
"""

from __future__ import annotations

from marketplace.importing.mapping import SHIPPING_DEFAULT_ORDER
from marketplace.importing.normalizers.columns import MAX_ADDITIONAL_IMAGES, URL_MAX_LENGTH
from marketplace.importing.normalizers.text import clean_text, split_urls

# item_group_id values that mean "no group" (WooCommerce writes 0 for a product without parent).
NO_GROUP = frozenset(("0", "id:0"))


def shipping_groups(value: str) -> list[str]:
    """The groups of a shipping value, split at commas; a comma between two digits is a
    price's decimal comma (a group starts with a country code or a colon).

    >>> shipping_groups("LU::Standard:4.95 EUR,BE::Express:9,90 EUR")
    ['LU::Standard:4.95 EUR', 'BE::Express:9,90 EUR']
    """
    groups: list[str] = []
    for piece in value.split(","):
        if groups and piece[:1].isdigit() and groups[-1][-1:].isdigit():
            groups[-1] = f"{groups[-1]},{piece}"
        else:
            groups.append(piece)
    return groups


def reorder_shipping(value: str, parts: tuple[str, ...]) -> tuple[str, list[str]]:
    """`value`, written in the order `parts` names, in Google's default order
    country:region:service:price; named parts without a place there are left out.

    Returns (the value, the groups whose number of parts did not match the header's, which
    are kept as read).

    >>> reorder_shipping("LU:1234:4.95 EUR", ("country", "postal_code", "price"))
    ('LU:::4.95 EUR', [])
    """
    out: list[str] = []
    mismatched: list[str] = []
    for group in shipping_groups(value):
        pieces = [piece.strip() for piece in group.split(":")]
        if len(pieces) != len(parts):
            mismatched.append(group.strip())
            out.append(group.strip())
            continue
        named = dict(zip(parts, pieces, strict=True))
        out.append(":".join(named.get(part, "") for part in SHIPPING_DEFAULT_ORDER))
    return ",".join(out), mismatched


def dropped_shipping_parts(parts: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part for part in parts if part not in SHIPPING_DEFAULT_ORDER)


def split_images(value: str, image_link: str, additional: list[str]) -> tuple[str, list[str], int]:
    """A list of all images: the first is the main image unless the row has one already, the
    others are added to the additional images (no repeats, at most MAX_ADDITIONAL_IMAGES).

    Returns (image_link, additional image links, links dropped for their length or number).
    """
    urls = split_urls(clean_text(value))
    kept = [url for url in urls if len(url) <= URL_MAX_LENGTH]
    dropped = len(urls) - len(kept)
    if not image_link and kept:
        image_link = kept.pop(0)
    merged = list(additional)
    seen = {image_link, *merged}
    for url in kept:
        if url not in seen:
            seen.add(url)
            merged.append(url)
    if len(merged) > MAX_ADDITIONAL_IMAGES:
        dropped += len(merged) - MAX_ADDITIONAL_IMAGES
        merged = merged[:MAX_ADDITIONAL_IMAGES]
    return image_link, merged, dropped
