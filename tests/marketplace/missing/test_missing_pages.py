"""SPEC 11 on the pages: the held-removal banner (dashboard, import page) with its count,
a sample and Apply / Keep them; the job page's lists; the All Products page without the
deactivated products; the complete-catalog checkbox; held removals in admin monitoring."""

from __future__ import annotations

import pytest
from django.urls import reverse

from marketplace.models import MarketplaceImportJob, MarketplaceProduct
from tests.marketplace.missing.conftest import product, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(store, tmp_path):
    run(store, tmp_path, range(1, 11))
    return run(store, tmp_path, range(1, 5))


def _removal(store, job):
    return reverse("marketplace:job-removal", args=[store.code, job.pk])


@pytest.mark.parametrize("page", ["dashboard:store", "marketplace:import"])
def test_the_banner_shows_the_count_a_sample_and_the_buttons(as_role, store, held, page):
    html = as_role("owner").get(reverse(page, args=[store.code])).content.decode()
    assert 'data-testid="removal-banner"' in html
    assert 'data-testid="removal-count">6<' in html
    assert "SKU-0005" in html and 'value="keep"' in html and "csrfmiddlewaretoken" in html
    staff = as_role("staff_member").get(reverse(page, args=[store.code])).content.decode()
    assert 'data-testid="removal-banner"' in staff and 'value="keep"' not in staff


def test_keep_from_the_banner_removes_it(as_role, store, held):
    client = as_role("owner")
    back = reverse("dashboard:store", args=[store.code])
    response = client.post(_removal(store, held), {"action": "keep", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert 'data-testid="removal-banner"' not in client.get(back).content.decode()
    held.refresh_from_db()
    assert held.removal == "kept"


def test_apply_from_the_job_page_and_the_lists(as_role, store, held):
    client = as_role("manager")
    assert client.post(_removal(store, held), {"action": "apply"}).status_code == 302
    html = client.get(reverse("marketplace:job-detail", args=[store.code, held.pk])).content.decode()
    assert 'data-testid="missing-count">6<' in html and 'data-testid="presence-missing"' in html
    assert "SKU-0010" in html
    assert MarketplaceProduct.objects.filter(store=store, missing_action="deactivated").count() == 6


def test_the_removal_url_refuses_staff_other_stores_and_other_actions(as_role, store, other_store, held):
    assert as_role("staff_member").post(_removal(store, held), {"action": "keep"}).status_code == 403
    assert as_role("outsider").post(_removal(store, held), {"action": "keep"}).status_code == 404
    client = as_role("owner")
    assert client.post(_removal(store, held), {"action": "delete"}).status_code == 400
    other = reverse("marketplace:job-removal", args=[other_store.code, held.pk])
    assert client.post(other, {"action": "keep"}).status_code == 404
    held.refresh_from_db()
    assert held.removal_held


def test_all_products_hides_deactivated_products_by_default(as_role, store, tmp_path):
    run(store, tmp_path, range(1, 11))
    run(store, tmp_path, range(1, 10))
    client = as_role("owner")
    url = reverse("catalog:product-list", args=[store.code])
    assert product(store, 10).title not in client.get(url).content.decode()
    assert product(store, 10).title in client.get(url + "?missing=yes").content.decode()


def test_the_returned_list_on_the_job_page(as_role, store, tmp_path):
    run(store, tmp_path, range(1, 11))
    run(store, tmp_path, range(1, 10))
    back = run(store, tmp_path, [10], full=False)
    html = as_role("owner").get(reverse("marketplace:job-detail", args=[store.code, back.pk])).content.decode()
    assert 'data-testid="returned-count">1<' in html and 'data-testid="presence-returned"' in html


def test_the_import_form_sends_complete_catalog(as_role, store, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = as_role("owner")
    page = client.get(reverse("marketplace:import", args=[store.code])).content.decode()
    assert 'name="complete_catalog"' in page
    feed = SimpleUploadedFile("all.csv", b"id,title\nA,Apple\n", content_type="text/csv")
    body = {"file": feed, "language": "fr", "batch_size": "1000", "complete_catalog": "on"}
    assert client.post(reverse("marketplace:import", args=[store.code]), body).status_code == 302
    assert MarketplaceImportJob.objects.get(store=store).is_full_feed


def test_admin_monitoring_counts_and_filters_held_removals(as_role, store, held, django_assert_max_num_queries):
    client = as_role("admin_user")
    html = client.get(reverse("admin_pages:imports")).content.decode()
    assert 'data-stat="held_removals"' in html
    filtered = client.get(reverse("admin_pages:imports") + "?removal=held").content.decode()
    assert f"#{held.pk}" in filtered or f"/imports/{held.pk}" in filtered
    detail = client.get(reverse("admin_pages:import-detail", args=[held.pk])).content.decode()
    assert 'data-testid="held-count">6<' in detail


def test_the_job_page_and_the_banner_do_not_query_per_product(as_role, store, tmp_path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_role("owner")

    def queries(size):
        MarketplaceProduct.objects.filter(store=store).delete()
        run(store, tmp_path, range(1, size + 1))
        job = run(store, tmp_path, range(1, size // 3 + 1))
        assert job.removal_held
        counts = []
        for url in (
            reverse("marketplace:job-detail", args=[store.code, job.pk]),
            reverse("dashboard:store", args=[store.code]),
        ):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            counts.append(len(ctx.captured_queries))
        return counts

    assert queries(12) == queries(90)
