from __future__ import annotations

import contextlib
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from demo.feeds import DEMO_FEEDS, demo_feed_bytes, gtin13
from marketplace.importing.decoding import MalformedRecord, open_feed
from marketplace.importing.mapping import resolve_columns
from marketplace.importing.normalizers import (
    RowNormalizer,
    normalize_gtin,
    parse_availability,
    parse_bool,
    parse_condition,
    parse_price,
)
from marketplace.importing.normalizers.columns import plain_links, read_links
from marketplace.importing.normalizers.gtin import exact_gtin13
from marketplace.importing.normalizers.vocabularies import exact_availability, exact_bool, exact_condition
from marketplace.importing.schema import ATTRIBUTES, ATTRIBUTES_BY_NAME, AVAILABILITY_VALUES, TEXT_LIMIT, Kind

REAL_FEEDS = Path("/work/shared/feeds/real")
RECORD_KEYS = {a.name for a in ATTRIBUTES} | {"currency", "sale_price_currency", "extra_attributes"}
ISSUE_TYPES = {
    "missing_id",
    "missing_title",
    "parse_error",
    "validation_error",
    "gender_value",
    "age_group_value",
    "id_too_long",
    "missing_description",
}


def _normalizer(*header: str) -> RowNormalizer:
    return RowNormalizer(resolve_columns(list(header)))


def _issues(result) -> list[tuple[str, str, str]]:
    return [(i.error_type, i.severity, i.field) for i in result.issues]


def _read_feed(path: Path) -> tuple[RowNormalizer, dict[int, tuple[list[str], object]]]:
    with open_feed(path) as feed:
        normalizer = RowNormalizer(resolve_columns(feed.header))
        rows = {row: (cells, normalizer.normalize(cells)) for row, cells in feed.records()}
    return normalizer, rows


# -- prices ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "amount", "currency"),
    [
        ("29.99 EUR", "29.99", "EUR"),
        ("29,99 €", "29.99", "EUR"),
        ("EUR 29.99", "29.99", "EUR"),
        ("1.299,00 EUR", "1299.00", "EUR"),
        ("1,299.00 EUR", "1299.00", "EUR"),
        ("1 299,00 €", "1299.00", "EUR"),
        ("1\u00a0299,00\u00a0€", "1299.00", "EUR"),
        ("1\u202f299,00 €", "1299.00", "EUR"),
        ("1'299.00 CHF", "1299.00", "CHF"),
        ("29.99", "29.99", "EUR"),
        ("29", "29.00", "EUR"),
        ("29.9 eur", "29.90", "EUR"),
        ("$19.99", "19.99", "USD"),
        ("19.99 USD", "19.99", "USD"),
        ("US$ 19.99", "19.99", "USD"),
        ("£5", "5.00", "GBP"),
        ("CHF 12.50", "12.50", "CHF"),
        ("12.50 CHF", "12.50", "CHF"),
        ("Fr. 12.50", "12.50", "CHF"),
        ("€29,99", "29.99", "EUR"),
        ("29,- €", "29.00", "EUR"),
        ("0", "0.00", "EUR"),
        ("0,50", "0.50", "EUR"),
        ("12,5", "12.50", "EUR"),
        ("1.299", "1299.00", "EUR"),  # a single separator before three digits groups thousands
        ("1,299", "1299.00", "EUR"),
        ("1.299.000,50 EUR", "1299000.50", "EUR"),
        ("0.125", "0.13", "EUR"),  # more than two decimals: rounded half-up
        ("2.6750 EUR", "2.68", "EUR"),
        ("+5.00 EUR", "5.00", "EUR"),
        ("  7.54 EUR  ", "7.54", "EUR"),
        ("9999999999.99 EUR", "9999999999.99", "EUR"),
    ],
)
def test_parse_price(value, amount, currency):
    assert parse_price(value) == (Decimal(amount), currency)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("abc", "is not a number"),
        ("free", "is not a number"),
        ("gratuit", "is not a number"),
        ("-5.00 EUR", "is negative"),
        ("EUR -5", "is negative"),
        ("−5,00 €", "is negative"),
        ("10000000000 EUR", "too large"),
        ("9999999999.995", "too large"),
        ("1e5", "is not a number"),
        ("NaN", "is not a number"),
        ("29.99 EUR 10", "is not a number"),
        ("1.2.3", "is not a number"),
        ("12,34,5", "is not a number"),
        ("EUR 29.99 USD", "is not a number"),
        ("29.99 € TTC", "currency"),
    ],
)
def test_parse_price_rejects(value, reason):
    with pytest.raises(ValueError, match=reason) as info:
        parse_price(value)
    assert value.strip()[:20] in str(info.value)


