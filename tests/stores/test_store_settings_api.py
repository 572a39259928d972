"""GET|PATCH /api/v1/store/settings (SPEC 11): every member reads, owners and managers
write, bad values are 400s naming the field, another store's settings are out of reach."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/v1/store/settings"
FIELDS = {
    "name",
    "default_language",
    "letzshop_csv_url_fr",
    "letzshop_csv_url_en",
    "letzshop_csv_url_de",
    "missing_policy",
    "missing_grace",
    "removal_max_percent",
    "removal_min_rows_percent",
}


def test_every_member_reads_the_settings(client_for, owner, staff_member, store):
    for user in (owner, staff_member):
        response = client_for(user).get(URL)
        assert response.status_code == 200
        body = response.json()
        assert set(body) == FIELDS
        assert (body["name"], body["missing_policy"], body["missing_grace"]) == (store.name, "deactivate", 1)
    assert client_for(owner).get(URL + "/").status_code == 200


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_owners_and_managers_change_them(client_for, request, store, role):
    body = {
        "missing_policy": "out_of_stock",
        "missing_grace": 3,
        "removal_max_percent": 35,
        "letzshop_csv_url_de": "https://feeds.example.lu/de.csv",
    }
    response = client_for(request.getfixturevalue(role)).patch(URL, body, format="json")
    assert response.status_code == 200, response.content
    store.refresh_from_db()
    assert (store.missing_policy, store.missing_grace, store.removal_max_percent) == ("out_of_stock", 3, 35)
    assert store.letzshop_csv_url_de == "https://feeds.example.lu/de.csv"
    assert store.removal_min_rows_percent == 50  # untouched


def test_staff_get_403_and_anonymous_401(client_for, staff_member):
    assert client_for(staff_member).patch(URL, {"missing_grace": 2}, format="json").status_code == 403
    assert client_for(None).get(URL).status_code == 401


@pytest.mark.parametrize(
    "body, field",
    [
        ({"missing_policy": "delete"}, "missing_policy"),
        ({"missing_grace": 0}, "missing_grace"),
        ({"missing_grace": "many"}, "missing_grace"),
        ({"removal_max_percent": 101}, "removal_max_percent"),
        ({"removal_min_rows_percent": -1}, "removal_min_rows_percent"),
        ({"letzshop_csv_url_fr": "ftp://feeds.example.lu/fr.csv"}, "letzshop_csv_url_fr"),
        ({"letzshop_csv_url_en": "https://u:p@feeds.example.lu/en.csv"}, "letzshop_csv_url_en"),
        ({"default_language": "lb"}, "default_language"),
    ],
)
def test_bad_values_are_400s_naming_the_field(client_for, owner, store, body, field):
    response = client_for(owner).patch(URL, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    store.refresh_from_db()
    assert (store.missing_policy, store.missing_grace) == ("deactivate", 1)


def test_a_non_object_body_is_a_400(client_for, owner):
    assert client_for(owner).patch(URL, [1, 2], format="json").status_code == 400


def test_the_name_is_read_only_and_another_store_is_untouched(client_for, owner, outsider, store, other_store):
    client_for(owner).patch(URL, {"name": "Renamed", "missing_grace": 4}, format="json")
    store.refresh_from_db()
    assert (store.name, store.missing_grace) == ("Alpha Store", 4)
    client_for(outsider).patch(URL, {"missing_grace": 9}, format="json")
    store.refresh_from_db()
    other_store.refresh_from_db()
    assert (store.missing_grace, other_store.missing_grace) == (4, 9)
