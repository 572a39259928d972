"""Row errors in the reader's language (SPEC 13, issue 17): stored as a key and parameters
next to the English `error_message`, rendered in French or German by the error viewer, its
summary, its CSV and the rows-to-fix file; old rows without a key show their stored text."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from django.urls import reverse
from django.utils import translation

from marketplace.error_catalogue import CATALOGUE
from marketplace.models import MarketplaceImportError, MarketplaceImportJob
from marketplace.row_messages import ALL_TEMPLATES, PLURALS, english, render
from tests.factories.marketplace import MarketplaceImportErrorFactory, MarketplaceImportJobFactory
from tests.marketplace.importing.conftest import import_file, product_row, write_feed

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def job(store, owner, tmp_path) -> MarketplaceImportJob:
    """A real import: a price that is no number (error), a GTIN with a wrong check digit
    (warning), an id already used (error), and a title 600 characters long (warning)."""
    rows = [
        product_row(1),
        product_row(2, price="abc"),
        product_row(3, gtin="4006381333932"),
        product_row(1, title="Doublon"),
        product_row(4, title="T" * 1200),
    ]
    return import_file(store, write_feed(tmp_path / "feed.csv", rows))


def _messages(job: MarketplaceImportJob) -> dict[int, MarketplaceImportError]:
    return {error.row_number: error for error in job.errors.all()}


def _page(client, store, job, language: str) -> str:
    response = client.get(
        reverse("marketplace:job-errors", args=[store.code, job.pk]), HTTP_ACCEPT_LANGUAGE=language, **HTMX
    )
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_the_import_stores_english_messages_with_their_keys(job):
    errors = _messages(job)
    assert errors[3].error_message == 'Price "abc" is not a number.'
    assert (errors[3].message_key, errors[3].params) == ("price_not_a_number", {"field": "price", "value": "abc"})
    assert errors[4].error_message == (
        'GTIN "4006381333932" has a wrong check digit: the last digit should be 1. The GTIN was left empty.'
    )
    assert errors[5].error_message == "The id 'SKU-0001' already appeared in row 2; this row was skipped."
    assert errors[5].params == {"value": "SKU-0001", "row": 2}
    assert errors[6].error_message == "Title is 1,200 characters long; only the first 500 were kept."


def test_an_import_run_with_french_active_still_stores_english(store, tmp_path):
    # The worker's default language is French (LANGUAGE_CODE): what it stores is English.
    with translation.override("fr"):
        job = import_file(store, write_feed(tmp_path / "f.csv", [product_row(1, price="-3 EUR")]))
    [error] = job.errors.all()
    assert error.error_message == 'Price "-3 EUR" is negative.'


def test_the_error_viewer_speaks_french(client, owner, store, job):
    client.force_login(owner)
    page = _page(client, store, job, "fr")
    assert "Colonne price : « abc » n'est pas un nombre." in page
    assert (
        "Le GTIN « 4006381333932 » a une clé de contrôle fausse : le dernier chiffre devrait être 1. "
        "Le GTIN a été laissé vide." in page
    )
    assert "L'identifiant « SKU-0001 » figure déjà à la ligne 2 ; cette ligne a été ignorée." in page
    # French groups thousands with a no-break space, not a comma.
    assert "Colonne title : le texte fait 1.200 caractères" in page
    # The duplicate names the feed's column, id, not the internal field.
    assert "dans <code>id</code>" in page
    assert "marketplace_product_id" not in page.split('id="error-summary"')[0]
    assert "Erreurs et avertissements" in page
    # The summary by code: the catalogue's texts and its examples in French too.
    assert "Prix illisible" in page
    assert "Comment corriger :" in page
    assert 'Price "abc" is not a number.' not in page


def test_the_error_viewer_speaks_german(client, owner, store, job):
    client.force_login(owner)
    page = _page(client, store, job, "de")
    assert "Spalte price: „abc“ ist keine Zahl." in page
    assert "Die ID „SKU-0001“ kam schon in Zeile 2 vor; diese Zeile wurde übersprungen." in page
    assert "Spalte title: Der Text ist 1.200 Zeichen lang; nur die ersten 500 wurden übernommen." in page
    assert "in <code>id</code>" in page
    assert "Fehler und Warnungen" in page
    assert "GTIN ungültig" in page


def test_english_readers_see_the_stored_english(client, owner, store, job):
    client.force_login(owner)
    page = _page(client, store, job, "en")
    assert 'Price "abc" is not a number.' in page
    assert "The id 'SKU-0001' already appeared in row 2; this row was skipped." in page


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_portal_errors_csv_is_in_the_readers_language(client, owner, store, job):
    client.force_login(owner)
    url = reverse("marketplace:job-errors-csv", args=[store.code, job.pk])
    rows = _csv(client.get(url, HTTP_ACCEPT_LANGUAGE="de"))
    assert rows[0] == ["row_number", "identifier", "severity", "error_type", "field", "error_message", "row_data"]
    by_row = {row[0]: row for row in rows[1:]}
    assert by_row["3"][5] == "Spalte price: „abc“ ist keine Zahl."
    assert (by_row["5"][4], by_row["5"][5]) == (
        "id",
        "Die ID „SKU-0001“ kam schon in Zeile 2 vor; diese Zeile wurde übersprungen.",
    )
    french = {row[0]: row for row in _csv(client.get(url, HTTP_ACCEPT_LANGUAGE="fr"))[1:]}
    assert french["3"][5] == "Colonne price : « abc » n'est pas un nombre."


def test_the_rows_to_fix_say_what_to_fix_in_the_readers_language(client, owner, store, job):
    client.force_login(owner)
    response = client.get(
        reverse("marketplace:job-rows-to-fix-csv", args=[store.code, job.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    )
    rows = _csv(response)
    problems = {row[0]: row[-1] for row in rows[1:]}
    assert problems["SKU-0002"] == "Colonne price : « abc » n'est pas un nombre."
    assert problems["SKU-0001"] == "L'identifiant « SKU-0001 » figure déjà à la ligne 2 ; cette ligne a été ignorée."


def test_the_admin_error_viewer_and_csv_speak_the_readers_language(client, admin_user, job):
    client.force_login(admin_user)
    page = html.unescape(
        client.get(reverse("admin_pages:import-errors", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    )
    assert "Spalte price: „abc“ ist keine Zahl." in page
    assert "Meldung" in page
    rows = _csv(client.get(reverse("admin_pages:import-errors-csv", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="fr"))
    assert "Colonne price : « abc » n'est pas un nombre." in [row[5] for row in rows]


def test_an_old_error_without_a_key_shows_its_stored_message(client, owner, store):
    job = MarketplaceImportJobFactory(store=store, status="completed_with_errors", error_count=1)
    MarketplaceImportErrorFactory(import_job=job, row_number=7, error_message="An old English message.")
    client.force_login(owner)
    assert "An old English message." in _page(client, store, job, "de")


def test_the_job_notes_have_plural_forms(store, tmp_path):
    job = import_file(store, write_feed(tmp_path / "n.csv", [product_row(1, price="5"), product_row(2, price="6")]))
    note = job.errors.get(row_number=0)
    assert note.error_message.startswith("2 rows had a price without a currency; EUR was assumed.")
    with translation.override("de"):
        assert note.display_message.startswith("2 Zeilen hatten einen Preis ohne Währung; es wurde EUR angenommen.")
    with translation.override("fr"):
        one = render("currency_assumed", {"rows": 1, "currency": "EUR"})
    assert one.startswith("1 ligne avait un prix sans devise")


def test_a_language_conflict_names_the_languages_in_the_readers_language():
    params = {"field": "price", "new": "31.00", "old": "", "language": "en", "other_language": "fr", "job": 12}
    assert english("language_conflict", params) == (
        "Price 31.00 in this English import differs from (none) set by the French import #12; "
        "the newer value, 31.00, is kept."
    )
    with translation.override("de"):
        assert render("language_conflict", params) == (
            "Spalte price: 31.00 in diesem Import auf Englisch weicht von (keiner) ab, das der Import auf "
            "Französisch Nr. 12 gesetzt hat; der neuere Wert, 31.00, wird übernommen."
        )


def _sample_params(template: str) -> dict[str, object]:
    names = re.findall(r"%\((\w+)\)s", template)
    samples: dict[str, object] = {"field": "sale_price", "language": "fr", "other_language": "de", "rows": 3}
    return {name: samples.get(name, 7 if name in ("length", "limit", "count", "row", "job") else "x") for name in names}


@pytest.mark.parametrize("language", ["fr", "de"])
def test_every_row_message_and_catalogue_entry_is_translated(language):
    cases = [(key, _sample_params(template)) for key, template in ALL_TEMPLATES.items()]
    cases += [(key, {"rows": 3, "currency": "EUR"}) for key in PLURALS]
    for key, params in cases:
        with translation.override(language):
            shown = render(key, params)
        assert shown != english(key, params), f"{key} is not translated into {language}"
    for entry in CATALOGUE.values():
        for text in (entry.title, entry.explanation, entry.how_to_fix):
            with translation.override("en"):
                english_text = str(text)
            with translation.override(language):
                assert str(text) != english_text, f"{entry.code} is not translated into {language}"