@pytest.mark.parametrize("value", ["", "   ", "\u00a0"])
def test_a_blank_price_is_none(value):
    assert parse_price(value) is None


_AMOUNTS = st.decimals(min_value=0, max_value=Decimal("9999999999.99"), places=2, allow_nan=False, allow_infinity=False)


def _german(amount: Decimal) -> str:
    return f"{amount:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


@given(amount=_AMOUNTS, style=st.sampled_from(["google", "french", "german", "english", "symbol", "prefix"]))
def test_any_amount_written_any_common_way_reads_back(amount, style):
    text = {
        "google": f"{amount:.2f} EUR",
        "french": f"{amount:,.2f} €".replace(",", "\u00a0").replace(".", ","),
        "german": f"{_german(amount)} EUR",
        "english": f"{amount:,.2f} EUR",
        "symbol": f"€{amount:.2f}",
        "prefix": f"EUR {amount:.2f}",
    }[style]
    assert parse_price(text) == (amount, "EUR")


@given(st.text(max_size=40))
def test_parse_price_only_raises_value_error(text):
    try:
        parsed = parse_price(text)
    except ValueError as exc:
        assert str(exc).endswith(".")
        return
    if parsed is not None:
        amount, currency = parsed
        assert Decimal(0) <= amount < Decimal("10000000000")
        assert amount.as_tuple().exponent == -2
        assert len(currency) == 3 and currency.isupper()


# -- GTIN --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("4006381333931", "4006381333931"),
        (" 4006381333931 ", "4006381333931"),
        ("400-6381-333931", "4006381333931"),
        ("4 006381 333931", "4006381333931"),
        ("012345678905", "0012345678905"),  # UPC-A -> 13 digits
        ("613008730758", "0613008730758"),
        ("96385074", "96385074"),  # EAN-8
        ("04006381333931", "4006381333931"),  # GTIN-14 with a leading 0 is the EAN-13
        ("10012345678902", "10012345678902"),
        ("'4006381333931", "4006381333931"),
        ('="4006381333931"', "4006381333931"),
        ("", ""),
    ],
)
def test_normalize_gtin(value, expected):
    assert normalize_gtin(value) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("4006381333932", "check digit: the last digit should be 1"),
        ("4.00638E+12", "scientific notation"),
        ("4,00638E+12", "scientific notation"),
        ("4.00638e+12", "scientific notation"),
        ("12345", "has 5 digits"),
        ("400638133393100", "has 15 digits"),
        ("ABC4006381333931", "characters other than digits"),
        ("4006381333931.0", "characters other than digits"),
        ("0000000000000", "not a real GTIN"),
    ],
)
def test_normalize_gtin_rejects(value, reason):
    with pytest.raises(ValueError, match=reason):
        normalize_gtin(value)


