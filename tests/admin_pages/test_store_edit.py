"""/admin/stores/<code>/edit: a store's settings, CSV URLs included."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _url(store) -> str:
    return reverse("admin_pages:store-edit", args=[store.code])


def _data(**overrides):
    data = {
        "name": "Alpha Store Luxembourg",
        "default_language": "de",
        "is_active": "on",
        "letzshop_csv_url_fr": "https://feeds.example.lu/fr.csv",
        "letzshop_csv_url_en": "http://feeds.example.lu/en.csv",
        "letzshop_csv_url_de": "",
    }
    data.update(overrides)
    return data


def test_the_url_is_the_one_the_spec_names(store):
    assert _url(store) == "/admin/stores/alpha/edit"


def test_it_shows_the_current_settings(admin_client_root, store):
    store.letzshop_csv_url_en = "https://feeds.example.lu/en.csv"
    store.save()
    content = admin_client_root.get(_url(store)).content.decode()
    assert 'value="https://feeds.example.lu/en.csv"' in content
    assert 'value="Alpha Store"' in content
    assert 'id="nav-sidebar"' in content


def test_it_saves_name_language_active_and_feed_urls(admin_client_root, store):
    response = admin_client_root.post(_url(store), _data())
    assert response.status_code == 302
    store.refresh_from_db()
    assert store.name == "Alpha Store Luxembourg"
    assert store.default_language == "de"
    assert store.is_active
    assert store.letzshop_csv_url_fr == "https://feeds.example.lu/fr.csv"
    assert store.letzshop_csv_url_en == "http://feeds.example.lu/en.csv"
    assert store.letzshop_csv_url_de == ""
    assert b"saved" in admin_client_root.get(response["Location"]).content


def test_it_deactivates_a_store(admin_client_root, store):
    data = _data()
    del data["is_active"]
    admin_client_root.post(_url(store), data)
    store.refresh_from_db()
    assert not store.is_active


@pytest.mark.parametrize(
    "url",
    ["ftp://feeds.example.lu/fr.csv", "javascript:alert(1)", "file:///etc/passwd", "https://u:p@feeds.example.lu/a"],
)
def test_it_accepts_only_http_and_https_urls(admin_client_root, store, url):
    response = admin_client_root.post(_url(store), _data(letzshop_csv_url_fr=url))
    assert response.status_code == 200
    assert "letzshop_csv_url_fr" in response.context["form"].errors
    store.refresh_from_db()
    assert store.letzshop_csv_url_fr == ""
    assert store.name == "Alpha Store"  # nothing saved


def test_it_requires_a_name(admin_client_root, store):
    response = admin_client_root.post(_url(store), _data(name=""))
    assert "name" in response.context["form"].errors


def test_an_unknown_store_is_404(admin_client_root):
    assert admin_client_root.get("/admin/stores/nope/edit").status_code == 404
