"""Three languages in a real browser (issue 15): the owner imports the French feed, then the
English one of the same products; the English job says the English text was added and
nothing else changed; the owner publishes the French import and finds both texts on the
product page. Saves the README's screenshots."""

from __future__ import annotations

import os

import pytest

from marketplace.models import MarketplaceImportJob, MarketplaceProductTranslation

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

FRENCH = """id,title,description,link,color,product_type,price,availability,brand
LS-1,Chemise en lin,Une chemise légère.,https://shop.lu/fr/1,rouge,Vêtements > Chemises,49.00 EUR,in stock,Lëtz
LS-2,Pull en laine,Un pull chaud.,https://shop.lu/fr/2,bleu,Vêtements > Pulls,89.00 EUR,in stock,Lëtz
LS-3,Écharpe,Une écharpe douce.,https://shop.lu/fr/3,vert,Accessoires,29.00 EUR,in stock,Lëtz
"""
ENGLISH = """id,title,description,link,color,product_type,price,availability,brand
LS-1,Linen shirt,A light shirt.,https://shop.lu/en/1,red,Clothing > Shirts,49.00 EUR,in stock,Lëtz
LS-2,Wool sweater,A warm sweater.,https://shop.lu/en/2,blue,Clothing > Sweaters,89.00 EUR,in stock,Lëtz
LS-3,Scarf,A soft scarf.,https://shop.lu/en/3,green,Accessories,29.00 EUR,in stock,Lëtz
"""


def _import(page, store, url: str, language: str) -> MarketplaceImportJob:
    before = set(MarketplaceImportJob.objects.filter(store=store).values_list("pk", flat=True))
    page.get_by_role("navigation", name="Store").get_by_role("link", name="Marketplace Import").click()
    page.wait_for_url(f"**/store/{store.code}/marketplace")
    page.get_by_label("CSV feed URL").fill(url)
    page.get_by_label("Language").select_option(language)
    page.get_by_role("button", name="Start import").click()
    page.wait_for_selector(".msg-success")
    job = MarketplaceImportJob.objects.filter(store=store).exclude(pk__in=before).get()
    page.wait_for_selector(f"#job-row-{job.pk}[data-status=completed]", timeout=90_000)
    job.refresh_from_db()
    return job


def test_the_owner_adds_the_english_text_and_sees_both_languages(
    live_server, feed_server, qcluster, page, login, screenshot, store, owner
):
    csv = {"Content-Type": "text/csv; charset=utf-8"}
    feed_server.route("/fr.csv", FRENCH.encode(), headers=csv)
    feed_server.route("/en.csv", ENGLISH.encode(), headers=csv)
    login(page, "alice")

    french = _import(page, store, feed_server.url("/fr.csv"), "fr")
    english = _import(page, store, feed_server.url("/en.csv"), "en")

    assert (french.imported_count, english.imported_count, english.updated_count) == (3, 0, 0)
    assert (english.unchanged_count, english.translations_added) == (3, 3)
    sentence = "3 products got their English text; no price, stock or image changed."
    row = page.locator(f"#job-row-{english.pk}")
    assert sentence in row.inner_text()
    page.locator(f"#job-{english.pk}-details").click()
    page.wait_for_selector("#job-dialog[open] #job-title")
    dialog = page.locator("#job-dialog")
    assert dialog.locator("#job-outcome").inner_text() == sentence
    assert dialog.locator("[data-count=translations_added]").inner_text() == "3"
    assert "English text added" in dialog.inner_text()
    screenshot.both(page, "languages-english-added")
    page.keyboard.press("Escape")
    page.wait_for_selector("#job-dialog:not([open])", state="attached")
    # Each language kept its own colour.
    colours = dict(
        MarketplaceProductTranslation.objects.filter(product__marketplace_product_id="LS-1").values_list(
            "language", "color"
        )
    )
    assert colours == {"fr": "rouge", "en": "red"}

    # Publish the French import: exactly its three products, after the English one ran.
    page.get_by_role("navigation", name="Store").get_by_role("link", name="All Products").click()
    page.wait_for_url(f"**/store/{store.code}/products")
    page.get_by_label("Import").select_option(str(french.pk))
    page.wait_for_url(f"**/store/{store.code}/products?*job={french.pk}*")
    page.get_by_role("link", name="Publish all from this import…").click()
    page.wait_for_url(f"**/products/publish-job/{french.pk}")
    assert page.locator("[data-testid=preview-all] strong").inner_text() == "3"
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url("**/products?published=yes")

    # The product page shows both texts.
    page.get_by_role("link", name="Chemise en lin").click()
    page.wait_for_url(f"**/store/{store.code}/products/*")
    text = page.locator("main").inner_text()
    for value in ("Chemise en lin", "Linen shirt", "rouge", "red", "Une chemise légère.", "A light shirt."):
        assert value in text, value
    screenshot.both(page, "languages-product")