def _with_check_digit(body: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


@given(
    body=st.text(alphabet="0123456789", min_size=12, max_size=12).filter(lambda b: b.strip("0")),
    wrong=st.integers(1, 9),
)
def test_a_gtin_passes_with_its_check_digit_and_fails_with_any_other(body, wrong):
    gtin = _with_check_digit(body)
    assert normalize_gtin(gtin) == gtin
    upc = _with_check_digit(body[1:])
    assert normalize_gtin(upc) == "0" + upc  # a UPC-12 is the EAN-13 with a leading 0
    bad = gtin[:-1] + str((int(gtin[-1]) + wrong) % 10)
    with pytest.raises(ValueError, match="check digit"):
        normalize_gtin(bad)


@given(st.text(max_size=20))
def test_normalize_gtin_returns_digits_or_raises_value_error(text):
    try:
        gtin = normalize_gtin(text)
    except ValueError:
        return
    assert gtin == "" or (gtin.isdigit() and gtin.isascii() and len(gtin) in (8, 13, 14))


def test_the_demo_gtins_are_valid():
    assert normalize_gtin(gtin13(1)) == gtin13(1)


# -- availability, condition, booleans ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("in_stock", "in_stock"),
        ("in stock", "in_stock"),
        ("In Stock", "in_stock"),
        ("IN_STOCK", "in_stock"),
        ("instock", "in_stock"),
        ("https://schema.org/InStock", "in_stock"),
        ("http://schema.org/InStock", "in_stock"),
        ("schema:InStock", "in_stock"),
        ("InStock", "in_stock"),
        ("available", "in_stock"),
        ("out_of_stock", "out_of_stock"),
        ("out of stock", "out_of_stock"),
        ("https://schema.org/OutOfStock", "out_of_stock"),
        ("sold out", "out_of_stock"),
        ("preorder", "preorder"),
        ("pre-order", "preorder"),
        ("https://schema.org/PreOrder", "preorder"),
        ("backorder", "backorder"),
        ("https://schema.org/BackOrder", "backorder"),
        ("en stock", "in_stock"),
        ("disponible", "in_stock"),
        ("en rupture de stock", "out_of_stock"),
        ("rupture", "out_of_stock"),
        ("indisponible", "out_of_stock"),
        ("épuisé", "out_of_stock"),
        ("précommande", "preorder"),
        ("pré-commande", "preorder"),
        ("precommande", "preorder"),
        ("sur commande", "backorder"),
        ("auf Lager", "in_stock"),
        ("Auf lager", "in_stock"),
        ("lieferbar", "in_stock"),
        ("verfügbar", "in_stock"),
        ("verfuegbar", "in_stock"),
        ("nicht auf Lager", "out_of_stock"),
        ("ausverkauft", "out_of_stock"),
        ("nicht verfügbar", "out_of_stock"),
        ("vorbestellen", "preorder"),
        ("vorbestellbar", "preorder"),
        ("nachbestellt", "backorder"),
        ("Lieferrückstand", "backorder"),
        ("  in stock  ", "in_stock"),
        ("", ""),
    ],
)
def test_parse_availability(value, expected):
    assert parse_availability(value) == expected


@pytest.mark.parametrize("value", ["maybe", "5", "in stock soon", "https://schema.org/Nonsense"])
def test_parse_availability_rejects(value):
    with pytest.raises(ValueError, match="not a known availability"):
        parse_availability(value)


@given(
    value=st.sampled_from(AVAILABILITY_VALUES),
    spaced=st.booleans(),
    case=st.sampled_from(["lower", "upper", "title"]),
    padding=st.sampled_from(["", " ", "\t", "  "]),
)
def test_google_availability_values_in_any_spelling(value, spaced, case, padding):
    text = value.replace("_", " ") if spaced else value
    text = getattr(text, case)()
    assert parse_availability(padding + text + padding) == value


@given(st.text(max_size=30))
def test_parse_availability_returns_a_known_value_or_raises_value_error(text):
    with contextlib.suppress(ValueError):
        assert parse_availability(text) in (*AVAILABILITY_VALUES, "")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("new", "new"),
        ("New", "new"),
        ("neuf", "new"),
        ("neu", "new"),
        ("https://schema.org/NewCondition", "new"),
        ("refurbished", "refurbished"),
        ("reconditionné", "refurbished"),
        ("generalüberholt", "refurbished"),
        ("https://schema.org/RefurbishedCondition", "refurbished"),
        ("used", "used"),
        ("occasion", "used"),
        ("d'occasion", "used"),
        ("gebraucht", "used"),
        ("UsedCondition", "used"),
        ("", ""),
    ],
)
def test_parse_condition(value, expected):
    assert parse_condition(value) == expected


