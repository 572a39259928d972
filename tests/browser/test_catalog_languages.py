"""Completeness per language in a real browser: the owner opens All Products, reads each
product's language badges, filters "missing in German", opens a product and reads its French
and English texts side by side. Saves the README's screenshots."""

from __future__ import annotations

import os

import pytest

from tests.factories.catalog import ProductFactory
from tests.factories.languages import translated_product

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _row(page, sku: str):
    return page.locator(f"tr[data-product='{sku}']")


def test_an_owner_finds_what_is_missing_in_german_and_compares_the_texts(
    live_server, page, login, screenshot, store, owner
):
    translated_product(store=store, languages=("fr", "en", "de"), marketplace_product_id="WINE-1")
    pinot = translated_product(
        store=store,
        languages=("fr", "en"),
        marketplace_product_id="WINE-2",
        texts={
            "fr": {"title": "Pinot gris", "description": "Un vin blanc sec.", "color": "blanc"},
            "en": {"title": "Pinot Gris", "description": "A dry white wine.", "color": "white"},
        },
    )
    translated_product(store=store, languages=("fr",), marketplace_product_id="WINE-3")
    ProductFactory(marketplace_product=pinot)
    login(page, "alice")

    # All Products: every row says which languages it has; the missing ones are struck.
    page.get_by_role("navigation", name="Store").get_by_role("link", name="All Products").click()
    page.wait_for_url(f"**/store/{store.code}/products")
    assert (
        _row(page, "WINE-1").locator(".lang-present").all_inner_texts()
        == [
            "FR (French: imported)",
            "EN (English: imported)",
            "DE (German: imported)",
        ]
        or _row(page, "WINE-1").locator(".lang-present").count() == 3
    )
    assert _row(page, "WINE-2").locator(".lang-missing[data-language=de]").is_visible()
    assert _row(page, "WINE-3").locator(".lang-missing").count() == 2
    # A struck-through code is not the only signal: the badge says it in words.
    assert _row(page, "WINE-2").locator(".lang-missing[data-language=de]").text_content() == "DE (German: missing)"
    assert (
        _row(page, "WINE-2").locator(".lang-missing[data-language=de]").get_attribute("title") == "No German text yet"
    )

    # "Missing in German": the Riesling, complete, leaves the list.
    page.get_by_label("Languages").select_option("de")
    page.wait_for_url(f"**/store/{store.code}/products?*missing_language=de*")
    page.wait_for_selector("[data-testid=language-filter-banner]")
    assert page.locator("tbody tr[data-product]").evaluate_all("rows => rows.map(r => r.dataset.product)") in (
        ["WINE-2", "WINE-3"],
        ["WINE-3", "WINE-2"],
    )
    assert not _row(page, "WINE-1").is_visible()
    # No filter cuts its text off: the search's placeholder and each select's chosen value fit.
    cut = page.evaluate(
        """() => {
            const ctx = document.createElement("canvas").getContext("2d");
            const fits = (el, text) => {
                const style = getComputedStyle(el);
                ctx.font = `${style.fontSize} ${style.fontFamily}`;
                const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
                return ctx.measureText(text).width <= room;
            };
            const q = document.querySelector("#id_q");
            const cut = fits(q, q.placeholder) ? [] : [q.placeholder];
            for (const select of document.querySelectorAll(".filter-grid select")) {
                const text = select.options[select.selectedIndex].text;
                if (!fits(select, text + "   ")) cut.push(text);  // room for the arrow
            }
            return cut;
        }"""
    )
    assert cut == []
    # After the htmx swap: Playwright's screenshot styles would otherwise meet the swap and
    # trip the Content-Security-Policy check.
    screenshot.both(page, "catalog-languages")

    # The product page: French and English side by side, German marked missing.
    page.get_by_role("link", name="Pinot gris").click()
    page.wait_for_url(f"**/store/{store.code}/products/*")
    table = page.get_by_test_id("translations")
    french = table.locator("tr[data-attribute=title] td[data-language=fr]")
    english = table.locator("tr[data-attribute=title] td[data-language=en]")
    assert french.inner_text() == "Pinot gris" and english.inner_text() == "Pinot Gris"
    assert table.locator("tr[data-attribute=description] td[data-language=en]").inner_text() == "A dry white wine."
    assert table.locator("tr[data-attribute=color] td[data-language=fr]").inner_text() == "blanc"
    left, right = french.bounding_box(), english.bounding_box()
    assert left and right and left["y"] == right["y"] and left["x"] < right["x"]  # one row, French first
    assert table.locator("tr[data-attribute=title] td[data-language=de] .missing-value").is_visible()
    screenshot.both(page, "catalog-product-languages")
