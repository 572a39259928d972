"""/admin/marketplace: self-service import for any active store, and the admin's own history."""

from __future__ import annotations

import pytest
from django.urls import reverse

from marketplace.models import MarketplaceImportJob
from tests.factories.accounts import AdminFactory
from tests.factories.marketplace import MarketplaceImportJobFactory
from tests.factories.stores import StoreFactory

pytestmark = pytest.mark.django_db
Status = MarketplaceImportJob.Status
URL = "/admin/marketplace"


@pytest.fixture
def feed_store(db):
    return StoreFactory(
        code="demo",
        name="Maison Demo",
        default_language="de",
        letzshop_csv_url_fr="https://feeds.example.lu/fr.csv",
        letzshop_csv_url_de="https://feeds.example.lu/de.tsv",
    )


def _form(store, **overrides):
    data = {"store": store.pk, "source_url": "https://feeds.example.lu/fr.csv", "language": "fr", "batch_size": 1000}
    data.update(overrides)
    return data


def test_the_url_is_the_one_the_spec_names():
    assert reverse("admin_pages:marketplace") == URL


def test_the_form_offers_active_stores_with_their_quick_fill_urls(admin_client_root, feed_store, store):
    StoreFactory(code="closed", name="Closed Store", is_active=False)
    content = admin_client_root.get(URL).content.decode()
    assert 'data-url-fr="https://feeds.example.lu/fr.csv"' in content
    assert 'data-url-de="https://feeds.example.lu/de.tsv"' in content
    assert 'data-url-en=""' in content
    assert 'data-default-language="de"' in content
    assert "Alpha Store" in content
    assert "Closed Store" not in content
    assert 'data-quick-fill="fr"' in content
    assert "js/admin_marketplace.js" in content
    assert reverse("admin_pages:imports") in content  # the link to every job
    assert 'id="nav-sidebar"' in content  # inside the admin's frame


def test_a_store_in_the_query_is_preselected_with_its_language(admin_client_root, feed_store):
    response = admin_client_root.get(URL + "?store=demo")
    form = response.context["form"]
    assert form.initial["store"] == feed_store
    assert form.initial["language"] == "de"


def test_it_starts_an_import_through_the_service(
    admin_client_root, admin_user, feed_store, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client_root.post(URL, _form(feed_store, batch_size=250))
    job = MarketplaceImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == URL + "?store=demo"
    assert (job.store, job.user, job.language, job.batch_size, job.marketplace) == (
        feed_store,
        admin_user,
        "fr",
        250,
        "Letzshop",
    )
    assert job.status == Status.PENDING
    assert len(callbacks) == 1  # queued for a worker after commit
    page = admin_client_root.get(response["Location"]).content.decode()
    assert f'Import job <a href="{reverse("admin_pages:import-detail", args=[job.pk])}">#{job.pk}</a> queued' in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"batch_size": 99}, "batch_size", "greater than or equal to 100"),
        ({"batch_size": 5001}, "batch_size", "less than or equal to 5000"),
        ({"source_url": "ftp://feeds.example.lu/a.csv"}, "source_url", "http"),
        ({"source_url": "https://user:secret@feeds.example.lu/a.csv"}, "source_url", "password"),
        ({"source_url": ""}, "source_url", "required"),
        ({"language": "it"}, "language", "valid choice"),
    ],
)
def test_it_refuses_bad_input(admin_client_root, feed_store, overrides, field, message):
    response = admin_client_root.post(URL, _form(feed_store, **overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not MarketplaceImportJob.objects.exists()


def test_it_refuses_an_inactive_store(admin_client_root):
    closed = StoreFactory(code="closed", is_active=False)
    response = admin_client_root.post(URL, _form(closed))
    assert "store" in response.context["form"].errors
    assert not MarketplaceImportJob.objects.exists()


def test_it_names_the_import_already_running(admin_client_root, feed_store):
    running = MarketplaceImportJobFactory(store=feed_store, language="fr", status=Status.PROCESSING)
    response = admin_client_root.post(URL, _form(feed_store))
    content = response.content.decode()
    assert f"(job {running.pk})" in content
    assert reverse("admin_pages:import-detail", args=[running.pk]) in content
    assert MarketplaceImportJob.objects.count() == 1


def test_the_history_shows_only_the_jobs_this_admin_started_newest_first(
    admin_client_root, admin_user, feed_store, owner, store
):
    older = MarketplaceImportJobFactory(store=feed_store, user=admin_user, status=Status.COMPLETED)
    newer = MarketplaceImportJobFactory(store=store, user=admin_user, status=Status.FAILED)
    MarketplaceImportJobFactory(store=store, user=owner, language="de")  # a store user's
    MarketplaceImportJobFactory(store=store, user=AdminFactory(username="other-admin"), language="en")

    response = admin_client_root.get(URL)
    assert [job.pk for job in response.context["history_page"]] == [newer.pk, older.pk]
    content = response.content.decode()
    assert 'id="my-jobs"' in content
    assert "hx-trigger" not in content.split('id="my-jobs"')[1].split(">")[0]  # nothing active: no polling


def test_the_history_refreshes_while_one_of_my_jobs_is_active(admin_client_root, admin_user, feed_store, settings):
    settings.ADMIN_MARKETPLACE_REFRESH_SECONDS = 10
    MarketplaceImportJobFactory(store=feed_store, user=admin_user, status=Status.PROCESSING, progress_percent=40)
    content = admin_client_root.get(URL).content.decode()
    assert 'hx-trigger="every 10s"' in content
    assert f'hx-get="{reverse("admin_pages:marketplace-history")}?page=1"' in content

    partial = admin_client_root.get(reverse("admin_pages:marketplace-history"), HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert b'id="my-jobs"' in partial.content
    assert b"<html" not in partial.content


def test_the_history_is_paginated(admin_client_root, admin_user, feed_store):
    jobs = [MarketplaceImportJobFactory(store=feed_store, user=admin_user, status=Status.COMPLETED) for _ in range(12)]
    first = admin_client_root.get(URL)
    assert len(first.context["history_page"]) == 10
    second = admin_client_root.get(reverse("admin_pages:marketplace-history") + "?page=2")
    assert [job.pk for job in second.context["history_page"]] == [jobs[1].pk, jobs[0].pk]
    assert b"Page 2 of 2" in second.content