def test_parse_condition_rejects():
    with pytest.raises(ValueError, match="not a known condition"):
        parse_condition("like new-ish")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        *[(word, True) for word in ("yes", "YES", "true", "True", "1", "oui", "Oui", "ja", "JA", " yes ")],
        *[(word, False) for word in ("no", "NO", "false", "FALSE", "0", "non", "Non", "nein", "Nein")],
    ],
)
def test_parse_bool(value, expected):
    assert parse_bool(value) is expected


@pytest.mark.parametrize("value", ["", "maybe", "2", "yes please"])
def test_parse_bool_rejects(value):
    with pytest.raises(ValueError):
        parse_bool(value)


@given(
    word=st.sampled_from(["yes", "no", "true", "false", "oui", "non", "ja", "nein", "1", "0"]),
    flips=st.lists(st.booleans(), min_size=5, max_size=5),
)
def test_booleans_in_any_case(word, flips):
    mixed = "".join(ch.upper() if flip else ch for ch, flip in zip(word, flips, strict=False))
    assert parse_bool(mixed) is (word in ("yes", "true", "oui", "ja", "1"))


@given(st.text(max_size=10))
def test_parse_bool_returns_a_bool_or_raises_value_error(text):
    with contextlib.suppress(ValueError):
        assert parse_bool(text) in (True, False)


# -- rows ------------------------------------------------------------------------------------------------


def test_a_complete_row():
    normalizer = _normalizer(
        "id",
        "title",
        "price",
        "sale_price",
        "gtin",
        "availability",
        "condition",
        "identifier_exists",
        "multipack",
        "additional_image_link",
        "Lagerort",
        "Notiz",
    )
    result = normalizer.normalize(
        [
            " A-1 ",
            " Shirt ",
            "29,99 €",
            "19.99",
            "012345678905",
            "in stock",
            "neuf",
            "yes",
            "2",
            "https://x.lu/1.jpg, https://x.lu/2.jpg",
            "B4",
            "",
        ]
    )
    assert result.issues == []
    assert result.identifier == "A-1"
    record = result.record
    assert set(record) == RECORD_KEYS
    assert record["marketplace_product_id"] == "A-1"
    assert record["title"] == "Shirt"
    assert (record["price"], record["currency"]) == (Decimal("29.99"), "EUR")
    assert (record["sale_price"], record["sale_price_currency"]) == (Decimal("19.99"), "EUR")
    assert record["gtin"] == "0012345678905"
    assert (record["availability"], record["condition"]) == ("in_stock", "new")
    assert (record["identifier_exists"], record["multipack"]) == (True, 2)
    assert record["additional_image_links"] == ["https://x.lu/1.jpg", "https://x.lu/2.jpg"]
    assert record["extra_attributes"] == {"Lagerort": "B4"}
    # Columns the file does not have get empty values of the right type.
    assert (record["description"], record["adult"], record["mobile_link"]) == ("", None, "")


def test_records_are_independent():
    normalizer = _normalizer("id", "title", "note")
    first = normalizer.normalize(["1", "A", "x"]).record
    second = normalizer.normalize(["2", "B", ""]).record
    first["additional_image_links"].append("mutated")
    assert second["additional_image_links"] == []
    assert second["extra_attributes"] == {}


def test_a_row_without_id_is_skipped():
    result = _normalizer("id", "title").normalize(["  ", "Shirt"])
    assert (result.identifier, result.record) == ("", None)
    assert _issues(result) == [("missing_id", "error", "marketplace_product_id")]


@pytest.mark.parametrize("title", ["", "   ", "\t\u00a0", "\x00\x07"])
def test_a_row_without_title_is_skipped(title):
    result = _normalizer("id", "title").normalize(["A-1", title])
    assert (result.identifier, result.record) == ("A-1", None)
    assert _issues(result) == [("missing_title", "error", "title")]


def test_an_unreadable_price_skips_the_row_with_a_clear_message():
    result = _normalizer("id", "title", "price").normalize(["A-1", "Shirt", "abc"])
    assert result.record is None
    assert [i.message for i in result.issues] == ['Price "abc" is not a number.']


