"""A normalized record's stored values, content hash and COPY line (row_values)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from marketplace.importing.copy_format import fields_text
from marketplace.importing.row_values import (
    HASHED_FIELDS,
    RECORD_FIELDS,
    TEXT_FIELDS,
    content_hash,
    copy_line,
    joined_values,
    parse_fields,
    prepare,
    prepare_copy,
    prepare_joined,
)
from tests.marketplace.importing.conftest import record

NASTY_TEXTS = ["tab\there", "line\nbreak", "carriage\rreturn", "back\\slash", "\\N", "\\", "", "é €"]


def test_the_texts_come_last_so_one_line_serves_product_and_translation():
    assert RECORD_FIELDS[-len(TEXT_FIELDS) :] == TEXT_FIELDS
    assert set(HASHED_FIELDS).isdisjoint(TEXT_FIELDS)
    assert set(RECORD_FIELDS) == set(HASHED_FIELDS) | set(TEXT_FIELDS)


def test_the_copy_line_is_the_escaped_values_and_its_tail_the_texts():
    rec = record(
        "A",
        sale_price=Decimal("9.50"),
        adult=True,
        is_bundle=False,
        multipack=3,
        additional_image_links=["https://x/1.jpg"],
        extra_attributes={"b": "2", "a": "1"},
    )
    values, chash = prepare(rec)
    line, line_hash, start = prepare_copy(rec)

    assert line == fields_text(values) and line_hash == chash
    assert line[start:] == fields_text([rec[name] for name in TEXT_FIELDS])
    assert copy_line(values) == (line, start)
    assert "\\N" in line  # identifier_exists is None: COPY's NULL


def test_texts_that_need_escaping_take_the_careful_path():
    for text in NASTY_TEXTS:
        rec = record("A", title=text, description=text, brand=text, extra_attributes={"note": text})
        values, chash = prepare(rec)
        line, line_hash, start = prepare_copy(rec)
        assert line == fields_text(values), text
        assert line_hash == chash
        assert parse_fields(line[start:]) == [rec[name] for name in TEXT_FIELDS], text


def test_a_value_that_is_not_text_where_text_is_expected_still_renders():
    rec = record("A", brand=None, mpn=12)
    values, _chash = prepare(rec)
    line, _hash, start = prepare_copy(rec)
    assert line == fields_text(values)
    assert prepare(rec)[1] != prepare(record("A", brand="", mpn="12"))[1]


def test_joined_values_come_back_as_the_database_takes_them():
    rec = record(
        "A",
        sale_price=Decimal("9.50"),
        adult=True,
        is_bundle=False,
        multipack=3,
        title="tab\there",
        description="back\\slash \\N",
        extra_attributes={"b": "2", "a": "1"},
    )
    values, chash = prepare(rec)
    joined, joined_hash = prepare_joined(rec)

    assert joined_hash == chash
    back = joined_values(joined)
    expected = [str(v) if isinstance(v, Decimal | int) and not isinstance(v, bool) else v for v in values]
    assert back == expected
    assert [type(v) for v in back] == [type(v) for v in expected]  # None, True and False come back as such


def test_a_text_value_that_is_not_text_travels_joined_as_its_text():
    joined, chash = prepare_joined(record("A", brand=None, mpn=12))
    values = joined_values(joined)
    assert (values[RECORD_FIELDS.index("brand")], values[RECORD_FIELDS.index("mpn")]) == ("", "12")
    assert chash == prepare(record("A", brand="", mpn="12"))[1]


def test_the_content_hash_ignores_the_texts_and_nothing_else():
    base = content_hash(record("A"))
    assert content_hash(record("A", title="Other", description="Autre", link="https://x/other")) == base
    assert content_hash(record("A", price=Decimal("19.98"))) != base
    assert content_hash(record("A", sale_price=Decimal("0"))) != base
    assert content_hash(record("A", adult=False)) != content_hash(record("A", adult=None))
    assert content_hash(record("A", brand="")) != content_hash(record("A", brand="x"))
    assert content_hash(record("A", extra_attributes={"a": "1"})) != base
    # Unmapped columns in another order are the same data.
    assert content_hash(record("A", extra_attributes={"a": "1", "b": "2"})) == content_hash(
        record("A", extra_attributes={"b": "2", "a": "1"})
    )


@given(st.lists(st.one_of(st.none(), st.text(alphabet=st.characters(blacklist_categories=["Cs"]))), min_size=1))
def test_parse_fields_reads_back_what_fields_text_wrote(values):
    assert parse_fields(fields_text(values)) == values
