"""The import page's script speaks the page's language (SPEC 13): its texts come from the
template's data-* attributes, not from an English string in marketplace.js."""

from __future__ import annotations

import pytest

from marketplace.models import MarketplaceImportJob

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_quick_fill_the_confirmation_and_the_ended_message_are_french(
    browser, live_server, page, login, store, owner, monkeypatch
):
    # Tasks go to the broker, where no worker takes them: the job stays pending until cancelled.
    monkeypatch.setattr("django_q.conf.Conf.SYNC", False)
    store.letzshop_csv_url_fr = "https://feeds.example.lu/letzshop-fr.csv"
    store.save()
    login(page, "alice")
    # The same session in a browser set to French: its Accept-Language asks for French.
    french = browser.new_context(base_url=live_server.url, locale="fr-FR", timezone_id="Europe/Luxembourg")
    french.add_cookies(page.context.cookies())
    page = french.new_page()
    page.goto(f"/store/{store.code}/marketplace")
    assert page.locator("h1").inner_text() == "Importation vers la place de marché"

    page.locator("[data-quick-fill-url][data-language=fr]").click()
    assert page.locator("#quick-fill-status").inner_text() == "URL du flux en français et langue renseignées."

    page.locator("#start-import").click()
    page.wait_for_selector(".msg-success")
    job = MarketplaceImportJob.objects.get(store=store)
    assert (
        page.locator(".msg-success").inner_text().startswith(f"L’importation #{job.pk} du flux en français a démarré.")
    )

    page.locator(f"#job-{job.pk}-details").click()
    page.wait_for_selector("#job-dialog[open] #job-cancel-button")
    assert page.locator("#job-dialog .status-text").inner_text() == "En attente d'un processus de traitement."
    confirmations: list[str] = []

    def accept(dialog) -> None:
        confirmations.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.locator("#job-cancel-button").click()
    page.wait_for_selector(f"#job-row-{job.pk}[data-status=cancelled]")

    assert confirmations == [f"Arrêter l’importation #{job.pk}\u00a0? Les produits déjà enregistrés sont conservés."]
    assert (
        page.locator("#job-notice").inner_text().strip() == f"L’importation #{job.pk} a été annulée avant de démarrer."
    )
    page.wait_for_function("() => !document.querySelector('.msg.job-started')")
    assert page.locator(".msg-success").inner_text() == f"L’importation #{job.pk} est terminée\u00a0: Annulé."
    french.close()
