from __future__ import annotations

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from marketplace.models import (
    FeedMembership,
    MarketplaceImportError,
    MarketplaceImportJob,
    MarketplaceProduct,
    MarketplaceProductTranslation,
)
from tests.factories.accounts import UserFactory
from tests.factories.stores import StoreFactory


class MarketplaceImportJobFactory(DjangoModelFactory[MarketplaceImportJob]):
    class Meta:
        model = MarketplaceImportJob

    store = factory.SubFactory(StoreFactory)
    user = factory.SubFactory(UserFactory)
    source_url = factory.Sequence(lambda n: f"https://feeds.example.lu/{n}.csv")
    language = "fr"
    batch_size = 1000


class MarketplaceImportErrorFactory(DjangoModelFactory[MarketplaceImportError]):
    class Meta:
        model = MarketplaceImportError

    import_job = factory.SubFactory(MarketplaceImportJobFactory)
    row_number = factory.Sequence(lambda n: n + 2)
    identifier = factory.Sequence(lambda n: f"SKU-{n}")
    error_type = MarketplaceImportError.ErrorType.MISSING_TITLE
    severity = MarketplaceImportError.Severity.ERROR
    field = "title"
    error_message = "The row has no title."
    row_data = factory.LazyAttribute(lambda e: {"id": e.identifier, "title": ""})


class MarketplaceProductFactory(DjangoModelFactory[MarketplaceProduct]):
    class Meta:
        model = MarketplaceProduct
        skip_postgeneration_save = True  # the hook writes a translation, not the product

    store = factory.SubFactory(StoreFactory)
    marketplace_product_id = factory.Sequence(lambda n: f"SKU-{n:05d}")
    store_name = factory.LazyAttribute(lambda p: p.store.name)
    title = factory.Sequence(lambda n: f"Product {n}")
    description = "A product."
    price = Decimal("19.99")
    currency = "EUR"
    availability = "in_stock"
    condition = "new"
    brand = "Maison Moselle"

    @factory.post_generation
    def seen_by_its_import(self, create: bool, extracted: object, **kwargs: object) -> None:
        """A product made by an import has that import's translation, seen by it (feed
        membership), as the importer writes it. ``seen_by_its_import=False`` leaves it out."""
        job = self.last_import_job
        if not create or job is None or extracted is False:
            return
        MarketplaceProductTranslation.objects.create(
            product=self, language=job.language, title=self.title, description=self.description
        )
        FeedMembership.objects.create(import_job=job, product=self)


class MarketplaceProductTranslationFactory(DjangoModelFactory[MarketplaceProductTranslation]):
    class Meta:
        model = MarketplaceProductTranslation

    product = factory.SubFactory(MarketplaceProductFactory)
    language = "fr"
    title = factory.LazyAttribute(lambda t: t.product.title)
