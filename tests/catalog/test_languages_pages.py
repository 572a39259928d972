"""Completeness per language (SPEC 7) on the pages: All Products' language badges and its
"missing in ..." filter, and the product page's texts side by side."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.importing.schema import TRANSLATABLE
from marketplace.models import MarketplaceImportJob
from tests.factories.catalog import ProductFactory
from tests.factories.languages import translated_product
from tests.factories.marketplace import MarketplaceImportJobFactory

pytestmark = pytest.mark.django_db

PRODUCTS = "/store/alpha/products"


def _login(client, user):
    client.force_login(user)
    return client


def _languages_cell(html: str, sku: str) -> str:
    row = re.search(rf'<tr data-product="{sku}">(.*?)</tr>', html, re.S)
    assert row, f"no row for {sku}"
    cell = re.search(r'<td data-label="Languages"[^>]*>(.*?)</td>', row.group(1), re.S)
    assert cell, f"no languages cell for {sku}"
    return cell.group(1)


def _present(cell: str) -> list[str]:
    return re.findall(r'class="badge lang-badge lang-present" data-language="(\w+)"', cell)


def _missing(cell: str) -> list[str]:
    return re.findall(r'<s class="badge lang-badge lang-missing" data-language="(\w+)"', cell)


@pytest.fixture
def wines(store, other_store):
    """Riesling in fr, en, de; Pinot in fr, en; Crémant in fr; and another store's German-only product."""
    return {
        "riesling": translated_product(store=store, marketplace_product_id="WINE-1"),
        "pinot": translated_product(store=store, languages=("fr", "en"), marketplace_product_id="WINE-2"),
        "cremant": translated_product(store=store, languages=("fr",), marketplace_product_id="WINE-3"),
        "theirs": translated_product(store=other_store, languages=("de",), marketplace_product_id="THEIRS-1"),
    }


# --- All Products: badges ----------------------------------------------------------------
def test_each_product_shows_the_languages_it_has_and_strikes_the_missing(client, owner, wines):
    html = _login(client, owner).get(PRODUCTS).content.decode()

    riesling, pinot, cremant = (_languages_cell(html, sku) for sku in ("WINE-1", "WINE-2", "WINE-3"))
    assert (_present(riesling), _missing(riesling)) == (["fr", "en", "de"], [])
    assert (_present(pinot), _missing(pinot)) == (["fr", "en"], ["de"])
    assert (_present(cremant), _missing(cremant)) == (["fr"], ["en", "de"])
    # Screen readers hear the state, not only a struck-through code.
    assert "(German: missing)" in pinot and "(English: imported)" in pinot
    assert "THEIRS-1" not in html


def test_the_filter_offers_each_language_with_what_is_missing(client, owner, wines):
    html = _login(client, owner).get(PRODUCTS).content.decode()

    assert '<option value="fr">Missing in French (0)</option>' in html
    assert '<option value="en">Missing in English (1)</option>' in html
    assert '<option value="de">Missing in German (2)</option>' in html


def test_badges_add_no_query_per_product(client, owner, store):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(PRODUCTS).status_code == 200
        return len(queries)

    _login(client, owner)
    translated_product(store=store)
    few = count_queries()
    for i in range(20):
        translated_product(store=store, languages=("fr", "en", "de")[: i % 3 + 1])

    assert count_queries() == few


# --- All Products: "missing in ..." ------------------------------------------------------
@pytest.mark.parametrize(
    ("language", "expected"),
    [("de", ["WINE-2", "WINE-3"]), ("en", ["WINE-3"]), ("fr", []), ("", ["WINE-1", "WINE-2", "WINE-3"])],
)
def test_the_missing_language_filter(client, owner, wines, language, expected):
    response = _login(client, owner).get(f"{PRODUCTS}?missing_language={language}&ordering=sku")

    assert response.status_code == 200
    assert [item.marketplace_product_id for item in response.context["items"]] == expected


def test_the_missing_language_filter_says_what_it_shows(client, owner, wines):
    html = _login(client, owner).get(f"{PRODUCTS}?missing_language=de").content.decode()

    assert "Showing the products that have no German text yet." in html
    assert '<option value="de" selected>Missing in German (2)</option>' in html
    assert "2 products match the filters" in html


