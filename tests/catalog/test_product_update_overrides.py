from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from catalog.models import Product
from catalog.selectors import catalog_item_get
from catalog.services import product_update_overrides
from tests.factories.catalog import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(store):
    return ProductFactory(
        marketplace_product__store=store,
        marketplace_product__price=Decimal("20.00"),
        marketplace_product__sale_price=None,
    )


def _reload(product: Product) -> Product:
    return Product.objects.select_related("marketplace_product").get(pk=product.pk)


def test_it_saves_every_override(product):
    product_update_overrides(
        product=product,
        data={
            "price": Decimal("18.50"),
            "sale_price": Decimal("15.00"),
            "availability": "preorder",
            "condition": "used",
            "is_featured": True,
            "is_active": False,
            "display_order": -5,
            "min_quantity": 2,
            "max_quantity": 10,
        },
    )

    product = _reload(product)
    assert (product.price, product.sale_price, product.availability, product.condition) == (
        Decimal("18.50"),
        Decimal("15.00"),
        "preorder",
        "used",
    )
    assert (product.is_featured, product.is_active, product.display_order) == (True, False, -5)
    assert (product.min_quantity, product.max_quantity) == (2, 10)


def test_it_changes_only_the_keys_given(product):
    product_update_overrides(product=product, data={"price": Decimal("9.00"), "is_featured": True})
    product_update_overrides(product=_reload(product), data={"display_order": 3})

    product = _reload(product)
    assert (product.price, product.is_featured, product.display_order) == (Decimal("9.00"), True, 3)


def test_none_or_empty_clears_an_override(product):
    product_update_overrides(product=product, data={"price": Decimal("9.00"), "availability": "out_of_stock"})
    product_update_overrides(product=_reload(product), data={"price": None, "availability": None})

    product = _reload(product)
    assert (product.price, product.availability) == (None, "")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"price": Decimal("-0.01")}, "price"),
        ({"sale_price": Decimal("-1")}, "sale_price"),
        ({"sale_price": Decimal("25.00")}, "sale_price"),  # above the imported price 20.00
        ({"price": Decimal("10.00"), "sale_price": Decimal("10.01")}, "sale_price"),
        ({"min_quantity": 0}, "min_quantity"),
        ({"min_quantity": 5, "max_quantity": 4}, "max_quantity"),
        ({"max_quantity": 0}, "max_quantity"),
        ({"availability": "sold_out"}, "availability"),
        ({"condition": "broken"}, "condition"),
        ({"price": Decimal("1.234")}, "price"),
        ({"store_id": 3}, "store_id"),
    ],
)
def test_it_refuses_invalid_values_with_the_field_at_fault(product, data, field):
    with pytest.raises(ValidationError) as exc:
        product_update_overrides(product=product, data=data)

    assert field in exc.value.message_dict
    assert _reload(product).price is None


def test_min_above_an_existing_max_is_reported_on_min(product):
    product_update_overrides(product=product, data={"max_quantity": 3})

    with pytest.raises(ValidationError) as exc:
        product_update_overrides(product=_reload(product), data={"min_quantity": 4})

    assert "min_quantity" in exc.value.message_dict


def test_a_price_below_the_imported_sale_price_needs_a_sale_price_too(store):
    product = ProductFactory(
        marketplace_product__store=store,
        marketplace_product__price=Decimal("20.00"),
        marketplace_product__sale_price=Decimal("15.00"),
    )

    with pytest.raises(ValidationError) as exc:
        product_update_overrides(product=product, data={"price": Decimal("12.00")})
    product_update_overrides(product=_reload(product), data={"price": Decimal("12.00"), "sale_price": Decimal("11.00")})

    assert "price" in exc.value.message_dict
    assert _reload(product).sale_price == Decimal("11.00")


def test_a_sale_price_equal_to_the_price_is_allowed(product):
    product_update_overrides(product=product, data={"sale_price": Decimal("20.00")})

    assert _reload(product).sale_price == Decimal("20.00")


def test_an_unrelated_change_is_not_blocked_by_inconsistent_imported_prices(store):
    product = ProductFactory(
        marketplace_product__store=store,
        marketplace_product__price=Decimal("10.00"),
        marketplace_product__sale_price=Decimal("12.00"),
    )

    product_update_overrides(product=product, data={"is_featured": True})

    assert _reload(product).is_featured


# --- effective values and re-imports -----------------------------------------------------
def test_a_reimport_updates_what_is_not_overridden_and_never_an_override(store):
    overridden = ProductFactory(
        marketplace_product__store=store,
        marketplace_product__price=Decimal("20.00"),
        marketplace_product__availability="in_stock",
    )
    inherited = ProductFactory(marketplace_product__store=store, marketplace_product__price=Decimal("30.00"))
    product_update_overrides(product=overridden, data={"price": Decimal("17.00")})

    # What a re-import does to the imported data: it writes the MarketplaceProduct only.
    for product, price in ((overridden, "21.00"), (inherited, "31.00")):
        mp = product.marketplace_product
        mp.price = Decimal(price)
        mp.availability = "out_of_stock"
        mp.save()

    first = catalog_item_get(store=store, product_id=overridden.pk)
    second = catalog_item_get(store=store, product_id=inherited.pk)
    assert (first.effective_price, first.price, first.price_override) == (
        Decimal("17.00"),
        Decimal("21.00"),
        Decimal("17.00"),
    )
    assert first.effective_availability == "out_of_stock"  # availability was not overridden
    assert second.effective_price == Decimal("31.00")
    assert _reload(overridden).price == Decimal("17.00")


def test_clearing_an_override_shows_the_latest_imported_value(store):
    product = ProductFactory(marketplace_product__store=store, marketplace_product__price=Decimal("20.00"))
    product_update_overrides(product=product, data={"price": Decimal("17.00")})
    mp = product.marketplace_product
    mp.price = Decimal("22.00")
    mp.save()

    product_update_overrides(product=_reload(product), data={"price": None})

    assert catalog_item_get(store=store, product_id=product.pk).effective_price == Decimal("22.00")
