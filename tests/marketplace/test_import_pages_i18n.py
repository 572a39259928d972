"""The Marketplace Import pages in French and German (SPEC 13): the page, the history, the
job page and its messages read in the browser's language, plurals included."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from marketplace.models import MarketplaceImportJob
from marketplace.outcomes import import_job_outcome
from tests.factories.marketplace import MarketplaceImportJobFactory

pytestmark = pytest.mark.django_db

Status = MarketplaceImportJob.Status
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def job(store, owner):
    return MarketplaceImportJobFactory(
        store=store,
        user=owner,
        language="fr",
        status=Status.COMPLETED_WITH_ERRORS,
        imported_count=290,
        updated_count=3,
        unchanged_count=2,
        error_count=4,
        warning_count=2,
        total_processed=301,
        progress_percent=100,
        detected_delimiter=";",
        is_full_feed=True,
    )


def _get(client, url: str, language: str, **headers: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language, **headers)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("language", "expected", "english"),
    [
        ("fr", ["<title>Importation vers la place de marché · Alpha Store", "Lancer l’importation",
                "Remplissage rapide", "Historique des importations", "Terminé avec erreurs", "Avertissements"],
         ["Start an import", "Quick Fill", "Import history", "Completed with errors"]),
        ("de", ["<title>Marktplatz-Import · Alpha Store", "Import starten", "Schnell ausfüllen",
                "Importverlauf", "Mit Fehlern abgeschlossen", "Warnungen"],
         ["Start an import", "Quick Fill", "Import history", "Completed with errors"]),
    ],
)  # fmt: skip
def test_the_import_page_speaks_the_browser_language(client, owner, store, job, language, expected, english):
    client.force_login(owner)

    html = _get(client, reverse("marketplace:import", args=[store.code]), language)

    for text in expected:
        assert text in html
    for text in english:
        assert text not in html


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", ["Importation #{pk} <span class=\"muted\">· flux en français</span>", "Configuration", "Séparateur",
                "Point-virgule (;)", "Importer à nouveau", "4 lignes sur 301 n’ont pas pu",
                "Produits manquants", "Un flux complet\u00a0:", "290 nouveaux produits. 3 produits modifiés."]),
        ("de", ["Import #{pk} <span class=\"muted\">· Feed auf Französisch</span>", "Konfiguration", "Trennzeichen",
                "Semikolon (;)", "Erneut importieren", "4 von 301 Zeilen konnten nicht importiert werden",
                "Fehlende Produkte", "Ein vollständiger Feed:", "290 neue Produkte. 3 Produkte geändert."]),
    ],
)  # fmt: skip
def test_the_job_page_speaks_the_browser_language(client, owner, store, job, language, expected):
    client.force_login(owner)

    html = _get(client, reverse("marketplace:job-detail", args=[store.code, job.pk]), language)

    for text in expected:
        assert text.format(pk=job.pk) in html
    assert "Why it failed" not in html and "Rows read" not in html and "Missing products" not in html


@pytest.mark.parametrize(
    ("language", "one", "many"),
    [
        ("en", "1 row imported without a problem.", "All 12 rows imported without a problem."),
        ("fr", "1 ligne importée sans problème.", "Les 12 lignes ont été importées sans problème."),
        ("de", "1 Zeile ohne Probleme importiert.", "Alle 12 Zeilen ohne Probleme importiert."),
    ],
)
def test_the_job_summary_gets_the_plural_right(client, owner, store, language, one, many):
    single = MarketplaceImportJobFactory(store=store, status=Status.COMPLETED, total_processed=1, imported_count=1)
    several = MarketplaceImportJobFactory(store=store, status=Status.COMPLETED, total_processed=12, imported_count=12)
    client.force_login(owner)

    single_html = _get(client, reverse("marketplace:job-summary", args=[store.code, single.pk]), language, **HTMX)
    several_html = _get(client, reverse("marketplace:job-summary", args=[store.code, several.pk]), language, **HTMX)

    assert one in single_html and many not in single_html
    assert many in several_html


@pytest.mark.parametrize(
    ("language", "started", "history"),
    [
        ("fr", "du flux en allemand a démarré", "Une importation est en cours\u00a0: cette liste se met à jour"),
        ("de", "des Feeds auf Deutsch wurde gestartet", "Ein Import läuft: Diese Liste wird alle"),
    ],
)
def test_starting_an_import_says_so_in_the_browser_language(client, owner, store, language, started, history):
    client.force_login(owner)
    form = {"source_url": "https://feeds.example.lu/de.csv", "language": "de", "batch_size": 1000}

    response = client.post(
        reverse("marketplace:import", args=[store.code]), form, HTTP_ACCEPT_LANGUAGE=language, follow=True
    )

    html = response.content.decode()
    assert started in html
    assert history in html
    # The script rewrites the message when the job ends, with the sentence the page gives it.
    assert "data-ended-text=" in html and "has ended" not in html


@pytest.mark.parametrize(
    ("language", "error"),
    [
        ("fr", "Saisissez l’URL du flux, utilisez le remplissage rapide ou envoyez un fichier CSV."),
        ("de", "Geben Sie die Feed-URL ein, nutzen Sie „Schnell ausfüllen“ oder laden Sie eine CSV-Datei hoch."),
    ],
)
def test_form_errors_are_in_the_browser_language(client, owner, store, language, error):
    client.force_login(owner)

    response = client.post(
        reverse("marketplace:import", args=[store.code]),
        {"source_url": "", "language": "fr", "batch_size": 1000},
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert response.status_code == 200
    assert error in response.content.decode()


def test_the_outcome_sentence_names_the_language_as_a_sentence_does(store):
    job = MarketplaceImportJobFactory(
        store=store, language="de", status=Status.COMPLETED, unchanged_count=1, translations_added=1
    )

    with translation.override("fr"):
        french = import_job_outcome(job)
    with translation.override("de"):
        german = import_job_outcome(job)

    assert french == "1 produit a reçu son texte en allemand\u00a0; aucun prix, stock ou image n’a changé."
    assert german == "1 Produkt hat seinen Text auf Deutsch erhalten; Preise, Bestände und Bilder sind unverändert."
