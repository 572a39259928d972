"""The store dashboard's coverage per language (SPEC 7): "FR 298, EN 298, DE 271" of N."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories.languages import translated_product

pytestmark = pytest.mark.django_db


def _coverage(html: str) -> dict[str, str]:
    return dict(
        re.findall(r'data-language="(\w+)"><abbr title="\w+">\w+</abbr> <strong>([\d,\u202f\xa0 ]+)</strong>', html)
    )


@pytest.fixture
def catalog(store, other_store):
    """Of the store's 5 products: fr 4, en 4, de 3. The other store has 3 German-only ones."""
    for languages in [("fr", "en", "de"), ("fr", "en", "de"), ("fr", "en"), ("fr",), ("en", "de")]:
        translated_product(store=store, languages=languages)
    for _ in range(3):
        translated_product(store=other_store, languages=("de",))


@pytest.mark.parametrize("who", ["owner", "staff_member", "admin_user"])
def test_the_dashboard_shows_how_many_products_have_each_language(as_role, store, catalog, who):
    html = as_role(who).get(reverse("dashboard:store", args=[store.code])).content.decode()

    assert "Of 5 products:" in html
    assert _coverage(html) == {"fr": "4", "en": "4", "de": "3"}
    assert 'data-stat="products">5<' in html


def test_it_links_to_the_products_missing_each_language(as_role, store, catalog):
    html = as_role("owner").get(reverse("dashboard:store", args=[store.code])).content.decode()

    products = reverse("catalog:product-list", args=[store.code])
    assert f'href="{products}?missing_language=de" data-testid="missing-de">2 with no German text</a>' in html
    assert f'href="{products}?missing_language=en" data-testid="missing-en">1 with no English text</a>' in html
    assert f'href="{products}?missing_language=fr" data-testid="missing-fr">1 with no French text</a>' in html


def test_a_complete_language_has_no_missing_link(as_role, store):
    translated_product(store=store, languages=("fr", "en"))

    html = as_role("owner").get(reverse("dashboard:store", args=[store.code])).content.decode()

    assert 'data-testid="missing-fr"' not in html and 'data-testid="missing-en"' not in html
    assert 'data-testid="missing-de">1 with no German text' in html


def test_another_store_counts_only_its_own(as_role, other_store, catalog, outsider):
    html = as_role("outsider").get(reverse("dashboard:store", args=[other_store.code])).content.decode()

    assert "Of 3 products:" in html
    assert _coverage(html) == {"fr": "0", "en": "0", "de": "3"}


def test_an_empty_store_shows_no_coverage(as_role, store):
    html = as_role("owner").get(reverse("dashboard:store", args=[store.code])).content.decode()

    assert 'data-testid="language-coverage"' not in html


def test_the_coverage_adds_no_query_per_product(as_role, store):
    client = as_role("owner")
    url = reverse("dashboard:store", args=[store.code])

    def queries() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return [query["sql"] for query in captured]

    translated_product(store=store)
    few = queries()
    for _ in range(20):
        translated_product(store=store, languages=("fr", "de"))
    many = queries()

    assert len(many) == len(few)
    # One aggregate over the translations, whatever the number of products.
    assert len([sql for sql in many if "marketplace_product_translations" in sql]) == 1
