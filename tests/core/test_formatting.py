"""SPEC 13: numbers, prices and dates the page's way -- "1.234,50 €" in French and German,
"€1,234.50" in English -- and price inputs that take the local decimal separator."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from catalog.models import Product
from core.formatting import format_count, format_money, parse_amount
from tests.factories.catalog import ProductFactory

NBSP = "\u00a0"
TEMPLATE = Template(
    "{% load formatting %}{{ n|count }}|{{ price|money:currency }}|{{ bare|money }}|"
    '{{ when|date:"DATETIME_FORMAT" }}|{{ when|date:"SHORT_DATE_FORMAT" }}'
)


def _render(language: str, **context) -> list[str]:
    with translation.override(language):
        return TEMPLATE.render(Context(context)).split("|")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", ["269.838", f"1.234,50{NBSP}€", f"9,90{NBSP}€", "4 décembre 2026 16:05", "04/12/2026"]),
        ("de", ["269.838", f"1.234,50{NBSP}€", f"9,90{NBSP}€", "4. Dezember 2026 16:05", "04.12.2026"]),
        ("en", ["269,838", "€1,234.50", "€9.90", "4 Dec 2026, 16:05", "04/12/2026"]),
    ],
)
def test_a_count_a_price_and_a_date_in_each_language(language, expected):
    when = datetime(2026, 12, 4, 16, 5, tzinfo=ZoneInfo("Europe/Luxembourg"))

    rendered = _render(language, n=269838, price=Decimal("1234.5"), currency="EUR", bare="9.9", when=when)

    assert rendered == expected


@pytest.mark.parametrize(
    ("language", "value", "currency", "expected"),
    [
        ("fr", Decimal("-3"), "EUR", f"-3,00{NBSP}€"),
        ("en", Decimal("-3"), "eur", "-€3.00"),
        ("de", Decimal("1234567.891"), "CHF", f"1.234.567,89{NBSP}CHF"),
        ("en", "12", "USD", f"USD{NBSP}12.00"),
        ("en", None, "EUR", ""),
        ("en", "n/a", "EUR", "n/a"),
    ],
)
def test_money_names_its_currency_and_keeps_two_decimals(language, value, currency, expected):
    with translation.override(language):
        assert format_money(value, currency) == expected


def test_a_missing_count_is_a_dash_and_text_stays_text():
    with translation.override("de"):
        assert (format_count(None), format_count("abc"), format_count(1000)) == ("—", "abc", "1.000")


@pytest.mark.parametrize(
    ("language", "typed", "expected"),
    [
        ("fr", "99,90", Decimal("99.90")),
        ("fr", "1.234,50", Decimal("1234.50")),
        ("fr", "1 234,50", Decimal("1234.50")),
        ("fr", "12 €", Decimal("12")),
        ("de", "99,90", Decimal("99.90")),
        ("de", "1.234", Decimal("1234")),
        ("de", "99.90", Decimal("99.90")),  # a point before two digits groups no thousands
        ("en", "99.90", Decimal("99.90")),
        ("en", "1,234.50", Decimal("1234.50")),
        ("en", "99,90", Decimal("99.90")),
    ],
)
def test_amounts_are_read_the_typists_way(language, typed, expected):
    with translation.override(language):
        assert parse_amount(typed) == expected


@pytest.mark.parametrize(
    ("language", "typed"),
    [("de", "1,234.50"), ("fr", "1.23.4"), ("en", "1.234,50"), ("en", "9,9,9"), ("de", "abc"), ("fr", "")],
)
def test_an_amount_read_two_ways_or_none_is_refused(language, typed):
    with translation.override(language), pytest.raises(ValueError):
        parse_amount(typed)


# --- the price override form, through the product page ---------------------------------
@pytest.fixture
def published(store):
    return ProductFactory(marketplace_product__store=store, marketplace_product__price=Decimal("12.00"))


def _form(price: str) -> dict[str, str]:
    return {"price": price, "sale_price": "", "display_order": "0", "min_quantity": "1", "is_active": "on"}


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "typed"), [("fr", "99,90"), ("de", "99,90"), ("en", "99.90")])
def test_the_price_override_takes_the_local_decimal_separator(client, owner, published, language, typed):
    client.force_login(owner)
    url = f"/store/alpha/products/{published.pk}"

    response = client.post(url, _form(typed), HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 302
    published.refresh_from_db()
    assert published.price == Decimal("99.90")
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'name="price" value="{typed}"' in page  # shown back the way it was typed


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "typed"), [("de", "1,234.50"), ("en", "9,9,9"), ("fr", "12,345")])
def test_an_unclear_price_is_a_form_error_not_a_guess(client, owner, published, language, typed):
    client.force_login(owner)

    response = client.post(f"/store/alpha/products/{published.pk}", _form(typed), HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    assert response.context["form"].errors["price"]
    assert 'name="price"' in response.content.decode()
    published.refresh_from_db()
    assert published.price is None
    assert not Product.objects.filter(price=Decimal("12345")).exists()
