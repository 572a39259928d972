"""The missing-product section of the store's Settings page and of the admin's store edit
page (SPEC 11): shown with the store's values, saved by owners and managers (and admins),
refused to staff (403) and to other stores (404), bad values shown as form errors."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

VALID = {
    "missing_policy": "out_of_stock",
    "missing_grace": "2",
    "removal_max_percent": "30",
    "removal_min_rows_percent": "40",
}


def _url(store):
    return reverse("stores:missing-settings", args=[store.code])


def test_the_settings_page_shows_the_section_with_the_stores_values(as_role, store):
    store.missing_grace = 3
    store.save()
    page = as_role("owner").get(reverse("stores:settings", args=[store.code])).content.decode()
    assert 'data-testid="missing-settings"' in page
    assert 'name="missing_grace"' in page and 'value="3"' in page


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("owner", 302),
        ("manager", 302),
        ("admin_user", 302),
        ("staff_member", 403),
        ("outsider", 404),
        ("anonymous", 302),
    ],
)
def test_saving_by_role(as_role, store, role, expected):
    response = as_role(role).post(_url(store), VALID)
    assert response.status_code == expected
    store.refresh_from_db()
    saved = (store.missing_policy, store.missing_grace, store.removal_max_percent, store.removal_min_rows_percent)
    if role in ("owner", "manager", "admin_user"):
        assert response["Location"].endswith("/settings#missing-products")
        assert saved == ("out_of_stock", 2, 30, 40)
    else:
        assert saved == ("deactivate", 1, 20, 50)


@pytest.mark.parametrize(
    "field, value",
    [
        ("missing_grace", "0"),
        ("missing_policy", "delete"),
        ("removal_max_percent", "150"),
        ("removal_min_rows_percent", "x"),
    ],
)
def test_bad_values_are_form_errors(as_role, store, field, value):
    response = as_role("owner").post(_url(store), {**VALID, field: value})
    assert response.status_code == 400
    assert f'id="{field}-errors"' in response.content.decode()
    store.refresh_from_db()
    assert store.missing_grace == 1


def test_the_admin_store_edit_page_has_the_section_and_saves_it(as_role, store):
    client = as_role("admin_user")
    page = client.get(reverse("admin_pages:store-edit", args=[store.code])).content.decode()
    assert 'data-testid="missing-settings"' in page
    response = client.post(reverse("admin_pages:store-missing-settings", args=[store.code]), VALID)
    assert response.status_code == 302
    store.refresh_from_db()
    assert store.missing_grace == 2
    bad = client.post(reverse("admin_pages:store-missing-settings", args=[store.code]), {**VALID, "missing_grace": "0"})
    assert bad.status_code == 400


def test_a_store_user_cannot_reach_the_admin_section(as_role, store):
    response = as_role("owner").post(reverse("admin_pages:store-missing-settings", args=[store.code]), VALID)
    assert response.status_code in (302, 403, 404)
    store.refresh_from_db()
    assert store.missing_grace == 1
