from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from stores.services import store_update_settings

pytestmark = pytest.mark.django_db


def test_it_saves_the_feed_urls_and_the_default_language(store):
    store, changed = store_update_settings(
        store=store,
        data={"letzshop_csv_url_fr": " https://feeds.example.lu/fr.csv ", "default_language": "de"},
    )
    store.refresh_from_db()
    assert changed
    assert store.letzshop_csv_url_fr == "https://feeds.example.lu/fr.csv"
    assert store.default_language == "de"


def test_it_reports_when_nothing_changed(store):
    _, changed = store_update_settings(store=store, data={"default_language": "fr", "letzshop_csv_url_en": ""})
    assert not changed


def test_it_ignores_fields_that_are_not_settings(store):
    store_update_settings(store=store, data={"code": "x", "name": "X", "is_active": False, "default_language": "en"})
    store.refresh_from_db()
    assert (store.code, store.name, store.is_active, store.default_language) == ("alpha", "Alpha Store", True, "en")


@pytest.mark.parametrize(
    "data",
    [
        {"letzshop_csv_url_fr": "ftp://feeds.example.lu/fr.csv"},
        {"letzshop_csv_url_en": "https://user:pw@feeds.example.lu/en.csv"},
        {"letzshop_csv_url_de": "not a url"},
        {"default_language": "lb"},
    ],
)
def test_it_refuses_invalid_values(store, data):
    with pytest.raises(ValidationError) as excinfo:
        store_update_settings(store=store, data=data)
    assert set(excinfo.value.error_dict) == set(data)
    store.refresh_from_db()
    assert store.letzshop_csv_url_fr == "" and store.default_language == "fr"
