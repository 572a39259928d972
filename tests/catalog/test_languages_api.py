"""Completeness per language (SPEC 7) in the catalog API: every product's `translations`,
the `missing_language` filter, without N+1 queries and within the caller's store."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from marketplace.importing.schema import TRANSLATABLE
from marketplace.models import MarketplaceImportJob
from tests.factories.catalog import ProductFactory
from tests.factories.languages import translated_product
from tests.factories.marketplace import MarketplaceImportJobFactory, MarketplaceProductFactory
from tests.marketplace.importing.conftest import import_file, write_feed

pytestmark = pytest.mark.django_db
API = "/api/v1/store/products"
TRANSLATION_KEYS = {"language", *TRANSLATABLE, "last_seen_job_id", "last_seen_at"}


@pytest.fixture
def api(owner) -> APIClient:
    """alice's session: her only store is alpha."""
    client = APIClient()
    client.force_login(owner)
    return client


def _by_sku(body: dict) -> dict[str, dict]:
    return {item["marketplace_product"]["marketplace_product_id"]: item for item in body["items"]}


# --- translations ------------------------------------------------------------------------
def test_each_product_lists_its_translations_fr_en_de(api, store):
    job = MarketplaceImportJobFactory(
        store=store, language="fr", status=MarketplaceImportJob.Status.COMPLETED, completed_at=timezone.now()
    )
    # Created German first: the answer still orders them fr, en, de.
    product = translated_product(store=store, languages=("de", "en", "fr"), job=job, marketplace_product_id="WINE-1")
    translated_product(store=store, languages=(), marketplace_product_id="WINE-0")

    items = _by_sku(api.get(API).json())

    translations = items["WINE-1"]["translations"]
    assert [t["language"] for t in translations] == ["fr", "en", "de"]
    assert all(set(t) == TRANSLATION_KEYS for t in translations)
    french = translations[0]
    assert french["title"] == "Vin rouge WINE-1" and french["color"] == "rouge"
    assert french["description"] == "Un vin de la Moselle." and french["link"] == "https://shop.lu/fr/1"
    assert (french["pattern"], french["mobile_link"]) == ("", "")
    assert french["last_seen_job_id"] == job.pk and datetime.fromisoformat(french["last_seen_at"]) == job.completed_at
    # Last seen is per language: no English or German import has listed the product yet.
    assert [(t["last_seen_job_id"], t["last_seen_at"]) for t in translations[1:]] == [(None, None)] * 2
    assert translations[1]["color"] == "red" and translations[2]["title"] == "Rotwein WINE-1"
    assert items["WINE-0"]["translations"] == []
    assert product.translations.count() == 3


def test_the_detail_and_its_patch_answer_with_the_translations(api, store):
    published = ProductFactory(marketplace_product=translated_product(store=store, languages=("fr", "en")))

    detail = api.get(f"{API}/{published.pk}").json()
    patched = api.patch(f"{API}/{published.pk}", {"is_featured": True}, format="json").json()

    assert [t["language"] for t in detail["translations"]] == ["fr", "en"]
    assert patched["translations"] == detail["translations"]


def test_the_translations_add_no_query_per_product(api, store):
    def count(limit: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = api.get(f"{API}?limit={limit}")
        items = response.json()["items"]
        assert len(items) == limit
        assert all(item["translations"] for item in items)
        return len(queries)

    for i in range(20):
        product = translated_product(store=store, languages=("fr", "en", "de")[: i % 3 + 1])
        if i % 2:
            ProductFactory(marketplace_product=product)

    assert count(1) == count(20)


# --- missing_language ----------------------------------------------------------------------
@pytest.fixture
def wines(store, other_store):
    return {
        "WINE-1": translated_product(store=store, marketplace_product_id="WINE-1"),
        "WINE-2": translated_product(store=store, languages=("fr", "en"), marketplace_product_id="WINE-2"),
        "WINE-3": translated_product(store=store, languages=("fr",), marketplace_product_id="WINE-3"),
        "THEIRS-1": translated_product(store=other_store, languages=("de",), marketplace_product_id="THEIRS-1"),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?missing_language=de", ["WINE-2", "WINE-3"]),
        ("?missing_language=en", ["WINE-3"]),
        ("?missing_language=fr", []),
        ("?missing_language=de&q=wine-3", ["WINE-3"]),
        ("", ["WINE-1", "WINE-2", "WINE-3"]),
    ],
)
def test_the_missing_language_filter(api, wines, query, expected):
    response = api.get(f"{API}{query}{'&' if query else '?'}ordering=sku")

    assert response.status_code == 200, response.content
    body = response.json()
    assert [item["marketplace_product"]["marketplace_product_id"] for item in body["items"]] == expected
    assert body["total"] == len(expected)


