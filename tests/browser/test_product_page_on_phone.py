"""The product page on a phone: the page itself never scrolls sideways; the texts per
language, three columns side by side, scroll inside their card instead."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE
from tests.factories.catalog import ProductFactory
from tests.factories.languages import translated_product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_product_page_fits_a_phone_and_its_texts_scroll_in_their_card(new_page, login, live_server, store, owner):
    product = translated_product(
        store=store,
        languages=("fr", "en", "de"),
        marketplace_product_id="WINE-2",
        texts={
            "fr": {"title": "Pinot gris", "description": "Un vin blanc sec, fruité et minéral.", "color": "blanc"},
            "en": {"title": "Pinot Gris", "description": "A dry, fruity and mineral white wine.", "color": "white"},
            "de": {"title": "Grauburgunder", "description": "Ein trockener, fruchtiger Weißwein.", "color": "weiß"},
        },
    )
    published = ProductFactory(marketplace_product=product)
    page = new_page(PHONE)
    login(page, owner.username)

    page.goto(f"/store/{store.code}/products/{published.pk}")
    table = page.locator(".translations-table")
    assert "Grauburgunder" in table.inner_text()
    root = "document.documentElement"
    assert page.evaluate(f"() => {root}.scrollWidth <= {root}.clientWidth"), "the page scrolls sideways"
    # The table is wider than the phone, so its card's wrapper scrolls: every column is reachable.
    wrap = page.locator(".translations .table-wrap")
    assert wrap.evaluate("w => w.scrollWidth > w.clientWidth && getComputedStyle(w).overflowX === 'auto'")
    cell = page.get_by_role("cell", name="Grauburgunder")
    assert cell.bounding_box()["x"] + cell.bounding_box()["width"] > PHONE["width"]  # off to the right at first
    wrap.evaluate("w => { w.scrollLeft = w.scrollWidth; }")
    box = cell.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
