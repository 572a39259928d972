"""The store dashboard: roles, tenancy, counts, the latest jobs, the sidebar."""

from __future__ import annotations

import pytest
from django.urls import reverse

from marketplace.models import MarketplaceImportJob
from stores.models import Store
from tests.factories.catalog import ProductFactory
from tests.factories.marketplace import MarketplaceImportJobFactory, MarketplaceProductFactory

pytestmark = pytest.mark.django_db

Status = MarketplaceImportJob.Status


def dashboard_url(store: Store) -> str:
    return reverse("dashboard:store", args=[store.code])


def settings_url(store: Store) -> str:
    return reverse("stores:settings", args=[store.code])


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("owner", 200),
        ("manager", 200),
        ("staff_member", 200),
        ("outsider", 404),
        ("admin_user", 200),
        ("anonymous", 302),
    ],
)
def test_dashboard_by_role(as_role, store, role, expected):
    response = as_role(role).get(dashboard_url(store))
    assert response.status_code == expected
    if role == "anonymous":
        assert response["Location"] == f"/accounts/login/?next={dashboard_url(store)}"


def test_dashboard_counts_products_published_and_imports(as_role, store, other_store, owner):
    products = MarketplaceProductFactory.create_batch(3, store=store)
    ProductFactory(marketplace_product=products[0])
    MarketplaceProductFactory(store=other_store)  # never counted
    MarketplaceImportJobFactory(store=store, user=owner, status=Status.COMPLETED)
    MarketplaceImportJobFactory(store=store, user=owner, status=Status.PROCESSING, language="en")
    response = as_role("owner").get(dashboard_url(store))
    html = response.content.decode()
    assert 'data-stat="products">3<' in html
    assert 'data-stat="published">1<' in html
    assert 'data-stat="imports">2<' in html
    assert 'data-stat="active">1<' in html
    assert "Follow it live on Marketplace Import" in html


def test_dashboard_lists_the_five_latest_jobs_with_their_status(as_role, store, owner):
    jobs = [MarketplaceImportJobFactory(store=store, user=owner, status=Status.COMPLETED) for _ in range(6)]
    jobs[-1].status = Status.FAILED
    jobs[-1].error_message = "The server answered 404."
    jobs[-1].save()
    html = as_role("staff_member").get(dashboard_url(store)).content.decode()
    detail = reverse("marketplace:job-detail", args=[store.code, jobs[-1].pk])
    assert f'href="{detail}"' in html
    assert 'class="badge status-failed">Failed' in html
    assert "The server answered 404." in html
    assert f"#{jobs[0].pk} " not in html  # the oldest of six is not among the latest five
    assert "Import your first products" not in html


def test_the_latest_imports_show_what_a_re_import_found_unchanged(as_role, store, owner):
    MarketplaceImportJobFactory(
        store=store, user=owner, status=Status.COMPLETED, imported_count=0, updated_count=2, unchanged_count=1298
    )
    html = as_role("owner").get(dashboard_url(store)).content.decode()

    assert '<th scope="col" class="num">Unchanged</th>' in html
    assert 'data-label="Updated" class="num">2<' in html
    assert 'data-label="Unchanged" class="num">1,298<' in html


def test_dashboard_invites_an_owner_to_the_first_import(as_role, store):
    html = as_role("owner").get(dashboard_url(store)).content.decode()
    assert "Import your first products" in html
    assert reverse("marketplace:import", args=[store.code]) in html
    assert settings_url(store) in html  # no feed URL saved yet: Settings is suggested


def test_dashboard_tells_staff_who_can_import(as_role, store):
    html = as_role("staff_member").get(dashboard_url(store)).content.decode()
    assert "Import your first products" in html
    assert "An owner or manager of the store starts the first import" in html
    assert "Go to Marketplace Import" not in html


def test_dashboard_queries_are_fixed(as_role, store, owner, django_assert_max_num_queries):
    for _ in range(8):
        MarketplaceImportJobFactory(store=store, user=owner, status=Status.COMPLETED)
    client = as_role("owner")
    with django_assert_max_num_queries(10):
        client.get(dashboard_url(store))


def test_the_sidebar_has_dashboard_products_and_settings(as_role, store):
    html = as_role("manager").get(dashboard_url(store)).content.decode()
    assert f'href="{dashboard_url(store)}" aria-current="page">Dashboard' in html
    assert ">Products<" in html
    assert f'href="{reverse("marketplace:import", args=[store.code])}"' in html
    assert f'href="{settings_url(store)}"' in html
    staff_html = as_role("staff_member").get(dashboard_url(store)).content.decode()
    assert f'href="{settings_url(store)}"' not in staff_html