@pytest.mark.parametrize("value", ["xx", "DE", "", "german", "%00", "de,en", "lb"])
def test_an_unknown_language_is_a_400_naming_the_parameter(api, wines, value):
    response = api.get(f"{API}?missing_language={value}")

    assert response.status_code == 400
    assert set(response.json()) == {"missing_language"}


# --- tenancy -------------------------------------------------------------------------------
def test_a_store_never_sees_another_stores_products_or_translations(client, outsider, api, wines):
    ours = api.get(f"{API}?missing_language=fr").json()
    assert ours["items"] == []
    everything = api.get(API).json()
    assert "Rotwein THEIRS-1" not in str(everything)

    client.force_login(outsider)
    theirs = client.get(f"{API}?missing_language=fr").json()
    assert [item["marketplace_product"]["marketplace_product_id"] for item in theirs["items"]] == ["THEIRS-1"]
    assert [t["title"] for t in theirs["items"][0]["translations"]] == ["Rotwein THEIRS-1"]
    assert "WINE-" not in str(client.get(API).json())
    assert client.get(API, HTTP_X_STORE_CODE="alpha").status_code == 404


def test_another_stores_product_detail_is_404(api, wines):
    theirs = ProductFactory(marketplace_product=wines["THEIRS-1"])

    response = api.get(f"{API}/{theirs.pk}")

    assert response.status_code == 404
    assert "Rotwein" not in response.content.decode()


# --- through real imports ------------------------------------------------------------------
HEADER = ["id", "title", "description", "link", "price", "availability", "color", "product_type"]


def _feed(path: Path, language: str, skus: list[int]) -> Path:
    words = {
        "fr": ("Chemise", "rouge", "Vêtements > Chemises"),
        "en": ("Shirt", "red", "Clothing > Shirts"),
        "de": ("Hemd", "rot", "Kleidung > Hemden"),
    }[language]
    rows = [
        [f"SKU-{n}", f"{words[0]} {n}", f"{words[0]} {n} ({language})", f"https://shop.lu/{language}/{n}"]
        + ["19.99 EUR", "in stock", words[1], words[2]]
        for n in skus
    ]
    return write_feed(path / f"feed-{language}.csv", rows, header=HEADER)


def test_three_imported_feeds_give_each_product_its_own_texts(api, store, tmp_path):
    french = import_file(store, _feed(tmp_path, "fr", [1, 2, 3]), language="fr")
    english = import_file(store, _feed(tmp_path, "en", [1, 2, 3]), language="en")
    german = import_file(store, _feed(tmp_path, "de", [1, 2]), language="de")
    assert french.imported_count == 3 and english.translations_added == 3 and german.translations_added == 2

    items = _by_sku(api.get(f"{API}?ordering=sku").json())

    first = {t["language"]: t for t in items["SKU-1"]["translations"]}
    assert {lang: t["color"] for lang, t in first.items()} == {"fr": "rouge", "en": "red", "de": "rot"}
    assert first["en"]["link"] == "https://shop.lu/en/1" and first["de"]["product_type"] == "Kleidung > Hemden"
    assert {lang: t["last_seen_job_id"] for lang, t in first.items()} == {
        "fr": french.pk,
        "en": english.pk,
        "de": german.pk,
    }
    missing_german = api.get(f"{API}?missing_language=de").json()
    assert [item["marketplace_product"]["marketplace_product_id"] for item in missing_german["items"]] == ["SKU-3"]
    assert [t["language"] for t in missing_german["items"][0]["translations"]] == ["fr", "en"]


def test_the_product_list_json_has_no_translations_of_unrelated_products(api, store, other_store):
    MarketplaceProductFactory(store=store, marketplace_product_id="BARE-1")
    translated_product(store=other_store, marketplace_product_id="BARE-1")

    (item,) = api.get(API).json()["items"]

    assert item["translations"] == []
