"""Products with translations, for the completeness-per-language tests (SPEC 7)."""

from __future__ import annotations

from typing import Any

from marketplace.models import FeedMembership, MarketplaceImportJob, MarketplaceProduct
from stores.models import Store
from tests.factories.marketplace import MarketplaceProductFactory, MarketplaceProductTranslationFactory

# A product's texts as three feeds would give them.
TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "title": "Vin rouge",
        "description": "Un vin de la Moselle.",
        "color": "rouge",
        "link": "https://shop.lu/fr/1",
    },
    "en": {
        "title": "Red wine",
        "description": "A wine from the Moselle.",
        "color": "red",
        "link": "https://shop.lu/en/1",
    },
    "de": {
        "title": "Rotwein",
        "description": "Ein Wein von der Mosel.",
        "color": "rot",
        "link": "https://shop.lu/de/1",
    },
}


def translated_product(
    *,
    store: Store,
    languages: tuple[str, ...] = ("fr", "en", "de"),
    texts: dict[str, dict[str, str]] | None = None,
    job: MarketplaceImportJob | None = None,
    **product_fields: Any,
) -> MarketplaceProduct:
    """A product of the store with one translation per language in ``languages``.

    Each translation takes ``texts[language]`` (default: ``TEXTS``, titles suffixed with the
    product's feed id so that products stay apart); ``job``'s feed contained it (its last seen import).
    """
    product = MarketplaceProductFactory(store=store, last_import_job=job, seen_by_its_import=False, **product_fields)
    if job is not None:
        FeedMembership.objects.create(import_job=job, product=product)
    display_title = ""
    for language in languages:
        values = dict((texts or TEXTS)[language])
        if texts is None:
            values["title"] = f"{values['title']} {product.marketplace_product_id}"
        MarketplaceProductTranslationFactory(
            product=product,
            language=language,
            **values,
        )
        display_title = display_title or values["title"]
    if display_title and "title" not in product_fields:
        # The display copy: the first language given plays the store's default one.
        product.title = display_title
        product.save(update_fields=["title"])
    return product
