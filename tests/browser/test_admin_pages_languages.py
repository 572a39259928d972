"""The admin's Marketplace Import page in German and French in a real browser: the Quick
Fill script speaks the page's language (its texts come from the form's data-* attributes).
The language comes from Django's language cookie, as a chosen language does: Chromium sends
the context's locale as Accept-Language whatever extra headers say."""

from __future__ import annotations

import os

import pytest
from django.conf import settings

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def stores(store, other_store):
    store.letzshop_csv_url_fr = "https://feeds.example.lu/alpha-fr.csv"
    store.save()
    return store, other_store


def _choose_language(page, live_server, language: str) -> None:
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])


def test_quick_fill_speaks_german(page, live_server, login, admin_user, stores):
    login(page, admin_user.username)  # the login page in English (the context's locale)
    _choose_language(page, live_server, "de")
    page.goto("/admin/marketplace")
    assert page.locator("#quick-fill-note").inner_text() == "Wählen Sie zuerst einen Shop."

    page.get_by_label("Shop:").select_option(label="Alpha Store (alpha)")
    german = page.get_by_role("button", name="Deutsch")
    assert german.is_disabled()
    assert german.get_attribute("title") == "Keine Feed-URL für diese Sprache in den Shop-Einstellungen"
    page.get_by_role("button", name="Französisch").click()
    assert page.get_by_label("URL des CSV-Feeds").input_value() == "https://feeds.example.lu/alpha-fr.csv"
    assert page.get_by_label("Sprache").input_value() == "fr"
    assert page.locator("#quick-fill-note").inner_text() == "Aus den Einstellungen von Alpha Store (alpha) übernommen."


def test_the_marketplace_page_in_french(page, live_server, login, admin_user, stores):
    login(page, admin_user.username)
    _choose_language(page, live_server, "fr")
    page.goto("/admin/marketplace")
    assert page.locator("#quick-fill-note").inner_text() == "Choisissez d’abord une boutique."
    page.get_by_label("Boutique :", exact=True).select_option(label="Bravo Store (bravo)")
    assert page.get_by_role("button", name="Français").get_attribute("title") == (
        "Aucune URL de flux pour cette langue dans les paramètres de la boutique"
    )
    page.get_by_role("button", name="Lancer l’importation").click()  # nothing chosen: the form's errors, in French
    page.wait_for_selector(".errorlist")
    assert page.get_by_role("heading", name="Nouvelle importation").is_visible()