def test_an_unreadable_sale_price_skips_the_row_too():
    result = _normalizer("id", "title", "price", "sale_price").normalize(["A-1", "Shirt", "9.99", "-1 EUR"])
    assert result.record is None
    assert _issues(result) == [("parse_error", "error", "sale_price")]
    assert result.issues[0].message == 'Sale price "-1 EUR" is negative.'


def test_a_rounded_price_is_a_warning():
    result = _normalizer("id", "title", "price").normalize(["A-1", "Shirt", "0.125"])
    assert result.record["price"] == Decimal("0.13")
    assert _issues(result) == [("validation_error", "warning", "price")]


def test_currencies():
    normalizer = _normalizer("id", "title", "price", "sale_price")
    record = normalizer.normalize(["1", "A", "19.99 USD", "9.99"]).record
    assert (record["currency"], record["sale_price_currency"]) == ("USD", "USD")
    record = normalizer.normalize(["1", "A", "19.99", ""]).record
    assert (record["currency"], record["sale_price"], record["sale_price_currency"]) == ("EUR", None, "")
    record = normalizer.normalize(["1", "A", "", ""]).record
    assert (record["price"], record["currency"]) == (None, "EUR")


def test_a_currency_column_applies_to_bare_prices():
    normalizer = _normalizer("id", "title", "price", "currency")
    assert normalizer.normalize(["1", "A", "19.99", "chf"]).record["currency"] == "CHF"
    assert normalizer.normalize(["1", "A", "19.99 USD", "CHF"]).record["currency"] == "USD"
    result = normalizer.normalize(["1", "A", "19.99", "Goldstücke"])
    assert (result.record["currency"], _issues(result)) == ("EUR", [("parse_error", "warning", "currency")])


def test_a_sale_price_above_the_price_is_a_warning():
    result = _normalizer("id", "title", "price", "sale_price").normalize(["1", "A", "10 EUR", "12 EUR"])
    assert result.record is not None
    assert _issues(result) == [("validation_error", "warning", "sale_price")]


@pytest.mark.parametrize("gtin", ["4006381333932", "4.00638E+12", "12345", "ABC"])
def test_a_bad_gtin_is_a_warning_and_left_empty(gtin):
    result = _normalizer("id", "title", "gtin").normalize(["A-1", "Shirt", gtin])
    assert result.record["gtin"] == ""
    assert _issues(result) == [("validation_error", "warning", "gtin")]
    assert gtin in result.issues[0].message


@pytest.mark.parametrize(
    ("column", "value", "empty"),
    [
        ("availability", "maybe", ""),
        ("condition", "so-so", ""),
        ("adult", "perhaps", None),
        ("multipack", "three", None),
        ("multipack", "99999999999", None),
    ],
)
def test_unknown_values_are_warnings(column, value, empty):
    result = _normalizer("id", "title", column).normalize(["A-1", "Shirt", value])
    assert result.record[column] == empty
    assert _issues(result) == [("parse_error", "warning", column)]
    assert value in result.issues[0].message


def test_a_too_long_text_is_cut_with_a_warning():
    result = _normalizer("id", "title", "brand", "description").normalize(
        ["A-1", "T" * 600, "B" * 300, "D" * (TEXT_LIMIT + 5)]
    )
    assert (len(result.record["title"]), len(result.record["brand"])) == (500, 255)
    assert len(result.record["description"]) == TEXT_LIMIT
    assert _issues(result) == [("validation_error", "warning", name) for name in ("title", "description", "brand")]
    assert result.issues[0].message == "Title is 600 characters long; only the first 500 were kept."


def test_a_too_long_id_is_an_error_not_a_cut():
    result = _normalizer("id", "title").normalize(["X" * 300, "Shirt"])
    assert result.record is None
    assert len(result.identifier) == 255
    assert _issues(result) == [("validation_error", "error", "marketplace_product_id")]


def test_an_id_with_a_line_break_is_an_error():
    result = _normalizer("id", "title").normalize(["A-1\nA-2,Cap", "Shirt"])
    assert result.record is None
    assert "line break" in result.issues[0].message


