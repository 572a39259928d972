"""The store dashboard in French and German (SPEC 13), and the sidebar of every store page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories.marketplace import MarketplaceImportJobFactory, MarketplaceProductFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", ["Dernières importations", "Produits importés", "Inchangés", "Tableau de bord", "Tous les produits"]),
        ("de", ["Letzte Importe", "Importierte Produkte", "Unverändert", "Dashboard", "Alle Produkte"]),
    ],
)
def test_the_dashboard_speaks_the_readers_language(as_role, store, language, expected):
    MarketplaceImportJobFactory(store=store, status="completed")
    MarketplaceProductFactory(store=store)

    response = as_role("owner").get(
        reverse("dashboard:store", args=[store.code]), headers={"accept-language": language}
    )

    html = response.content.decode()
    assert response.status_code == 200
    for text in expected:
        assert text in html
    for english in ("Latest imports", "Imported products", "Running now"):
        assert english not in html


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "Importez vos premiers produits"), ("de", "Importieren Sie Ihre ersten Produkte")],
)
def test_an_empty_store_is_invited_to_import_in_its_language(as_role, store, language, expected):
    response = as_role("staff_member").get(
        reverse("dashboard:store", args=[store.code]), headers={"accept-language": language}
    )

    assert expected in response.content.decode()
