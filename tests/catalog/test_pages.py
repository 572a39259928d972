"""All Products, publish / unpublish, publish all from an import, and the product page."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Product
from marketplace.models import MarketplaceImportJob
from tests.factories.catalog import ProductFactory
from tests.factories.marketplace import MarketplaceImportJobFactory, MarketplaceProductFactory

pytestmark = pytest.mark.django_db
Status = MarketplaceImportJob.Status


def _url(code: str, rest: str = "") -> str:
    return f"/store/{code}/products{rest}"


def _login(client, user):
    client.force_login(user)
    return client


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- All Products ----------------------------------------------------------------------
def test_anonymous_users_go_to_login(client, store):
    response = client.get(_url("alpha"))

    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("path", ["", "/", "/publish-job/1", "/1"])
def test_another_store_answers_404(client, store, outsider, finished_job, path):
    ProductFactory(marketplace_product__store=store)

    assert _login(client, outsider).get(_url("alpha", path)).status_code == 404
    assert client.get(_url("nope", path)).status_code == 404


@pytest.mark.parametrize("who", ["owner", "manager", "staff_member", "admin_user"])
def test_every_member_and_admins_see_the_list(client, request, products, who):
    response = _login(client, request.getfixturevalue(who)).get(_url("alpha"))

    assert response.status_code == 200
    assert b"Apple juice" in response.content and b"Not published" in response.content


def test_the_list_answers_with_and_without_trailing_slash(client, owner, products):
    _login(client, owner)

    assert client.get(_url("alpha")).status_code == 200
    assert client.get(_url("alpha", "/")).status_code == 200


def test_staff_see_no_selection_or_publish_buttons(client, staff_member, owner, products):
    staff_page = _login(client, staff_member).get(_url("alpha")).content.decode()
    owner_page = _login(client, owner).get(_url("alpha")).content.decode()

    assert 'name="ids"' not in staff_page and "Publish selected" not in staff_page
    assert 'name="ids"' in owner_page and "Publish selected" in owner_page


def test_it_labels_published_inactive_and_overridden_products(client, owner, products):
    ProductFactory(marketplace_product=products[0], price=Decimal("2.99"))
    ProductFactory(marketplace_product=products[2], is_active=False)

    response = _login(client, owner).get(_url("alpha"))

    rows = {item.title: item for item in response.context["items"]}
    assert rows["Apple juice"].effective_price == Decimal("2.99")
    page = response.content.decode()
    assert "2.99" in page and "your price" in page
    assert page.count("state-published") == 2 and page.count("badge state-inactive") == 1
    assert response.context["counts"] == {"imported": 3, "published": 2, "inactive": 1, "unpublished": 1, "active": 1}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?published=no", ["Bread", "Cheese"]),
        ("?published=yes", ["Apple juice"]),
        ("?active=no", []),
        ("?q=moselle&ordering=-title", ["Cheese", "Apple juice"]),
        ("?brand=Boulangerie+Kirchberg", ["Bread"]),
        ("?availability=out_of_stock", []),
        # Bad values are dropped, never an error page.
        ("?job=abc&published=maybe&ordering=nope&page=x", ["Apple juice", "Bread", "Cheese"]),
        ("?job=99999999999999999999999", ["Apple juice", "Bread", "Cheese"]),
        ("?page=999", ["Apple juice", "Bread", "Cheese"]),
    ],
)
def test_filters(client, owner, products, query, expected):
    ProductFactory(marketplace_product=products[0])

    response = _login(client, owner).get(_url("alpha") + query)

    assert response.status_code == 200
    assert [item.title for item in response.context["items"]] == expected


def test_the_job_filter_offers_publish_all_from_this_import(client, owner, products, finished_job):
    response = _login(client, owner).get(_url("alpha") + f"?job={finished_job.pk}")

    assert response.context["selected_job"] == finished_job
    assert f'/store/alpha/products/publish-job/{finished_job.pk}"' in response.content.decode()


def test_htmx_requests_get_only_the_results(client, owner, products):
    response = _login(client, owner).get(_url("alpha") + "?q=bread", HTTP_HX_REQUEST="true")

    page = response.content.decode()
    assert page.lstrip().startswith("{%") is False and '<div id="product-results">' in page
    assert "<html" not in page and "Bread" in page and "Cheese" not in page


def test_pages_follow_each_other(client, owner, store):
    for i in range(30):
        MarketplaceProductFactory(store=store, title=f"P{i:02d}")
    _login(client, owner)

    first = client.get(_url("alpha"))
    second = client.get(_url("alpha") + "?page=2")

    assert len(first.context["items"]) == 25 and len(second.context["items"]) == 5
    assert "page=2" in first.content.decode()


def test_queries_do_not_grow_with_the_page_size(client, owner, store):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_url("alpha")).status_code == 200
        return len(queries)

    _login(client, owner)
    job = MarketplaceImportJobFactory(store=store, status=Status.COMPLETED)
    ProductFactory(marketplace_product__store=store, marketplace_product__last_import_job=job)
    few = count_queries()
    for i in range(30):
        product = ProductFactory(
            marketplace_product__store=store,
            marketplace_product__last_import_job=job,
            price=Decimal("1.00") if i % 3 else None,
        )
        if i % 2:
            product.delete()

    assert count_queries() == few


# --- publish / unpublish selected -------------------------------------------------------
@pytest.mark.parametrize("who", ["owner", "manager", "admin_user"])
def test_owners_managers_and_admins_publish_selected_products(client, request, products, who):
    _login(client, request.getfixturevalue(who))

    response = client.post(
        _url("alpha", "/publish"),
        {"ids": [products[0].pk, products[1].pk], "next": "/store/alpha/products?q=a"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == "/store/alpha/products?q=a"
    assert "Published 2 products." in _messages(response)
    assert Product.objects.filter(store__code="alpha").count() == 2


def test_staff_may_not_publish_or_unpublish(client, staff_member, products):
    ProductFactory(marketplace_product=products[1])
    _login(client, staff_member)

    assert client.post(_url("alpha", "/publish"), {"ids": [products[0].pk]}).status_code == 403
    assert client.post(_url("alpha", "/unpublish"), {"ids": [products[1].pk]}).status_code == 403
    assert list(Product.objects.values_list("marketplace_product_id", flat=True)) == [products[1].pk]


def test_outsiders_get_404_on_publish(client, outsider, products):
    response = _login(client, outsider).post(_url("alpha", "/publish"), {"ids": [products[0].pk]})

    assert response.status_code == 404 and not Product.objects.exists()


def test_publishing_another_stores_product_is_refused(client, owner, outsider, other_store, products):
    foreign = MarketplaceProductFactory(store=other_store)

    response = _login(client, owner).post(_url("alpha", "/publish"), {"ids": [products[0].pk, foreign.pk]}, follow=True)

    assert any("No such products in this store" in m for m in _messages(response))
    assert not Product.objects.exists()


@pytest.mark.parametrize("ids", [[], ["abc"], ["99999999999999999999999"]])
def test_bad_selections_are_a_message_not_an_error(client, owner, products, ids):
    response = _login(client, owner).post(_url("alpha", "/publish"), {"ids": ids}, follow=True)

    assert response.status_code == 200 and _messages(response)
    assert not Product.objects.exists()


def test_an_unsafe_next_falls_back_to_the_list(client, owner, products):
    response = _login(client, owner).post(
        _url("alpha", "/publish"), {"ids": [products[0].pk], "next": "https://evil.example/"}
    )

    assert response.url == "/store/alpha/products"


def test_publish_needs_post(client, owner):
    assert _login(client, owner).get(_url("alpha", "/publish")).status_code == 405


def test_unpublish_selected(client, owner, products):
    ProductFactory(marketplace_product=products[0])

    response = _login(client, owner).post(
        _url("alpha", "/unpublish/"), {"ids": [products[0].pk, products[1].pk]}, follow=True
    )

    assert "Unpublished 1 product. 1 was not published." in _messages(response)
    assert not Product.objects.exists()


# --- publish all from an import -----------------------------------------------------------
def test_the_publish_job_page_previews_both_scopes(client, staff_member, store, products, finished_job, reimport):
    response = _login(client, staff_member).get(_url("alpha", f"/publish-job/{reimport.pk}"))

    preview = response.context["preview"]
    assert (preview.all, preview.changed) == (4, 1)
    assert b"read-only" in response.content and b'data-testid="publish-job"' not in response.content


def test_owner_publishes_all_from_an_import(client, owner, store, products, finished_job, reimport):
    response = _login(client, owner).post(_url("alpha", f"/publish-job/{reimport.pk}"), {"scope": "all"}, follow=True)

    assert response.redirect_chain[-1][0] == "/store/alpha/products?published=yes"
    assert f"Published 4 products from import #{reimport.pk}." in _messages(response)
    assert Product.objects.filter(store=store).count() == 4


def test_owner_publishes_only_what_an_import_changed(client, owner, store, products, finished_job, reimport):
    _login(client, owner).post(_url("alpha", f"/publish-job/{reimport.pk}/"), {"scope": "changed"})

    assert Product.objects.filter(store=store).count() == 1


def test_staff_may_not_publish_from_an_import(client, staff_member, products, finished_job):
    response = _login(client, staff_member).post(_url("alpha", f"/publish-job/{finished_job.pk}"), {"scope": "all"})

    assert response.status_code == 403 and not Product.objects.exists()


def test_another_stores_import_is_404(client, owner, other_store):
    job = MarketplaceImportJobFactory(store=other_store, status=Status.COMPLETED)
    _login(client, owner)

    assert client.get(_url("alpha", f"/publish-job/{job.pk}")).status_code == 404
    assert client.post(_url("alpha", f"/publish-job/{job.pk}"), {"scope": "all"}).status_code == 404
    assert client.get(_url("alpha", "/publish-job/99999999999999999999")).status_code == 404


def test_a_running_import_cannot_be_published_yet(client, owner, store):
    job = MarketplaceImportJobFactory(store=store, status=Status.PROCESSING)
    MarketplaceProductFactory(store=store, last_import_job=job)
    _login(client, owner)

    page = client.get(_url("alpha", f"/publish-job/{job.pk}"))
    response = client.post(_url("alpha", f"/publish-job/{job.pk}"), {"scope": "all"})

    assert b"still processing" in page.content and b'data-testid="publish-job"' not in page.content
    assert response.status_code == 200 and "still processing" in " ".join(_messages(response))
    assert not Product.objects.exists()


def test_a_bad_scope_is_a_form_error(client, owner, products, finished_job):
    response = _login(client, owner).post(_url("alpha", f"/publish-job/{finished_job.pk}"), {"scope": "bogus"})

    assert response.status_code == 200 and response.context["form"].errors
    assert not Product.objects.exists()


# --- the product page -------------------------------------------------------------------
@pytest.fixture
def published(store):
    return ProductFactory(
        marketplace_product__store=store,
        marketplace_product__title="Riesling",
        marketplace_product__price=Decimal("12.00"),
    )


def _form(**changes):
    data = {
        "price": "",
        "sale_price": "",
        "availability": "",
        "condition": "",
        "display_order": "0",
        "min_quantity": "1",
        "max_quantity": "",
        "is_active": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize("who", ["owner", "staff_member", "admin_user"])
def test_members_see_the_product_page(client, request, published, who):
    response = _login(client, request.getfixturevalue(who)).get(_url("alpha", f"/{published.pk}"))

    assert response.status_code == 200 and b"Riesling" in response.content
    assert (b'name="price"' in response.content) is (who != "staff_member")


def test_owner_overrides_a_price(client, owner, published):
    response = _login(client, owner).post(
        _url("alpha", f"/{published.pk}"), _form(price="10.50", is_featured="on"), follow=True
    )

    published.refresh_from_db()
    assert (published.price, published.is_featured, published.is_active) == (Decimal("10.50"), True, True)
    assert response.redirect_chain[-1][0] == f"/store/alpha/products/{published.pk}"
    assert response.context["item"].effective_price == Decimal("10.50")


def test_unchecking_active_hides_the_product(client, manager, published):
    _login(client, manager).post(_url("alpha", f"/{published.pk}"), _form(is_active=None))

    published.refresh_from_db()
    assert published.is_active is False


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"price": "-1"}, "price"),
        ({"sale_price": "13.00"}, "sale_price"),
        ({"min_quantity": "5", "max_quantity": "2"}, "max_quantity"),
        ({"min_quantity": "0"}, "min_quantity"),
        ({"availability": "gone"}, "availability"),
        ({"display_order": "99999999999"}, "display_order"),
    ],
)
def test_invalid_overrides_are_shown_on_their_field(client, owner, published, changes, field):
    response = _login(client, owner).post(_url("alpha", f"/{published.pk}"), _form(**changes))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    published.refresh_from_db()
    assert published.price is None


def test_staff_may_not_change_a_product(client, staff_member, published):
    response = _login(client, staff_member).post(_url("alpha", f"/{published.pk}"), _form(price="1.00"))

    assert response.status_code == 403


def test_another_stores_product_is_404(client, owner, other_store):
    foreign = ProductFactory(marketplace_product__store=other_store)
    _login(client, owner)

    assert client.get(_url("alpha", f"/{foreign.pk}")).status_code == 404
    assert client.post(_url("alpha", f"/{foreign.pk}"), _form(price="1.00")).status_code == 404


def test_a_plain_post_from_elsewhere_publishes_everything_from_the_import(client, owner, store, products, finished_job):
    """The job modal of the import page can post to this URL with nothing but the CSRF token."""
    response = _login(client, owner).post(_url("alpha", f"/publish-job/{finished_job.pk}"))

    assert response.status_code == 302
    assert Product.objects.filter(store=store).count() == 3


@pytest.mark.parametrize(
    ("products", "line"), [(1, "1 product matches the filters"), (2, "2 products match the filters")]
)
def test_the_result_count_agrees_with_its_number(client, owner, store, products, line):
    MarketplaceProductFactory.create_batch(products, store=store, brand="Lëtz")
    _login(client, owner)

    html = client.get(_url(store.code, "?brand=Lëtz")).content.decode()

    assert line in html
    assert "<strong>A filter is set</strong>" in html


def test_the_filter_hint_only_shows_when_a_filter_is_set(client, owner, store):
    MarketplaceProductFactory.create_batch(2, store=store)
    _login(client, owner)

    html = client.get(_url(store.code)).content.decode()

    assert "2 products" in html
    assert "match the filters" not in html
    assert "<strong>A filter is set</strong>" not in html


def test_every_price_of_the_product_page_names_its_currency(client, owner, store):
    imported = MarketplaceProductFactory(store=store, price=Decimal("10"), sale_price=Decimal("8.5"), currency="EUR")
    product = ProductFactory(marketplace_product=imported, price=Decimal("9"))

    html = _login(client, owner).get(_url(store.code, f"/{product.pk}")).content.decode()

    for amount in ("9.00 EUR", "10.00 EUR", "8.50 EUR"):
        assert amount in html
    assert not re.search(r">\s*\d+\.\d\d\s*<", html)  # no bare amount in a cell
