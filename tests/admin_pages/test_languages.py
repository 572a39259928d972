"""The platform's admin pages in French and German (SPEC 13): titles, headings, forms,
messages and plurals come from the catalogs, in the language the browser asks for."""

from __future__ import annotations

import pytest
from django.utils import translation

from marketplace.admin_pages.forms import AdminImportForm, LogFilterForm
from marketplace.models import MarketplaceImportJob
from tests.factories.marketplace import MarketplaceImportJobFactory

pytestmark = pytest.mark.django_db
Status = MarketplaceImportJob.Status


def _get(client, url: str, language: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert response["Content-Language"] == language
    return response.content.decode()


@pytest.mark.parametrize(
    ("language", "expected", "english"),
    [
        ("fr", ["Importation vers la place de marché", "Nouvelle importation", "Lancer l’importation"], "New import"),
        ("de", ["Marktplatz-Import", "Neuer Import", "Import starten"], "New import"),
    ],
)
def test_the_marketplace_page_speaks_the_browsers_language(admin_client_root, store, language, expected, english):
    content = _get(admin_client_root, "/admin/marketplace", language)
    for text in expected:
        assert text in content
    assert english not in content


def test_the_quick_fill_script_gets_its_texts_translated(admin_client_root, store):
    # admin_marketplace.js reads its texts from these attributes (CSP forbids an inline catalog).
    content = _get(admin_client_root, "/admin/marketplace", "de")
    assert 'data-text-choose-store="Wählen Sie zuerst einen Shop."' in content
    assert 'data-text-filled="Aus den Einstellungen von {store} übernommen."' in content


@pytest.mark.parametrize(
    ("language", "one", "many"),
    [
        ("fr", "1 importation en cours : actualisation", "2 importations en cours : actualisation"),
        ("de", "1 aktiver Import: Aktualisierung", "2 aktive Importe: Aktualisierung"),
    ],
)
def test_the_imports_page_counts_active_jobs_with_the_right_plural(
    admin_client_root, store, other_store, language, one, many
):
    MarketplaceImportJobFactory(store=store, status=Status.PROCESSING)
    assert one in _get(admin_client_root, "/admin/imports", language)
    MarketplaceImportJobFactory(store=other_store, status=Status.PENDING)  # one active job per store and language
    assert many in _get(admin_client_root, "/admin/imports", language)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", ["Importations au total", "Terminées avec erreurs", "Aucune importation en cours"]),
        ("de", ["Importe insgesamt", "Mit Fehlern abgeschlossen", "Keine aktiven Importe"]),
    ],
)
def test_the_imports_page_cards_and_table(admin_client_root, store, language, expected):
    MarketplaceImportJobFactory(store=store, status=Status.COMPLETED)
    content = _get(admin_client_root, "/admin/imports", language)
    for text in expected:
        assert text in content


def test_a_bad_store_filter_says_so_in_french(admin_client_root, store):
    content = _get(admin_client_root, "/admin/imports?store=nosuchshop", "fr")
    assert "Aucune boutique n’a le code ou l’identifiant « nosuchshop ». Tous les résultats sont affichés." in content


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", ["Importation #", "Compteurs", "Lignes traitées", "Annuler l’importation"]),
        ("de", ["Import #", "Zähler", "Verarbeitete Zeilen", "Import abbrechen"]),
    ],
)
def test_the_job_detail_page(admin_client_root, store, language, expected):
    job = MarketplaceImportJobFactory(store=store, status=Status.PROCESSING)
    content = _get(admin_client_root, f"/admin/imports/{job.pk}", language)
    for text in expected:
        assert text in content


