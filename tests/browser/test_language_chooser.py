"""SPEC 13 in a real browser: the header's chooser switches the portal to German, then to
French, without JavaScript of ours; the choice is saved on the user and outlives a logout."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _lang(page) -> str:
    return page.locator("html").get_attribute("lang")


def test_the_owner_switches_the_portal_to_german_then_french(page, login, owner, store, screenshot):
    login(page, "alice")  # the browser asks for en-GB
    page.goto("/accounts/profile/")
    assert _lang(page) == "en"
    assert page.get_by_role("heading", name="Your profile").is_visible()

    page.locator(".topbar .language-chooser").get_by_role("button", name="DE", exact=True).click()
    page.wait_for_function("() => document.documentElement.lang === 'de'")
    assert page.url.endswith("/accounts/profile/")  # back on the same page
    assert page.get_by_role("heading", name="Ihr Profil").is_visible()
    assert page.get_by_role("button", name="Abmelden").is_visible()
    chooser = page.locator(".topbar .language-chooser")
    assert chooser.get_by_role("button", name="DE", exact=True).get_attribute("aria-pressed") == "true"
    assert chooser.get_by_role("button", name="DE", exact=True).get_attribute("title") == "Deutsch"
    screenshot(page, "language-chooser-de", full_page=False)
    owner.refresh_from_db()
    assert owner.language == "de"

    chooser.get_by_role("button", name="FR", exact=True).click()
    page.wait_for_function("() => document.documentElement.lang === 'fr'")
    assert page.get_by_role("heading", name="Votre profil").is_visible()
    assert page.get_by_role("button", name="Déconnexion").is_visible()
    owner.refresh_from_db()
    assert owner.language == "fr"

    # After logging out, the login page keeps the language (the chooser's cookie).
    page.get_by_role("button", name="Déconnexion").click()
    page.wait_for_url("**/accounts/login/**")
    assert _lang(page) == "fr"
    assert page.get_by_role("heading", name="Connexion").is_visible()


def test_a_visitor_chooses_german_on_the_login_page(page):
    page.goto("/accounts/login/")
    assert page.get_by_role("heading", name="Log in").is_visible()

    page.locator(".language-chooser").get_by_role("button", name="DE", exact=True).click()
    page.wait_for_function("() => document.documentElement.lang === 'de'")

    assert page.get_by_role("heading", name="Anmelden").is_visible()
    assert page.get_by_label("Benutzername").is_visible()


def test_the_admin_pages_switch_language_from_their_header(page, login, admin_user, screenshot):
    login(page, "root")
    page.goto("/admin/imports")
    assert _lang(page) == "en"
    nav = page.locator("#platform-monitoring-nav")
    assert nav.get_by_role("link", name="Import Jobs").is_visible()

    page.locator("#header .language-chooser").get_by_role("button", name="DE", exact=True).click()
    page.wait_for_function("() => document.documentElement.lang === 'de'")

    assert page.url.endswith("/admin/imports")
    assert nav.get_by_role("link", name="Importe").is_visible()
    screenshot(page, "language-chooser-admin-de", full_page=False)
    admin_user.refresh_from_db()
    assert admin_user.language == "de"
