"""Every page of the portal and of our admin pages, with demo-like data behind them: the
list the translation tests walk (tests/core/test_catalogs.py). A new page goes here.

`demo_site()` builds the data: `manage.py seed_demo`'s store, users and feed, one real
import of the French demo feed (with its deliberately broken rows, so the error viewer
has something to show) and one published product.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from django.core.management import call_command

from catalog.models import Product
from demo.feeds import demo_feed_bytes
from demo.management.commands.seed_demo import DEMO_STORE_CODE
from marketplace.importing.jobs import import_job_claim
from marketplace.importing.pipeline import run_import
from marketplace.models import MarketplaceImportJob, MarketplaceProduct
from stores.models import Store
from tests.factories.catalog import ProductFactory
from tests.factories.marketplace import MarketplaceImportJobFactory


@dataclass(frozen=True)
class Page:
    name: str
    # Filled in with the demo data's {store}, {job} and {product}.
    path: str
    # The demo user who opens it ("owner", "staff", "admin"), or None for a visitor.
    user: str | None = "owner"
    status: int = 200
    # An htmx partial is asked for as the page that loads it does (its HX-Request header);
    # without it, it redirects to its page.
    htmx: bool = False
    # Posted instead of fetched: a form with only its own URL, shown with its errors.
    post: dict[str, str] | None = None


PAGES = [
    Page("login", "/accounts/login/", user=None),
    Page("profile", "/accounts/profile/"),
    Page("dashboard", "/store/{store}/"),
    Page("import", "/store/{store}/marketplace"),
    Page("history", "/store/{store}/marketplace/history", htmx=True),
    Page("job", "/store/{store}/marketplace/jobs/{job}"),
    Page("job errors", "/store/{store}/marketplace/jobs/{job}/errors", htmx=True),
    Page("products", "/store/{store}/products"),
    Page("product", "/store/{store}/products/{product}"),
    Page("publish an import", "/store/{store}/products/publish-job/{job}"),
    Page("settings", "/store/{store}/settings"),
    # The Settings page (above) shows the section; its POST-only URL answers an invalid form.
    Page(
        "missing products settings (invalid form)",
        "/store/{store}/settings/missing-products",
        post={"missing_policy": "keep", "missing_grace": "0", "removal_max_percent": "200"},
        status=400,
    ),
    Page("not found", "/store/{store}/no-such-page", status=404),
    Page("not allowed (read-only staff)", "/store/{store}/settings", user="staff", status=403),
    Page("admin dashboard", "/admin/", user="admin"),
    Page("admin marketplace import", "/admin/marketplace", user="admin"),
    Page("admin marketplace history", "/admin/marketplace/history", user="admin"),
    Page("admin import jobs", "/admin/imports", user="admin"),
    Page("admin import job", "/admin/imports/{job}", user="admin"),
    Page("admin import errors", "/admin/imports/{job}/errors", user="admin"),
    Page("admin store", "/admin/stores/{store}/edit", user="admin"),
    Page("admin feeds", "/admin/feeds", user="admin"),
    Page("admin logs", "/admin/logs", user="admin"),
]


@dataclass(frozen=True)
class DemoSite:
    store: Store
    job: MarketplaceImportJob
    product: Product

    def url(self, page: Page) -> str:
        return page.path.format(store=self.store.code, job=self.job.pk, product=self.product.pk)


def demo_site(tmp_path: Path) -> DemoSite:
    call_command("seed_demo", base_url="http://127.0.0.1:9", stdout=io.StringIO())
    store = Store.objects.get(code=DEMO_STORE_CODE)
    feed = tmp_path / "letzshop-fr.csv"
    feed.write_bytes(demo_feed_bytes("letzshop-fr.csv"))
    job = MarketplaceImportJobFactory(store=store, language="fr")
    claimed = import_job_claim(job_id=job.pk)
    assert claimed is not None
    run_import(job=claimed, source_path=feed)
    job.refresh_from_db()
    product = ProductFactory(marketplace_product=MarketplaceProduct.objects.filter(store=store).order_by("pk").first())
    return DemoSite(store=store, job=job, product=product)
