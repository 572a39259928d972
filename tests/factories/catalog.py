from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from catalog.models import Product
from tests.factories.marketplace import MarketplaceProductFactory


class ProductFactory(DjangoModelFactory[Product]):
    class Meta:
        model = Product

    marketplace_product = factory.SubFactory(MarketplaceProductFactory)
    store = factory.LazyAttribute(lambda p: p.marketplace_product.store)