def test_control_characters_are_removed_and_line_endings_unified():
    result = _normalizer("id", "title", "description", "note").normalize(
        ["A\x00-1", "Sh\x00irt\x07", "one\r\ntwo\rthree\n\tfour\x1b", " x\x00 "]
    )
    record = result.record
    assert (record["marketplace_product_id"], record["title"]) == ("A-1", "Shirt")
    assert record["description"] == "one\ntwo\nthree\n\tfour"
    assert record["extra_attributes"] == {"note": "x"}
    assert result.issues == []


def test_short_rows_are_padded_and_long_rows_warned_about():
    normalizer = _normalizer("id", "title", "price", "brand")
    assert normalizer.normalize(["A-1", "Shirt"]).issues == []
    assert normalizer.normalize(["A-1", "Shirt", "", "", "", ""]).issues == []
    result = normalizer.normalize(["A-1", "Shirt", "1", "B", "surplus"])
    assert result.record is not None
    assert _issues(result) == [("validation_error", "warning", "")]


def test_additional_image_links():
    normalizer = _normalizer("id", "title", "additional_image_link")
    links = normalizer.normalize(
        ["1", "A", "https://res.cloudinary.com/x/w_100,h_100/a.jpg,https://x.lu/b.jpg , ,"]
    ).record
    assert links["additional_image_links"] == ["https://res.cloudinary.com/x/w_100,h_100/a.jpg", "https://x.lu/b.jpg"]
    many = ",".join(f"https://x.lu/{n}.jpg" for n in range(25))
    result = normalizer.normalize(["1", "A", many])
    assert len(result.record["additional_image_links"]) == 20
    assert _issues(result) == [("validation_error", "warning", "additional_image_links")]


def test_a_malformed_record_is_a_parse_error():
    result = _normalizer("id", "title").normalize(MalformedRecord("This row could not be read as CSV."))
    assert (result.identifier, result.record) == ("", None)
    assert _issues(result) == [("parse_error", "error", "")]


def test_the_snapshot_holds_the_key_fields_and_the_offending_one():
    normalizer = _normalizer("id", "title", "price", "gtin", "availability", "brand", "description")
    cells = ["A-1", "Shirt", "abc", "123", "in stock", "B" * 500, "D" * 50_000]
    assert normalizer.snapshot(cells, "brand") == {
        "id": "A-1",
        "title": "Shirt",
        "price": "abc",
        "gtin": "123",
        "availability": "in stock",
        "brand": "B" * 200,
    }
    huge = normalizer.snapshot(["\x00" + "é" * 100_000] * 7, "description")
    assert len(json.dumps(huge).encode()) < 8_000
    assert "\x00" not in huge["id"]
    assert normalizer.snapshot(["A-1"], "price") == {
        "id": "A-1",
        "title": "",
        "price": "",
        "gtin": "",
        "availability": "",
    }


# -- the demo and real feeds ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_results(tmp_path_factory) -> dict[str, dict[int, tuple[list[str], object]]]:
    results = {}
    for name, feed in DEMO_FEEDS.items():
        path = tmp_path_factory.mktemp("demo") / name
        path.write_bytes(demo_feed_bytes(name))
        results[feed.language] = _read_feed(path)[1]
    return results


@pytest.mark.parametrize("language", ["fr", "en", "de"])
def test_the_demo_feeds_break_where_they_were_broken_on_purpose(demo_results, language):
    rows = demo_results[language]
    assert len(rows) == 301
    problems = {row: _issues(result) for row, (_cells, result) in rows.items() if result.issues}
    assert problems == {
        11: [("missing_title", "error", "title")],
        21: [("parse_error", "error", "price")],
        31: [("validation_error", "warning", "gtin")],
        41: [("validation_error", "warning", "gtin")],
    }
    assert rows[21][1].issues[0].message == (
        'Price "gratuit" is not a number.' if language == "fr" else 'Price "free" is not a number.'
    )


