"""All Products' script in French and German (SPEC 13): the selection count and the confirm
dialog read the texts the template translated into data-* attributes (no JavaScript catalog)."""

from __future__ import annotations

import os

import pytest

from tests.factories.marketplace import MarketplaceProductFactory

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("language", "one", "three", "confirm"),
    [
        ("fr", "· 1 sélectionné", "· 3 sélectionnés", "Dépublier les produits sélectionnés ?"),
        ("de", "· 1 ausgewählt", "· 3 ausgewählt", "Die ausgewählten Produkte zurückziehen?"),
    ],
)
def test_the_selection_count_and_the_confirm_speak_the_readers_language(
    browser, live_server, page, login, store, owner, language, one, three, confirm
):
    for title in ("Riesling", "Pinot Gris", "Crémant"):
        MarketplaceProductFactory(store=store, title=title)
    login(page, "alice")
    # The browser's own language is what it sends as Accept-Language: a second browser in
    # the reader's language, with the session of the first.
    context = browser.new_context(base_url=live_server.url, locale=language)
    context.add_cookies(page.context.cookies())
    page = context.new_page()
    page.goto(f"/store/{store.code}/products")
    counter = page.locator("#selected-count")

    page.locator("input[name=ids]").first.check()
    page.wait_for_function("() => document.querySelector('#selected-count').textContent.includes('1')")
    assert counter.inner_text().strip() == one

    page.locator("#select-all").check()
    page.wait_for_function("() => document.querySelector('#selected-count').textContent.includes('3')")
    assert counter.inner_text().strip() == three

    messages: list[str] = []

    def dismiss(dialog):
        messages.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.locator("button[data-confirm]").click()
    assert messages and messages[0].startswith(confirm)
    assert page.locator("input[name=ids]:checked").count() == 3  # dismissed: nothing was sent
    context.close()
