"""Completeness per language (SPEC 7) in catalog.selectors: coverage, the missing-language
filter, the language badges and the texts side by side; always within one store."""

from __future__ import annotations

import pytest
from django.http import Http404

from catalog.selectors import (
    CATALOG_LANGUAGES,
    catalog_item_filter,
    catalog_item_get,
    catalog_item_language_badges,
    catalog_item_translation_table,
    catalog_item_with_languages,
    catalog_language_coverage,
)
from marketplace.importing.schema import TRANSLATABLE
from tests.factories.catalog import ProductFactory
from tests.factories.languages import translated_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed(store, other_store):
    """Five products of the store: two in fr, en, de; one in fr, en; one in fr; one in en, de.
    The other store has two German-only products, which must never count here."""
    products = {
        "all-1": translated_product(store=store),
        "all-2": translated_product(store=store),
        "fr-en": translated_product(store=store, languages=("fr", "en")),
        "fr": translated_product(store=store, languages=("fr",)),
        "en-de": translated_product(store=store, languages=("en", "de")),
    }
    translated_product(store=other_store, languages=("de",))
    translated_product(store=other_store, languages=("de",))
    return products


def test_the_languages_are_french_english_german_in_that_order():
    assert CATALOG_LANGUAGES == ("fr", "en", "de")


def test_coverage_counts_each_language_of_the_stores_products(store, mixed):
    coverage = catalog_language_coverage(store=store)

    assert coverage.total == 5
    assert [(c.code, c.name, c.count, c.missing) for c in coverage.languages] == [
        ("fr", "French", 4, 1),
        ("en", "English", 4, 1),
        ("de", "German", 3, 2),
    ]


def test_coverage_of_the_other_store_sees_only_its_own(other_store, mixed):
    coverage = catalog_language_coverage(store=other_store)

    assert coverage.total == 2
    assert [(c.code, c.count) for c in coverage.languages] == [("fr", 0), ("en", 0), ("de", 2)]


def test_coverage_of_an_empty_store_is_zero(store):
    coverage = catalog_language_coverage(store=store)

    assert coverage.total == 0
    assert [(c.count, c.missing) for c in coverage.languages] == [(0, 0)] * 3


@pytest.mark.parametrize("size", [1, 20])
def test_coverage_takes_two_queries_whatever_the_size(store, size, django_assert_num_queries):
    for _ in range(size):
        translated_product(store=store, languages=("fr", "en"))

    with django_assert_num_queries(2):
        coverage = catalog_language_coverage(store=store)

    assert [c.count for c in coverage.languages] == [size, size, 0]


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", {"en-de"}), ("en", {"fr"}), ("de", {"fr-en", "fr"}), (None, {"all-1", "all-2", "fr-en", "fr", "en-de"})],
)
def test_the_missing_language_filter(store, mixed, language, expected):
    found = catalog_item_filter(store=store, filters={"missing_language": language})

    names = {name for name, product in mixed.items() if product.pk in {item.pk for item in found}}
    assert names == expected


def test_the_missing_language_filter_combines_with_the_others(store, mixed):
    ProductFactory(marketplace_product=mixed["fr"])

    found = catalog_item_filter(store=store, filters={"missing_language": "de", "published": True})

    assert [item.pk for item in found] == [mixed["fr"].pk]


def test_the_missing_language_filter_refuses_an_unknown_language(store):
    with pytest.raises(ValueError, match="Unknown language"):
        catalog_item_filter(store=store, filters={"missing_language": "lb"})


def test_badges_say_which_languages_a_product_has(store, mixed):
    items = {item.pk: item for item in catalog_item_with_languages(catalog_item_filter(store=store))}

    badges = catalog_item_language_badges(items[mixed["fr-en"].pk])

    assert [(b.code, b.name, b.present) for b in badges] == [
        ("fr", "French", True),
        ("en", "English", True),
        ("de", "German", False),
    ]
    assert [b.present for b in catalog_item_language_badges(items[mixed["en-de"].pk])] == [False, True, True]


def test_badges_cost_one_query_for_the_whole_page(store, mixed, django_assert_num_queries):
    with django_assert_num_queries(2):  # the products, their languages
        items = list(catalog_item_with_languages(catalog_item_filter(store=store)))
        badges = [catalog_item_language_badges(item) for item in items]

    assert sum(b.present for row in badges for b in row) == 3 + 3 + 2 + 1 + 2


def test_the_translation_table_lays_the_texts_side_by_side(store, mixed):
    published = ProductFactory(marketplace_product=mixed["fr-en"])
    item = catalog_item_get(store=store, product_id=published.pk)

    table = catalog_item_translation_table(store=store, item=item)

    assert [(c.code, c.is_default, c.translation is not None) for c in table.columns] == [
        ("fr", True, True),
        ("en", False, True),
        ("de", False, False),
    ]
    assert [row.attribute for row in table.rows] == list(TRANSLATABLE)
    rows = {row.attribute: row for row in table.rows}
    assert [cell.value for cell in rows["color"].cells] == ["rouge", "red", ""]
    assert rows["title"].label == "Title" and rows["mobile_link"].label == "Mobile link"
    sku = mixed["fr-en"].marketplace_product_id
    assert [cell.value for cell in rows["title"].cells] == [f"Vin rouge {sku}", f"Red wine {sku}", ""]
    assert [cell.value for cell in rows["pattern"].cells] == ["", "", ""]


def test_the_translation_table_comes_with_the_product_in_two_queries(store, mixed, django_assert_num_queries):
    published = ProductFactory(marketplace_product=mixed["all-1"])

    with django_assert_num_queries(2):  # the product, its translations
        item = catalog_item_get(store=store, product_id=published.pk)
        table = catalog_item_translation_table(store=store, item=item)

    assert all(column.translation is not None for column in table.columns)


def test_the_translation_table_refuses_another_stores_product(store, other_store):
    theirs = ProductFactory(marketplace_product=translated_product(store=other_store))
    item = catalog_item_get(store=other_store, product_id=theirs.pk)

    with pytest.raises(Http404):
        catalog_item_translation_table(store=store, item=item)