def test_the_demo_feeds_agree_on_language_independent_values(demo_results):
    fields = (
        "price",
        "currency",
        "gtin",
        "availability",
        "condition",
        "brand",
        "mpn",
        "google_product_category",
        "size",
    )
    for row in range(2, 303):
        values = {lang: demo_results[lang][row][1].record for lang in ("fr", "en", "de")}
        if values["en"] is None:
            assert values["fr"] is None and values["de"] is None
            continue
        assert {lang: tuple(r[f] for f in fields) for lang, r in values.items()} == {
            lang: tuple(values["en"][f] for f in fields) for lang in values
        }


def test_a_demo_row_in_detail(demo_results):
    _cells, result = demo_results["fr"][2]
    record = result.record
    assert record["marketplace_product_id"] == "LS-00001"
    assert record["title"] == "Sac à dos rouge #1"
    assert (record["price"], record["currency"]) == (Decimal("247.98"), "EUR")
    assert (record["availability"], record["condition"]) == ("out_of_stock", "new")
    assert record["gtin"] == gtin13(1)
    assert record["product_type"] == "Maison > Décoration"


def test_the_real_feeds_normalize_cleanly():
    for path in sorted(REAL_FEEDS.glob("*.?sv")):
        _normalizer_, rows = _read_feed(path)
        assert rows, path.name
        for row, (_cells, result) in rows.items():
            assert result.issues == [], (path.name, row, result.issues)
            assert set(result.record) == RECORD_KEYS


def test_real_feed_values():
    rows = _read_feed(REAL_FEEDS / "mesbonbons_feed_EXCERPT.tsv")[1]
    by_id = {result.identifier: result.record for _cells, result in rows.values()}
    assert by_id["517"]["gtin"] == "0613008730758"  # 12-digit UPC
    assert (by_id["326"]["availability"], by_id["326"]["price"], by_id["326"]["identifier_exists"]) == (
        "out_of_stock",
        Decimal("6.99"),
        True,
    )

    record = _read_feed(REAL_FEEDS / "homestead_feed_EXCERPT.tsv")[1][2][1].record
    assert (record["price"], record["currency"], record["identifier_exists"]) == (Decimal("3750.00"), "USD", False)
    assert record["google_product_category"].endswith("Sheds, Garages & Carports")

    record = _read_feed(REAL_FEEDS / "jabadia_gmc-learning-site_feed.tsv")[1][2][1].record
    assert (record["availability"], record["price"], record["item_group_id"]) == (
        "in_stock",
        Decimal("349.00"),
        "glacier-pro-mens",
    )
    assert record["title"] == "Glacier Pro Men's Ski Jacket — Black, Size M"

    record = _read_feed(REAL_FEEDS / "boschino_sk_openai_feed_EXCERPT.csv")[1][2][1].record
    assert record["marketplace_product_id"] == "shopify_SK_15464863891787_56264244887883"
    assert (record["price"], record["sale_price"], record["sale_price_currency"]) == (Decimal("7.54"), None, "")
    assert record["link"].startswith("https://boschino.sk/products/")
    assert record["extra_attributes"] == {"seller_name": "Boschino.sk", "is_ads_eligible": "true"}

    record = _read_feed(REAL_FEEDS / "laz627_sample-apparel.tsv")[1][2][1].record
    assert (record["gtin"], record["price"], record["currency"]) == ("0012345678905", Decimal("19.99"), "USD")

    record = _read_feed(REAL_FEEDS / "laz627_sample-valid_openai.csv")[1][2][1].record
    assert record["product_type"] == "Luggage & Bags > Fanny Packs"
    assert record["extra_attributes"]["weight"] == "0.7 lb"


# -- nothing raises ---------------------------------------------------------------------------------------------

_ALL_COLUMNS = [
    "id",
    "title",
    *[a.name for a in ATTRIBUTES if a.name not in ("marketplace_product_id", "title")],
    "currency",
    "note",
]
_CELL = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            " ",
            "29,99 €",
            "-1",
            "4.00638E+12",
            "in stock",
            "yes",
            "https://x.lu/a.jpg,https://x",
            "\x00",
            "\r\n",
            "1e400",
            "NaN",
            "9" * 40,
            "ü" * 600,
        ]
    ),
)


