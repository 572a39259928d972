"""Constraints and indexes of every model (SPEC sections 4, 7, 8)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, JSONField, TextField

from catalog.models import Product
from marketplace.importing.schema import ATTRIBUTES
from marketplace.models import MarketplaceImportJob, MarketplaceProduct, MarketplaceProductTranslation
from stores.models import StoreMembership
from tests.factories.accounts import UserFactory
from tests.factories.catalog import ProductFactory
from tests.factories.marketplace import (
    MarketplaceImportErrorFactory,
    MarketplaceImportJobFactory,
    MarketplaceProductFactory,
    MarketplaceProductTranslationFactory,
)
from tests.factories.stores import StoreFactory, StoreMembershipFactory

pytestmark = pytest.mark.django_db


def _index_columns(table: str) -> list[list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return [c["columns"] for c in constraints.values() if c["index"] or c["unique"]]


def test_tables_are_named_as_the_guide_says():
    assert MarketplaceImportJob._meta.db_table == "marketplace_import_jobs"
    assert MarketplaceProduct._meta.db_table == "marketplace_products"
    assert Product._meta.db_table == "products"
    assert MarketplaceImportErrorFactory._meta.model._meta.db_table == "marketplace_import_errors"
    tables = connection.introspection.table_names()
    for table in (
        "marketplace_import_jobs",
        "marketplace_import_errors",
        "marketplace_products",
        "products",
        "marketplace_product_translations",
        "stores",
        "store_memberships",
        "users",
    ):
        assert table in tables


def test_the_same_product_id_may_exist_in_two_stores_but_not_twice_in_one():
    first, second = StoreFactory(), StoreFactory()
    MarketplaceProductFactory(store=first, marketplace_product_id="SKU-1")
    MarketplaceProductFactory(store=second, marketplace_product_id="SKU-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        MarketplaceProductFactory(store=first, marketplace_product_id="SKU-1")
    assert MarketplaceProduct.objects.filter(marketplace_product_id="SKU-1").count() == 2


def test_the_guides_product_indexes_exist():
    columns = _index_columns("marketplace_products")
    for column in ("marketplace", "store_name", "brand", "gtin", "availability"):
        assert [column] in columns, column
    assert ["store_id", "marketplace", "marketplace_product_id"] in columns


def test_one_translation_per_product_and_language():
    product = MarketplaceProductFactory()
    MarketplaceProductTranslationFactory(product=product, language="fr")
    MarketplaceProductTranslationFactory(product=product, language="de")
    with pytest.raises(IntegrityError), transaction.atomic():
        MarketplaceProductTranslationFactory(product=product, language="fr")
    assert MarketplaceProductTranslation.objects.filter(product=product).count() == 2


def test_membership_is_unique_per_user_and_store():
    membership = StoreMembershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        StoreMembershipFactory(user=membership.user, store=membership.store, role=StoreMembership.Role.STAFF)


def test_membership_role_must_be_known():
    with pytest.raises(IntegrityError), transaction.atomic():
        StoreMembershipFactory(role="emperor")


def test_only_one_active_import_per_store_and_language():
    job = MarketplaceImportJobFactory(language="fr")
    with pytest.raises(IntegrityError), transaction.atomic():
        MarketplaceImportJobFactory(store=job.store, language="fr")
    # Another language, or a finished job, is fine.
    MarketplaceImportJobFactory(store=job.store, language="de")
    MarketplaceImportJob.objects.filter(pk=job.pk).update(status=MarketplaceImportJob.Status.COMPLETED)
    MarketplaceImportJobFactory(store=job.store, language="fr")


def test_batch_size_must_be_between_100_and_5000():
    for size in (99, 5001):
        with pytest.raises(IntegrityError), transaction.atomic():
            MarketplaceImportJobFactory(batch_size=size)
    for size in (100, 5000):
        MarketplaceImportJobFactory(batch_size=size, store=StoreFactory())


def test_catalog_product_is_unique_per_store_and_constraints_hold():
    product = ProductFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductFactory(marketplace_product=product.marketplace_product, store=product.store)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductFactory(price=Decimal("-1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductFactory(min_quantity=5, max_quantity=2)


def test_job_statuses_and_error_types_are_choices():
    assert set(MarketplaceImportJob.Status.values) == {
        "pending",
        "processing",
        "completed",
        "completed_with_errors",
        "failed",
        "cancelled",
    }
    error_model = MarketplaceImportErrorFactory._meta.model
    assert {"missing_title", "missing_id", "parse_error", "validation_error"} <= set(error_model.ErrorType.values)


def test_schema_attributes_match_the_model_columns():
    """The normalizer truncates at schema sizes; they must be the database's sizes."""
    assert len(ATTRIBUTES) >= 40
    for attribute in ATTRIBUTES:
        # Localized attributes live on the translation (SPEC 7); title and description are
        # also the product's display copy, of the same size.
        model = MarketplaceProductTranslation if attribute.translatable else MarketplaceProduct
        field = model._meta.get_field(attribute.name)
        if attribute.max_length is not None:
            assert isinstance(field, CharField), attribute.name
            assert field.max_length == attribute.max_length, attribute.name
        elif attribute.kind == "text":
            assert isinstance(field, TextField), attribute.name
        elif attribute.kind == "url_list":
            assert isinstance(field, JSONField), attribute.name
        if attribute.name in ("title", "description"):
            copy = MarketplaceProduct._meta.get_field(attribute.name)
            assert (type(copy), copy.max_length) == (type(field), field.max_length), attribute.name


def test_deleting_a_user_keeps_their_jobs():
    user = UserFactory()
    job = MarketplaceImportJobFactory(user=user)
    user.delete()
    job.refresh_from_db()
    assert job.user_id is None


def test_job_duration_is_derived_from_its_timestamps():
    from datetime import timedelta

    from django.utils import timezone

    start = timezone.now()
    job = MarketplaceImportJobFactory.build(started_at=start, completed_at=start + timedelta(seconds=12.5))
    assert job.duration_seconds == 12.5
    assert MarketplaceImportJobFactory.build(started_at=start).duration_seconds is None
