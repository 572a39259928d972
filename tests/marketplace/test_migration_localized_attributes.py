"""Migrations 0006-0008 (issue 15): the product's localized attributes move to its
translations, a product without any translation gets one, and feed membership is taken
from the product's last import where its language matches."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("marketplace", "0005_error_type_row_too_long")]
AFTER = [("marketplace", "0008_drop_product_localized_columns")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _migrate_to_the_latest() -> None:
    """Every app's latest migration: going back to marketplace 0005 also unapplied the other
    apps' migrations that depend on a later marketplace one (catalog 0002-0004), which
    migrating marketplace forward again does not re-apply; the tests after this one need them."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_localized_values_move_to_every_translation_of_their_product():
    old = _migrate(BEFORE)
    try:
        Store = old.get_model("stores", "Store")
        Job = old.get_model("marketplace", "MarketplaceImportJob")
        Product = old.get_model("marketplace", "MarketplaceProduct")
        Translation = old.get_model("marketplace", "MarketplaceProductTranslation")
        store = Store.objects.create(code="mig", name="Migration shop", default_language="de")
        job = Job.objects.create(store=store, language="en", source_url="https://feeds.example.lu/en.csv")
        values = {"color": "red", "size": "L", "material": "cotton", "pattern": "striped", "mobile_link": "https://m/1"}
        shirt = Product.objects.create(
            store=store, marketplace_product_id="A", title="Shirt", link="https://x/en/A", last_import_job=job, **values
        )
        Translation.objects.create(product=shirt, language="en", title="Shirt", link="https://x/en/A")
        Translation.objects.create(product=shirt, language="fr", title="Chemise", link="https://x/fr/A")
        Product.objects.create(
            store=store,
            marketplace_product_id="B",
            title="Hose",
            description="Blau",
            product_type="Hosen",
            color="blau",
        )

        new = _migrate(AFTER)

        Translation = new.get_model("marketplace", "MarketplaceProductTranslation")
        Product = new.get_model("marketplace", "MarketplaceProduct")
        rows = {
            (t.product.marketplace_product_id, t.language): t
            for t in Translation.objects.filter(product__store__code="mig").select_related("product")
        }
        assert set(rows) == {("A", "en"), ("A", "fr"), ("B", "de")}
        for key in (("A", "en"), ("A", "fr")):
            assert {name: getattr(rows[key], name) for name in values} == values
        assert (rows["A", "fr"].title, rows["A", "fr"].link) == ("Chemise", "https://x/fr/A")
        # The product without a translation gets one in the store's default language.
        assert (rows["B", "de"].title, rows["B", "de"].description, rows["B", "de"].product_type) == (
            "Hose",
            "Blau",
            "Hosen",
        )
        assert rows["B", "de"].color == "blau"
        # Feed membership: the English import contained the product (its last import).
        Membership = new.get_model("marketplace", "FeedMembership")
        assert list(Membership.objects.values_list("import_job_id", "product__marketplace_product_id")) == [
            (job.pk, "A")
        ]
        assert not {"color", "link", "product_type"} & {f.name for f in Product._meta.get_fields()}
    finally:
        _migrate_to_the_latest()