@settings(max_examples=300, deadline=None)
@given(cells=st.lists(_CELL, max_size=len(_ALL_COLUMNS) + 5))
def test_no_row_of_text_makes_normalize_raise(cells):
    normalizer = _NORMALIZER
    result = normalizer.normalize(cells)
    _check_result(result)
    snapshot = normalizer.snapshot(cells, "price")
    assert all(len(value) <= 200 for value in snapshot.values())


_NORMALIZER = RowNormalizer(resolve_columns(_ALL_COLUMNS))


def _check_result(result) -> None:
    assert all(issue.error_type in ISSUE_TYPES and issue.severity in ("error", "warning") for issue in result.issues)
    has_error = any(issue.severity == "error" for issue in result.issues)
    assert (result.record is None) == has_error
    assert len(result.identifier) <= 255
    if result.record is None:
        return
    record = result.record
    assert set(record) == RECORD_KEYS
    assert record["title"] and record["marketplace_product_id"]
    for attribute in ATTRIBUTES:
        value = record[attribute.name]
        if attribute.kind in (
            Kind.TEXT,
            Kind.URL,
            Kind.GTIN,
            Kind.AVAILABILITY,
            Kind.CONDITION,
            Kind.GENDER,
            Kind.AGE_GROUP,
        ):
            assert isinstance(value, str)
            assert len(value) <= (attribute.max_length or TEXT_LIMIT)
            assert not any(ord(ch) < 32 and ch not in "\t\n" for ch in value)
    assert record["availability"] in (*AVAILABILITY_VALUES, "")
    assert record["condition"] in ("new", "refurbished", "used", "")
    assert isinstance(record["additional_image_links"], list)
    assert all(isinstance(v, str) and "\x00" not in v for v in record["extra_attributes"].values())
    for name in ("price", "sale_price"):
        assert record[name] is None or record[name] >= 0
    assert ATTRIBUTES_BY_NAME["gtin"].max_length >= len(record["gtin"])


# -- the hot path's shortcuts answer as the functions they stand in for ---------------------------------


@given(body=st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_the_gtin_shortcut_takes_a_valid_gtin13_as_normalize_gtin_reads_it(body):
    for last in "0123456789":
        value = body + last
        if exact_gtin13(value) is not None:
            assert exact_gtin13(value) == normalize_gtin(value) == value


@pytest.mark.parametrize(
    "value",
    ["4006381333932", "0000000000000", " 4006381333931", "400638133393", "\uff14006381333931", "40063813339310"],
)
def test_the_gtin_shortcut_leaves_anything_else_to_normalize_gtin(value):
    assert exact_gtin13(value) is None


def test_the_gtin_shortcut_takes_a_plain_ean13():
    assert exact_gtin13("4006381333931") == "4006381333931"


@pytest.mark.parametrize(
    ("shortcut", "parse"),
    [(exact_availability, parse_availability), (exact_condition, parse_condition), (exact_bool, parse_bool)],
)
def test_every_spelling_a_vocabulary_shortcut_knows_parses_the_same(shortcut, parse):
    table = shortcut.__self__  # the dict whose get() the shortcut is
    assert table
    for word in table:
        assert parse(word) == shortcut(word), word


@given(
    st.lists(
        st.sampled_from(
            [
                "https://cdn.example.lu/a.jpg",
                "http://x.lu/b,c.png",
                "https://x.lu/w_100,h_100",
                " https://x.lu/d.jpg",
                "//x.lu/e.jpg",
                "",
                "https://x.lu/" + "x" * 2000,
            ]
        ),
        max_size=25,
    )
)
def test_the_links_shortcut_takes_a_plain_list_as_the_reader_reads_it(links):
    value = ",".join(links)
    urls = plain_links(value)
    if urls is not None:
        record: dict[str, object] = {}
        issues: list[object] = []
        read_links("additional_image_links", value, record, issues, {})
        assert record["additional_image_links"] == urls and issues == []
