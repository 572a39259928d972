"""The catalog pages in French and German (SPEC 13): All Products, a product, publishing from
an import; and the result count's plural in every language ("1 product matches")."""

from __future__ import annotations

import pytest

from tests.factories.catalog import ProductFactory

pytestmark = pytest.mark.django_db

PRODUCTS = "/store/alpha/products"


def _get(client, user, path, language):
    client.force_login(user)
    response = client.get(path, headers={"accept-language": language})
    assert response.status_code == 200
    assert response.headers["Content-Language"] == language
    return response.content.decode()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", ["Tous les produits", "Publier la sélection", "Rechercher", "Titre A-Z", "Non publié"]),
        ("de", ["Alle Produkte", "Auswahl veröffentlichen", "Suchen", "Titel A-Z", "Nicht veröffentlicht"]),
    ],
)
def test_all_products_speaks_the_readers_language(client, owner, products, language, expected):
    html = _get(client, owner, PRODUCTS, language)

    for text in expected:
        assert text in html
    for english in ("Publish selected", "Not published", "A product is not appearing in the catalog?"):
        assert english not in html


@pytest.mark.parametrize(
    ("language", "query", "expected"),
    [
        ("en", "?q=bread", "1 product matches the filters"),
        ("en", "?brand=Moselle+Fruits", "2 products match the filters"),
        ("en", "", "3 products"),
        ("fr", "?q=bread", "1 produit correspond aux filtres"),
        ("fr", "?brand=Moselle+Fruits", "2 produits correspondent aux filtres"),
        ("de", "?q=bread", "1 Produkt entspricht den Filtern"),
        ("de", "?brand=Moselle+Fruits", "2 Produkte entsprechen den Filtern"),
    ],
)
def test_the_result_count_is_a_real_plural(client, owner, products, language, query, expected):
    html = _get(client, owner, PRODUCTS + query, language)

    assert expected in html
    assert "1 product match " not in html and "1 product match<" not in html


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", ["affiche le catalogue", "Vos modifications", "Quantité minimale", "Textes par langue"]),
        ("de", ["Was der Katalog zeigt", "Ihre Änderungen", "Mindestmenge", "Texte je Sprache"]),
    ],
)
def test_the_product_page_speaks_the_readers_language(client, owner, products, language, expected):
    product = ProductFactory(marketplace_product=products[0])

    html = _get(client, owner, f"{PRODUCTS}/{product.pk}", language)

    for text in expected:
        assert text in html
    assert "What the catalog shows" not in html


def test_a_form_error_of_the_product_page_is_translated(client, owner, products):
    product = ProductFactory(marketplace_product=products[0])
    client.force_login(owner)

    response = client.post(
        f"{PRODUCTS}/{product.pk}",
        {"display_order": 0, "min_quantity": 5, "max_quantity": 2, "is_active": "on"},
        headers={"accept-language": "de"},
    )

    assert response.status_code == 200
    assert "Die Mindestmenge (5) darf nicht über der Höchstmenge (2) liegen." in response.content.decode()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", ["Tout publier depuis l", "Tous les produits du flux de cette importation"]),
        ("de", ["Alles aus Import #", "Alle Produkte aus dem Feed dieses Imports"]),
    ],
)
def test_publishing_from_an_import_speaks_the_readers_language(
    client, owner, products, finished_job, language, expected
):
    html = _get(client, owner, f"{PRODUCTS}/publish-job/{finished_job.pk}", language)

    for text in expected:
        assert text in html
    assert "Only what this import created or changed" not in html