@pytest.mark.parametrize(
    ("language", "title", "saved"),
    [
        ("fr", "Paramètres : Alpha Store", "Rien à enregistrer : les paramètres étaient déjà à jour."),
        ("de", "Einstellungen: Alpha Store", "Nichts zu speichern: Die Einstellungen waren bereits aktuell."),
    ],
)
def test_the_store_edit_page_and_its_message(admin_client_root, store, language, title, saved):
    content = _get(admin_client_root, "/admin/stores/alpha/edit", language)
    assert title in content
    form = {"name": store.name, "default_language": store.default_language, "is_active": "on"}
    for panel_language in ("fr", "en", "de"):
        form[f"letzshop_csv_url_{panel_language}"] = store.feed_url(panel_language)
    response = admin_client_root.post("/admin/stores/alpha/edit", form, HTTP_ACCEPT_LANGUAGE=language, follow=True)
    assert saved in response.content.decode()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", ["Flux surveillés", "Aucun flux ne correspond à ces filtres.", "5 échecs consécutifs"]),
        ("de", ["Überwachte Feeds", "Keine Feeds entsprechen diesen Filtern.", "5 Fehlschlägen in Folge"]),
    ],
)
def test_the_feeds_page(admin_client_root, settings, language, expected):
    settings.MARKETPLACE_FEED_PAUSE_AFTER = 5
    content = _get(admin_client_root, "/admin/feeds", language)
    for text in expected:
        assert text in content


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", ["Journaux de l’application", "1 ligne.", "Émetteur"]),
        ("de", ["Anwendungsprotokolle", "1 Zeile.", "Meldung"]),
    ],
)
def test_the_logs_page_counts_its_lines(admin_client_root, settings, tmp_path, language, expected):
    settings.LOG_FILE = tmp_path / "app.log"
    settings.LOG_FILE.write_text("2026-11-27 04:00:00,000 INFO [job=-] core: hello\n", encoding="utf-8")
    content = _get(admin_client_root, "/admin/logs", language)
    for text in expected:
        assert text in content


@pytest.mark.parametrize(("language", "heading"), [("fr", "Tableau de bord"), ("de", "Dashboard")])
def test_the_dashboard_crumbs_and_headings(admin_client_root, language, heading):
    content = _get(admin_client_root, "/admin/feeds", language)
    assert f">{heading}</a>" in content  # the breadcrumbs of every platform page
    dashboard = _get(admin_client_root, "/admin/", language)
    assert {"fr": "Importations", "de": "Importe"}[language] in dashboard


def test_form_texts_follow_the_language_of_each_request():
    # The labels and the level choices are lazy: read at rendering, not at import.
    with translation.override("de"):
        assert str(AdminImportForm().fields["batch_size"].help_text).startswith("Pro Batch geschriebene Produkte")
        assert dict(LogFilterForm().fields["level"].choices)["WARNING"] == "WARNING und höher"
    with translation.override("fr"):
        assert str(AdminImportForm().fields["store"].label) == "Boutique"


def test_cancel_and_retry_messages_in_german(admin_client_root, store):
    job = MarketplaceImportJobFactory(store=store, status=Status.PENDING)
    cancelled = admin_client_root.post(f"/admin/imports/{job.pk}/cancel", HTTP_ACCEPT_LANGUAGE="de", follow=True)
    assert f"Abbruch von Import #{job.pk} angefordert: Status jetzt " in cancelled.content.decode()
    retried = admin_client_root.post(f"/admin/imports/{job.pk}/retry", HTTP_ACCEPT_LANGUAGE="de", follow=True)
    retry = MarketplaceImportJob.objects.get(retried_from=job)
    assert f"Import #{job.pk} wurde als Import #{retry.pk} erneut gestartet." in retried.content.decode()


def test_starting_an_import_says_so_in_french(admin_client_root, store, django_capture_on_commit_callbacks):
    form = {"store": store.pk, "source_url": "https://feeds.example.lu/fr.csv", "language": "fr", "batch_size": 1000}
    with django_capture_on_commit_callbacks():  # queued for a worker after the commit: not run here
        response = admin_client_root.post("/admin/marketplace", form, HTTP_ACCEPT_LANGUAGE="fr", follow=True)
    job = MarketplaceImportJob.objects.get()
    link = f'<a href="/admin/imports/{job.pk}">#{job.pk}</a>'
    assert f"Importation {link} mise en file d’attente pour Alpha Store." in response.content.decode()
    refused = admin_client_root.post("/admin/marketplace", {**form, "batch_size": 1}, HTTP_ACCEPT_LANGUAGE="de")
    assert refused.status_code == 200
    assert "Dieser Wert muss größer oder gleich 100 sein." in refused.content.decode()  # the form again, in German
