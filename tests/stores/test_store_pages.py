"""The store settings page: roles, tenancy, validation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from stores.models import Store

pytestmark = pytest.mark.django_db

VALID = {
    "letzshop_csv_url_fr": "https://feeds.example.lu/fr.csv",
    "letzshop_csv_url_en": "http://feeds.example.lu/en.csv",
    "letzshop_csv_url_de": "",
    "default_language": "en",
}


def settings_url(store: Store) -> str:
    return reverse("stores:settings", args=[store.code])


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("owner", 200),
        ("manager", 200),
        ("staff_member", 403),
        ("outsider", 404),
        ("admin_user", 200),
        ("anonymous", 302),
    ],
)
def test_settings_page_by_role(as_role, store, role, expected):
    response = as_role(role).get(settings_url(store))
    assert response.status_code == expected


def test_staff_get_a_readable_403_page(as_role, store):
    response = as_role("staff_member").get(settings_url(store))
    assert response.status_code == 403
    html = response.content.decode()
    assert "You can't do this here" in html and "read-only" in html


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("owner", 302),
        ("manager", 302),
        ("staff_member", 403),
        ("outsider", 404),
        ("admin_user", 302),
        ("anonymous", 302),
    ],
)
def test_saving_settings_by_role(as_role, store, role, expected):
    response = as_role(role).post(settings_url(store), VALID)
    assert response.status_code == expected
    store.refresh_from_db()
    saved = expected == 302 and role != "anonymous"
    assert (store.letzshop_csv_url_fr == VALID["letzshop_csv_url_fr"]) == saved
    assert store.default_language == ("en" if saved else "fr")


def test_settings_form_shows_the_current_values(as_role, store):
    store.letzshop_csv_url_de = "https://feeds.example.lu/de.tsv"
    store.default_language = "de"
    store.save()
    html = as_role("owner").get(settings_url(store)).content.decode()
    assert 'value="https://feeds.example.lu/de.tsv"' in html
    assert '<option value="de" selected>' in html
    assert f'href="{settings_url(store)}" aria-current="page">Settings' in html


def test_saving_settings_shows_a_success_message(as_role, store):
    response = as_role("owner").post(settings_url(store), VALID, follow=True)
    assert response.redirect_chain[-1][0] == settings_url(store)
    html = response.content.decode()
    assert "Settings saved." in html and "msg-success" in html
    store.refresh_from_db()
    assert store.letzshop_csv_url_en == "http://feeds.example.lu/en.csv"
    assert store.letzshop_csv_url_de == ""


def test_saving_unchanged_settings_says_nothing_changed(as_role, store):
    client = as_role("owner")
    client.post(settings_url(store), VALID)
    response = client.post(settings_url(store), VALID, follow=True)
    assert "Nothing to save" in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("letzshop_csv_url_fr", "ftp://feeds.example.lu/fr.csv", "Only http:// and https:// addresses"),
        ("letzshop_csv_url_en", "javascript:alert(1)", "not javascript: addresses"),
        ("letzshop_csv_url_de", "file:///etc/passwd", "not file: addresses"),
        ("letzshop_csv_url_fr", "not a url", "Enter a complete web address"),
        ("letzshop_csv_url_fr", "https://user:secret@feeds.example.lu/fr.csv", "user name or password"),
        ("default_language", "lb", "Select a valid choice"),
    ],
)
def test_invalid_settings_are_refused_inline(as_role, store, field, value, message):
    response = as_role("owner").post(settings_url(store), {**VALID, field: value})
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert len(errors) == 1 and message in errors[0]  # one message for one mistake
    assert 'aria-invalid="true"' in response.content.decode() or field == "default_language"
    store.refresh_from_db()
    assert store.letzshop_csv_url_fr == "" and store.default_language == "fr"


def test_settings_never_change_the_store_code_name_or_status(as_role, store):
    as_role("owner").post(settings_url(store), {**VALID, "code": "hijack", "name": "Hijacked", "is_active": ""})
    store.refresh_from_db()
    assert (store.code, store.name, store.is_active) == ("alpha", "Alpha Store", True)


def test_settings_of_another_store_cannot_be_changed(as_role, store, other_store):
    response = as_role("owner").post(settings_url(other_store), VALID)
    assert response.status_code == 404
    other_store.refresh_from_db()
    assert other_store.letzshop_csv_url_fr == ""


def test_saved_urls_feed_quick_fill(as_role, store):
    client = as_role("owner")
    client.post(settings_url(store), VALID)
    html = client.get(reverse("marketplace:import", args=[store.code])).content.decode()
    assert 'data-quick-fill-url="https://feeds.example.lu/fr.csv"' in html
    assert 'data-quick-fill-url="http://feeds.example.lu/en.csv"' in html
    assert "Not set yet: German." in html
    assert '<option value="en" selected>' in html  # the new default language
