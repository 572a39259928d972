"""The values stored from the corpus feeds that reproduce the defects of real feeds (issue 18).

Their counters and error rows are checked with the rest of the corpus (test_corpus.py).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from marketplace.models import MarketplaceProduct
from tests.marketplace.importing.test_corpus import _import_file

pytestmark = pytest.mark.django_db


def _products(store) -> dict[str, MarketplaceProduct]:
    return {p.marketplace_product_id: p for p in MarketplaceProduct.objects.filter(store=store)}


def _counters(job) -> tuple[int, ...]:
    return (
        job.imported_count,
        job.updated_count,
        job.unchanged_count,
        job.error_count,
        job.warning_count,
        job.total_processed,
    )


def test_shipping_sub_attributes_are_read_in_the_headers_order(store, owner, tmp_path):
    job = _import_file(store, owner, "shipping_sub_attributes.tsv", tmp_path)
    products = _products(store)
    header = "shipping(country:service:price:min_handling_time:max_handling_time)"
    # Stored in Google's default order country:region:service:price, region left empty.
    assert products["SH-1"].shipping == "LU::Standard:4.95 EUR"
    # Two groups, the second price with a decimal comma.
    assert products["SH-2"].shipping == "LU::Standard:4.95 EUR,BE::Express:9,90 EUR"
    # The handling times have no place there: the value as written is kept beside it.
    assert products["SH-1"].extra_attributes == {header: "LU:Standard:4.95 EUR:1:3"}
    assert products["SH-2"].extra_attributes == {header: "LU:Standard:4.95 EUR:1:3,BE:Express:9,90 EUR:0:1"}
    # Two parts where the header names five: kept as read, with a warning.
    assert products["SH-3"].shipping == "LU:4.95 EUR"
    warning = job.errors.get(row_number=4)
    assert warning.error_message == (
        'Shipping "LU:4.95 EUR" does not have the 5 parts its column names '
        "(country:service:price:min_handling_time:max_handling_time); it was kept as it is."
    )
    assert (products["SH-4"].shipping, products["SH-4"].extra_attributes) == ("", {})


def test_a_postal_code_is_not_read_as_a_region(store, owner, tmp_path):
    _import_file(store, owner, "shipping_postal_code.csv", tmp_path)
    products = _products(store)
    assert products["SP-1"].shipping == "LU:::5.00 EUR"
    assert products["SP-1"].extra_attributes == {"shipping(country:postal_code:price)": "LU:L-1234:5.00 EUR"}
    assert products["SP-2"].shipping == "DE:::12.00 EUR"


def test_prices_without_a_currency_are_eur_with_one_warning_for_the_job(store, owner, tmp_path):
    job = _import_file(store, owner, "bare_prices.csv", tmp_path)
    products = _products(store)
    assert (products["BP-1"].price, products["BP-1"].currency) == (Decimal("250.00"), "EUR")
    assert (products["BP-2"].price, products["BP-2"].currency) == (Decimal("19.99"), "EUR")
    # A bare sale price takes the price's own currency: nothing assumed.
    assert (products["BP-3"].sale_price, products["BP-3"].sale_price_currency) == (Decimal("10.00"), "EUR")
    note = job.errors.get()
    assert (note.row_number, note.identifier, note.row_data) == (0, "", {"rows": 2})
    assert note.error_message == (
        '2 rows had a price without a currency; EUR was assumed. Write the currency after the amount ("250.00 EUR") '
        "or add a currency column."
    )


def test_html_is_decoded_and_removed(store, owner, tmp_path):
    job = _import_file(store, owner, "html_texts.csv", tmp_path)
    products = _products(store)
    jacket = products["HT-1"]
    assert jacket.title == "Veste GORE-TEX®"
    assert jacket.description == "Chaude et légère\nMembrane\nCapuche ✓"
    assert jacket.brand == "Schöffel"
    translation = jacket.translations.get()
    assert (translation.title, translation.description) == (jacket.title, jacket.description)
    # Links are kept as written: their "&" belongs to the address.
    assert translation.link == "https://shop.example.lu/p?id=1&amp;ref=feed"
    # An "&" that starts no character reference is text.
    assert (products["HT-2"].title, products["HT-2"].description) == ("Salt & Pepper", "R&D tested")
    assert products["HT-3"].description == "Ligne un\nLigne deux\nLigne trois\nBloc"
    assert products["HT-3"].brand == "Villeroy & Boch"
    note = job.errors.get(row_number=0)
    assert (note.error_type, note.row_data) == ("html_cleaned", {"rows": 2})
    assert note.error_message.startswith("2 rows had HTML in their texts")
    # A title that was only tags is empty: the row is skipped.
    assert "HT-4" not in products


def test_a_reimport_recognizes_the_rows_and_reads_none_of_them_again(store, owner, tmp_path):
    _import_file(store, owner, "html_texts.csv", tmp_path)
    again = _import_file(store, owner, "html_texts.csv", tmp_path)
    assert _counters(again) == (0, 0, 3, 1, 0, 4)
    # Unchanged rows are not read again, so the job-level note is the first import's.
    assert list(again.errors.values_list("row_number", "error_type")) == [(5, "missing_title")]
    assert _products(store)["HT-1"].title == "Veste GORE-TEX®"


def test_a_french_woocommerce_export(store, owner, tmp_path):
    _import_file(store, owner, "woocommerce_fr.csv", tmp_path)
    products = _products(store)
    shirt = products["101"]
    assert (shirt.title, shirt.price, shirt.currency, shirt.sale_price) == (
        "T-shirt lin",
        Decimal("29.90"),
        "EUR",
        None,
    )
    assert shirt.image_link == "https://shop.example.lu/a.jpg"
    assert shirt.additional_image_links == ["https://shop.example.lu/b.jpg", "https://shop.example.lu/c.jpg"]
    # Parent 0: no group, and "En stock ?" 1: in stock.
    assert (shirt.item_group_id, shirt.availability) == ("", "in_stock")
    assert shirt.extra_attributes == {
        "Type": "simple",
        "UGS": "TS-101",
        "Publié": "1",
        "Description courte": "Court",
        "Stock": "5",
    }
    sweater = products["102"]
    assert (sweater.price, sweater.sale_price, sweater.item_group_id) == (Decimal("49.00"), Decimal("39.00"), "")
    variation = products["103"]
    assert (variation.item_group_id, variation.availability) == ("PULL-1", "out_of_stock")
    assert (variation.image_link, variation.additional_image_links) == ("https://shop.example.lu/pm.jpg", [])


def test_a_shopify_export(store, owner, tmp_path):
    _import_file(store, owner, "shopify_export.csv", tmp_path)
    products = _products(store)
    small = products["VE-S"]
    assert (small.title, small.description, small.brand) == ("Veste", "Imperméable", "Northridge")
    assert (small.price, small.gtin, small.image_link) == (Decimal("120.00"), "4006381333931", "https://i/v.jpg")
    # The handle groups the variants.
    assert small.item_group_id == products["VE-M"].item_group_id == "veste"


def test_a_german_erp_export(store, owner, tmp_path):
    _import_file(store, owner, "erp_de.csv", tmp_path)
    products = _products(store)
    shoe = products["DE-10"]
    assert (shoe.title, shoe.description) == ("Wanderschuh", "Leder, wasserdicht")
    assert (shoe.price, shoe.sale_price) == (Decimal("129.00"), Decimal("99.00"))
    assert (shoe.image_link, shoe.additional_image_links) == ("https://i/s1.jpg", ["https://i/s2.jpg"])
    assert (shoe.item_group_id, shoe.availability) == ("", "in_stock")
    assert (products["DE-11"].item_group_id, products["DE-11"].availability) == ("DE-10", "out_of_stock")


def test_googles_value_rules_are_warnings_of_their_own(store, owner, tmp_path):
    job = _import_file(store, owner, "google_value_rules.csv", tmp_path)
    products = _products(store)
    values = {key: (p.gender, p.age_group) for key, p in products.items()}
    long_id = "LONG-" + "X" * 51
    assert values == {
        "GV-1": ("male", "adult"),  # homme, adults: mapped
        "GV-2": ("female", "adult"),  # Damen: mapped
        "GV-3": ("unisex", ""),  # all_ages: not Google's, left empty
        "GV-4": ("female", "kids"),  # Female: Google's value in another case, no warning
        long_id: ("", ""),
        "GV-6": ("", "kids"),  # garçon: no gender Google knows
    }
    messages = {(e.row_number, e.field): e.error_message for e in job.errors.all()}
    assert messages[(2, "gender")] == 'Gender "homme" is not one of Google\'s values; it was read as male.'
    assert messages[(2, "age_group")] == 'Age group "adults" is not one of Google\'s values; it was read as adult.'
    assert messages[(4, "age_group")] == (
        'Age group "all_ages" is not an age group Google knows; use newborn, infant, toddler, kids or adult. '
        "It was left empty."
    )
    assert messages[(5, "description")] == "The description is empty; Google requires one."
    assert messages[(6, "marketplace_product_id")] == "The id is 56 characters long; Google accepts at most 50."
    assert messages[(7, "gender")] == (
        'Gender "garçon" is not a gender Google knows; use male, female or unisex. It was left empty.'
    )
    # The long id is kept whole: cutting it could merge two products.
    assert long_id in products
