"""The store's Settings page in French and German (SPEC 13): labels, the feeds' states and
health, the schedule's errors, the messages after a save, the last check's sentence."""

from __future__ import annotations

import pytest
from django.urls import reverse

from feeds.models import StoreFeed
from feeds.services import feed_update
from tests.factories.marketplace import MarketplaceImportJobFactory
from tests.stores.test_feed_settings import FR_URL, page_data, panel_html, settings_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(as_role):
    return as_role("owner")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", ["<h1>Paramètres</h1>", "Récupérer maintenant", "Planification", "Produits manquants", "Français"]),
        ("de", ["<h1>Einstellungen</h1>", "Jetzt abrufen", "Zeitplan", "Fehlende Produkte", "Französisch"]),
    ],
)
def test_the_settings_page_speaks_the_readers_language(owner_client, store, language, expected):
    response = owner_client.get(settings_url(store), headers={"accept-language": language})

    html = response.content.decode()
    assert response.status_code == 200 and response.headers["Content-Language"] == language
    for text in expected:
        assert text in html
    for english in ("Fetch now", "Save settings", "Missing products", "Luxembourg time"):
        assert english not in html


def test_a_schedule_mistake_is_shown_in_german(owner_client, store):
    data = page_data(**{"fr-schedule": "hours", "fr-every_hours": "99"})

    response = owner_client.post(settings_url(store), data, headers={"accept-language": "de"})

    assert response.status_code == 200
    assert "Geben Sie eine ganze Zahl von Stunden zwischen 1 und 24 an." in panel_html(response.content.decode(), "fr")
    assert StoreFeed.objects.get(store=store, language="fr").schedule == "off"


def test_the_saved_message_is_in_french(owner_client, store):
    response = owner_client.post(
        settings_url(store),
        page_data(**{"fr-schedule": "hours", "fr-every_hours": "6"}),
        headers={"accept-language": "fr"},
        follow=True,
    )

    assert "Paramètres enregistrés." in response.content.decode()


def test_the_feeds_state_and_its_last_check_are_translated(owner_client, store):
    feed_update(store=store, language="fr", url=FR_URL, schedule="hours", every_hours=6)
    job = MarketplaceImportJobFactory(store=store, language="fr", status="completed")
    # As feeds.sync writes it: in English, for the API.
    StoreFeed.objects.filter(store=store, language="fr").update(
        last_checked_at=job.created_at,
        last_check_result="unchanged",
        last_check_message=f"Unchanged since import #{job.pk}",
        last_import_job=job,
        consecutive_failures=1,
    )

    fr = panel_html(owner_client.get(settings_url(store), headers={"accept-language": "fr"}).content.decode(), "fr")
    de = panel_html(owner_client.get(settings_url(store), headers={"accept-language": "de"}).content.decode(), "fr")
    en = panel_html(owner_client.get(settings_url(store)).content.decode(), "fr")

    assert 'data-state="failing">En échec</span>' in fr and f"Inchangé depuis l&#x27;importation #{job.pk}" in fr
    assert 'data-state="failing">Fehlerhaft</span>' in de and f"Unverändert seit Import #{job.pk}" in de
    assert f"Unchanged since import #{job.pk}" in en
    link = reverse("marketplace:job-detail", args=[store.code, job.pk])
    assert f'href="{link}">Importation #{job.pk}</a>' in fr and f'href="{link}">Import #{job.pk}</a>' in de
