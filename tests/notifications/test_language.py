"""The email is in the recipient's language (SPEC 12, 13): the user's choice, else the
portal's default, French; a language the portal has no catalog for falls back to English."""

from __future__ import annotations

import pytest

from marketplace.models import MarketplaceImportJob
from notifications.services import _has_catalog, notification_send
from tests.factories.marketplace import MarketplaceImportJobFactory
from tests.notifications.smtpserver import text_part

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_catalog_cache():
    _has_catalog.cache_clear()
    yield
    _has_catalog.cache_clear()


def failed_job(store) -> MarketplaceImportJob:
    return MarketplaceImportJobFactory(
        store=store, status=MarketplaceImportJob.Status.FAILED, error_message="Gone.", language="de"
    )


def test_without_a_choice_the_email_is_in_the_portals_default_french(store, owner, smtp_server, settings):
    settings.LANGUAGE_CODE = "fr"  # production's; the tests' default is English
    job = failed_job(store)

    notification_send(kind="import_failed", object_id=job.pk)

    [message] = smtp_server.messages
    assert message["Content-Language"] == "fr"
    assert message["Subject"] == f"[Alpha Store] L'import n° {job.pk} a échoué"
    text = text_part(message)
    assert "Raison : Gone." in text
    assert f"L'import n° {job.pk} de Alpha Store (flux en allemand) a échoué." in text


def test_a_german_user_gets_german(store, owner, smtp_server, settings):
    settings.LANGUAGE_CODE = "fr"
    owner.language = "de"
    owner.save()
    job = failed_job(store)

    notification_send(kind="import_failed", object_id=job.pk)

    [message] = smtp_server.messages
    assert message["Content-Language"] == "de"
    assert message["Subject"] == f"[Alpha Store] Import Nr. {job.pk} fehlgeschlagen"
    assert "Grund: Gone." in text_part(message)


def test_a_german_default_gives_german_emails(store, owner, smtp_server, settings):
    settings.LANGUAGE_CODE = "de"
    job = failed_job(store)

    notification_send(kind="import_failed", object_id=job.pk)

    [message] = smtp_server.messages
    assert message["Content-Language"] == "de"
    assert message["Subject"] == f"[Alpha Store] Import Nr. {job.pk} fehlgeschlagen"
    text = text_part(message)
    assert "Grund: Gone." in text
    assert f"Import Nr. {job.pk} von Alpha Store (Feed auf Deutsch) ist fehlgeschlagen." in text


def test_a_language_without_a_catalog_falls_back_to_english(store, owner, smtp_server, settings):
    settings.LANGUAGE_CODE = "it"  # Django has Italian, the portal has not

    notification_send(kind="import_failed", object_id=failed_job(store).pk)

    [message] = smtp_server.messages
    assert message["Content-Language"] == "en"
    assert "Reason: Gone." in text_part(message)
