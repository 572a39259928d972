"""Only staff reach the admin's platform pages; store users and anonymous visitors get the admin login."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories.marketplace import MarketplaceImportJobFactory

pytestmark = pytest.mark.django_db

DJANGO_Q_MODELS = ("schedule", "success", "failure", "ormq")


@pytest.fixture
def job(store, admin_user):
    return MarketplaceImportJobFactory(store=store, user=admin_user)


def _page_urls(job, store) -> list[str]:
    return [
        reverse("admin:index"),
        reverse("admin_pages:marketplace"),
        reverse("admin_pages:marketplace-history"),
        reverse("admin_pages:imports"),
        reverse("admin_pages:imports-live"),
        reverse("admin_pages:import-detail", args=[job.pk]),
        reverse("admin_pages:import-summary", args=[job.pk]),
        reverse("admin_pages:import-errors", args=[job.pk]),
        reverse("admin_pages:import-errors-csv", args=[job.pk]),
        reverse("admin_pages:store-edit", args=[store.code]),
        reverse("admin_pages:logs"),
        reverse("admin:marketplace_marketplaceimportjob_changelist"),
    ]


def _assert_login_page(response) -> None:
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_it_sends_anonymous_visitors_to_the_admin_login(client, job, store):
    for url in _page_urls(job, store):
        _assert_login_page(client.get(url))


def test_it_sends_a_store_owner_to_the_admin_login_without_data(owner, job, store):
    client = Client()
    client.force_login(owner)
    for url in _page_urls(job, store):
        response = client.get(url)
        _assert_login_page(response)
        assert store.name.encode() not in response.content
    login = client.get(reverse("admin:login"))
    assert b"not authorized" in login.content


def test_it_refuses_store_users_the_write_endpoints(owner, job, store):
    client = Client()
    client.force_login(owner)
    posts = [
        (
            reverse("admin_pages:marketplace"),
            {"store": store.pk, "source_url": "https://x.example/a.csv", "language": "fr", "batch_size": 1000},
        ),
        (reverse("admin_pages:import-cancel", args=[job.pk]), {}),
        (reverse("admin_pages:import-retry", args=[job.pk]), {}),
        (reverse("admin_pages:store-edit", args=[store.code]), {"name": "Hacked", "default_language": "fr"}),
    ]
    for url, data in posts:
        _assert_login_page(client.post(url, data))
    store.refresh_from_db()
    assert store.name == "Alpha Store"
    assert job.__class__.objects.count() == 1


def test_an_htmx_poll_after_logout_navigates_to_the_login(client, job):
    response = client.get(reverse("admin_pages:imports-live"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("admin:login"))


def test_staff_reach_every_page(admin_client_root, job, store):
    for url in _page_urls(job, store):
        assert admin_client_root.get(url).status_code == 200, url


def test_non_superuser_staff_reach_the_platform_pages(staff_client, job, store):
    for url in _page_urls(job, store)[:-1]:  # the job change list needs a model permission
        assert staff_client.get(url).status_code == 200, url


def test_django_q_pages_are_for_superusers_only(staff_client, plain_staff, admin_client_root):
    from django.contrib.auth.models import Permission

    # Even with django-q2's model permissions granted, a non-superuser gets 403.
    plain_staff.user_permissions.set(Permission.objects.filter(content_type__app_label="django_q"))
    index = staff_client.get(reverse("admin:index"))
    assert b"django_q/" not in index.content
    for model in DJANGO_Q_MODELS:
        url = reverse(f"admin:django_q_{model}_changelist")
        assert staff_client.get(url).status_code == 403, url
        assert admin_client_root.get(url).status_code == 200, url
    assert staff_client.get(reverse("admin:app_list", args=["django_q"])).status_code == 404

    index = admin_client_root.get(reverse("admin:index"))
    assert reverse("admin:django_q_schedule_changelist").encode() in index.content