def test_the_missing_language_filter_works_through_htmx(client, owner, wines):
    response = _login(client, owner).get(f"{PRODUCTS}?missing_language=en", HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert "<html" not in html and 'data-product="WINE-3"' in html and 'data-product="WINE-2"' not in html


@pytest.mark.parametrize("value", ["xx", "DE", "german", "%00", "de%27--"])
def test_an_unknown_language_is_a_clear_message_not_an_error(client, owner, wines, value):
    response = _login(client, owner).get(f"{PRODUCTS}?missing_language={value}")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert" data-testid="language-filter-error"' in html
    assert "the language filter takes fr, en or de. It was not applied." in html
    # The filter is not applied: every product shows, and says so.
    assert len(response.context["items"]) == 3


def test_an_unknown_language_is_reported_through_htmx_too(client, owner, wines):
    response = _login(client, owner).get(f"{PRODUCTS}?missing_language=xx", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "Unknown language “xx”" in response.content.decode()


def test_the_filter_never_reveals_another_stores_products(client, outsider, owner, wines):
    # charlie's own store has a German-only product: it is missing French there, not here.
    theirs = _login(client, outsider).get("/store/bravo/products?missing_language=fr")
    assert [item.marketplace_product_id for item in theirs.context["items"]] == ["THEIRS-1"]
    assert client.get(f"{PRODUCTS}?missing_language=fr").status_code == 404

    ours = _login(client, owner).get(f"{PRODUCTS}?missing_language=fr")
    assert list(ours.context["items"]) == []


# --- the product page: texts side by side --------------------------------------------------
def _cell(html: str, attribute: str, language: str) -> str:
    row = re.search(rf'<tr data-attribute="{attribute}">(.*?)</tr>', html, re.S)
    assert row, f"no row for {attribute}"
    cell = re.search(rf'<td data-language="{language}"[^>]*>(.*?)</td>', row.group(1), re.S)
    assert cell, f"no {language} cell for {attribute}"
    return cell.group(1)


def test_the_product_page_shows_the_languages_side_by_side(client, staff_member, wines):
    published = ProductFactory(marketplace_product=wines["pinot"])

    html = _login(client, staff_member).get(f"{PRODUCTS}/{published.pk}").content.decode()

    assert re.findall(r'<th scope="col" data-language="(\w+)">', html) == ["fr", "en", "de"]
    assert re.findall(r'<tr data-attribute="(\w+)">', html) == list(TRANSLATABLE)
    assert "Vin rouge WINE-2" in _cell(html, "title", "fr")
    assert "Red wine WINE-2" in _cell(html, "title", "en")
    assert "Un vin de la Moselle." in _cell(html, "description", "fr")
    assert "A wine from the Moselle." in _cell(html, "description", "en")
    assert "rouge" in _cell(html, "color", "fr") and "red" in _cell(html, "color", "en")
    # German was never imported: every German cell is marked missing, and so is its column.
    for attribute in TRANSLATABLE:
        assert 'class="missing-value"' in _cell(html, attribute, "de")
    assert 'class="badge lang-badge lang-not-imported">not imported</span>' in html
    # A language that has no value for an attribute is marked too.
    assert 'class="missing-value"' in _cell(html, "pattern", "fr")


def test_the_product_page_names_the_import_that_last_saw_each_language(client, owner, store):
    job = MarketplaceImportJobFactory(store=store, status=MarketplaceImportJob.Status.COMPLETED)
    published = ProductFactory(marketplace_product=translated_product(store=store, languages=("fr",), job=job))

    html = _login(client, owner).get(f"{PRODUCTS}/{published.pk}").content.decode()

    assert f"last in import #{job.pk}" in html


def test_another_stores_product_page_is_404(client, owner, wines):
    theirs = ProductFactory(marketplace_product=wines["theirs"])

    response = _login(client, owner).get(f"{PRODUCTS}/{theirs.pk}")

    assert response.status_code == 404
    assert b"Rotwein" not in response.content
