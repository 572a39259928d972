"""The email is in the recipient's language once the portal has a translation in it
(SPEC 12, 13): today only English exists, so a French or German store still gets English,
and a catalog dropped in LOCALE_PATHS is used without a code change."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from marketplace.models import MarketplaceImportJob
from notifications.services import _has_catalog, notification_send
from tests.factories.marketplace import MarketplaceImportJobFactory
from tests.notifications.smtpserver import text_part

pytestmark = pytest.mark.django_db


def write_mo(path: Path, messages: dict[str, str]) -> None:
    """A GNU gettext catalog, as msgfmt writes it (the format of CPython's Tools/i18n/msgfmt.py)."""
    catalog = {"": "Content-Type: text/plain; charset=UTF-8\n", **messages}
    keys = sorted(catalog)
    ids = strs = b""
    entries = []
    for key in keys:
        key_bytes, value_bytes = key.encode(), catalog[key].encode()
        entries.append((len(ids), len(key_bytes), len(strs), len(value_bytes)))
        ids += key_bytes + b"\0"
        strs += value_bytes + b"\0"
    key_start = 7 * 4 + 16 * len(keys)
    value_start = key_start + len(ids)
    key_table, value_table = [], []
    for id_offset, id_length, str_offset, str_length in entries:
        key_table += [id_length, id_offset + key_start]
        value_table += [str_length, str_offset + value_start]
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + len(keys) * 8, 0, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        header
        + struct.pack(f"{len(key_table)}i", *key_table)
        + struct.pack(f"{len(value_table)}i", *value_table)
        + ids
        + strs
    )


@pytest.fixture(autouse=True)
def _fresh_catalog_cache():
    _has_catalog.cache_clear()
    yield
    _has_catalog.cache_clear()


def failed_job(store) -> MarketplaceImportJob:
    return MarketplaceImportJobFactory(store=store, status=MarketplaceImportJob.Status.FAILED, error_message="Weg.")


def test_a_german_store_gets_english_while_the_portal_has_no_german(store, owner, smtp_server):
    store.default_language = "de"
    store.save()

    notification_send(kind="import_failed", object_id=failed_job(store).pk)

    [message] = smtp_server.messages
    assert message["Content-Language"] == "en"
    assert message["Subject"].endswith("failed")


def test_a_german_catalog_makes_a_german_stores_email_german(store, owner, smtp_server, settings, tmp_path):
    write_mo(
        tmp_path / "locale" / "de" / "LC_MESSAGES" / "django.mo",
        {
            "[%(store)s] Import #%(job)s failed": "[%(store)s] Import #%(job)s fehlgeschlagen",
            "Reason:": "Grund:",
        },
    )
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    store.default_language = "de"
    store.save()
    job = failed_job(store)

    notification_send(kind="import_failed", object_id=job.pk)

    [message] = smtp_server.messages
    assert message["Content-Language"] == "de"
    assert message["Subject"] == f"[Alpha Store] Import #{job.pk} fehlgeschlagen"
    assert "Grund: Weg." in text_part(message)


def test_an_english_store_ignores_other_catalogs(store, owner, smtp_server, settings, tmp_path):
    write_mo(tmp_path / "locale" / "de" / "LC_MESSAGES" / "django.mo", {"Reason:": "Grund:"})
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    store.default_language = "en"
    store.save()

    notification_send(kind="import_failed", object_id=failed_job(store).pk)

    assert "Reason: Weg." in text_part(smtp_server.messages[0])
