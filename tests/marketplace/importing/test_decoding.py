from __future__ import annotations

import csv
import io
import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.importing.decoding import (
    FIELD_SIZE_LIMIT,
    ROW_SIZE_LIMIT,
    SAMPLE_BYTES,
    FeedDecodeError,
    MalformedRecord,
    _split_quoted_line,
    open_feed,
    row_hash,
)


def _write(tmp_path: Path, data: bytes, name: str = "feed.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _read(path: Path) -> tuple[str, str, list[str], list[tuple[int, list[str]]]]:
    with open_feed(path) as feed:
        return feed.encoding, feed.delimiter, feed.header, list(feed.records())


def test_the_pure_modules_do_not_import_django():
    code = (
        "import sys; import marketplace.importing.compression, marketplace.importing.decoding, "
        "marketplace.importing.errors, marketplace.importing.mapping, marketplace.importing.normalizers; "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parents[3]).returncode == 0


# -- encodings ---------------------------------------------------------------------------------------


def test_it_reads_utf8_with_commas(tmp_path):
    path = _write(tmp_path, "id,title,price\n1,Théière,29.99 EUR\n2,Wollschal,12 EUR\n".encode())
    assert _read(path) == (
        "utf-8",
        ",",
        ["id", "title", "price"],
        [(2, ["1", "Théière", "29.99 EUR"]), (3, ["2", "Wollschal", "12 EUR"])],
    )


def test_it_strips_a_utf8_bom(tmp_path):
    path = _write(tmp_path, b"\xef\xbb\xbfid;title\r\n1;\xc3\x89charpe\r\n")
    assert _read(path) == ("utf-8-sig", ";", ["id", "title"], [(2, ["1", "Écharpe"])])


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_it_reads_utf16_with_a_bom(tmp_path, codec):
    bom = b"\xff\xfe" if codec == "utf-16-le" else b"\xfe\xff"
    path = _write(tmp_path, bom + "id\ttitle\n1\tGröße € ✓\n".encode(codec))
    assert _read(path) == ("utf-16", "\t", ["id", "title"], [(2, ["1", "Größe € ✓"])])


def test_it_reads_utf16_without_a_bom(tmp_path):
    path = _write(tmp_path, "id\ttitle\n1\tGröße\n".encode("utf-16-le"))
    assert _read(path) == ("utf-16-le", "\t", ["id", "title"], [(2, ["1", "Größe"])])


def test_it_reads_cp1252_with_euro_signs_and_semicolons(tmp_path):
    text = "id;titre;prix\r\n1;Théière à café;29,99 €\r\n2;Œuvre « spéciale »;1 299,00 €\r\n"
    path = _write(tmp_path, text.encode("cp1252"))
    encoding, delimiter, header, records = _read(path)
    assert (encoding, delimiter, header) == ("cp1252", ";", ["id", "titre", "prix"])
    assert records == [(2, ["1", "Théière à café", "29,99 €"]), (3, ["2", "Œuvre « spéciale »", "1 299,00 €"])]


def test_it_falls_back_to_latin1_when_bytes_undefined_in_cp1252_appear(tmp_path):
    # 0x81 and 0x9d have no cp1252 character: decoding as cp1252 would fail.
    path = _write(tmp_path, b"id;title\n1;caf\xe9 \x81\n2;x\x9dy\n")
    encoding, _delimiter, _header, records = _read(path)
    assert encoding == "latin-1"
    assert records == [(2, ["1", "café \x81"]), (3, ["2", "x\x9dy"])]


def test_it_reads_iso_8859_1_text(tmp_path):
    path = _write(
        tmp_path,
        ("id;titre\n" + "".join(f"{n};Crème brûlée façon grand-mère n°{n}\n" for n in range(50))).encode("latin-1"),
    )
    encoding, _delimiter, _header, records = _read(path)
    assert encoding in ("iso-8859-1", "cp1252")  # identical for these bytes; chardet names it
    assert records[0] == (2, ["0", "Crème brûlée façon grand-mère n°0"])


def test_it_checks_utf8_over_the_whole_file_not_only_the_sample(tmp_path):
    body = "".join(f"{n},Produit {n}\n" for n in range(SAMPLE_BYTES // 10))
    data = ("id,title\n" + body).encode() + "999,Théière\n".encode("cp1252")
    path = _write(tmp_path, data)
    encoding, _delimiter, _header, records = _read(path)
    assert encoding == "cp1252"
    assert records[-1][1] == ["999", "Théière"]


# -- delimiters and line endings -----------------------------------------------------------------------


def test_it_reads_pipes(tmp_path):
    path = _write(tmp_path, b"id|title|price\n1|Shirt, red|9.99\n")
    assert _read(path)[1:] == ("|", ["id", "title", "price"], [(2, ["1", "Shirt, red", "9.99"])])


def test_it_reads_tabs(tmp_path):
    path = _write(tmp_path, b"id\ttitle\tdescription\n1\tShirt\tRed; cotton, soft\n")
    assert _read(path)[1:] == ("\t", ["id", "title", "description"], [(2, ["1", "Shirt", "Red; cotton, soft"])])


def test_it_prefers_the_delimiter_that_the_header_uses_most(tmp_path):
    path = _write(tmp_path, b"id;title;description;price\n1;Shirt;Red, cotton, soft, new;9,99\n")
    assert _read(path)[1] == ";"


def test_it_ignores_delimiters_inside_quoted_header_cells(tmp_path):
    path = _write(tmp_path, b'"id";"title, long";"price, EUR"\n1;Shirt;9,99\n')
    assert _read(path)[1:3] == (";", ["id", "title, long", "price, EUR"])


def test_it_breaks_a_tie_with_the_rows_that_follow(tmp_path):
    # One comma and one semicolon in the header; only the comma splits the rows like the header.
    path = _write(tmp_path, b"id,title;note\n1,Shirt\n2,Cap\n3,Hat\n")
    assert _read(path)[1:3] == (",", ["id", "title;note"])


def test_it_honours_an_excel_sep_line(tmp_path):
    path = _write(tmp_path, b"sep=;\r\nid;title,long\r\n1;Shirt\r\n")
    assert _read(path)[1:] == (";", ["id", "title,long"], [(2, ["1", "Shirt"])])


def test_it_reads_cr_only_line_endings(tmp_path):
    path = _write(tmp_path, b'id,title,description\r1,Shirt,"two\rlines"\r2,Cap,plain\r')
    assert _read(path)[2:] == (
        ["id", "title", "description"],
        [(2, ["1", "Shirt", "two\rlines"]), (3, ["2", "Cap", "plain"])],
    )


def test_a_quoted_value_spanning_lines_is_one_row(tmp_path):
    data = b'id,title,description\r\n1,Shirt,"line one\r\nline two, with comma\r\nline ""three"""\r\n2,Cap,plain\r\n'
    path = _write(tmp_path, data)
    assert _read(path)[3] == [
        (2, ["1", "Shirt", 'line one\r\nline two, with comma\r\nline "three"']),
        (3, ["2", "Cap", "plain"]),
    ]


def test_blank_lines_count_as_rows_but_are_skipped(tmp_path):
    path = _write(tmp_path, b"id;title\n\n1;Shirt\n;\n   \n2;Cap\n")
    # Row 5 ("   ") is not blank: a spreadsheet shows a cell with spaces, and the normalizer reports it.
    assert _read(path)[3] == [(3, ["1", "Shirt"]), (5, ["   "]), (6, ["2", "Cap"])]


def test_blank_lines_before_the_header_are_counted(tmp_path):
    with open_feed(_write(tmp_path, b"\n\nid,title\n1,Shirt\n")) as feed:
        assert (feed.header, feed.header_row, list(feed.records())) == (["id", "title"], 3, [(4, ["1", "Shirt"])])


def test_it_removes_nul_bytes(tmp_path):
    path = _write(tmp_path, b"id,ti\x00tle\n1,Sh\x00irt\n\x002,Cap\n")
    with open_feed(path) as feed:
        assert feed.nul_bytes_removed
        assert (feed.header, list(feed.records())) == (["id", "title"], [(2, ["1", "Shirt"]), (3, ["2", "Cap"])])


def test_a_runaway_quote_costs_one_row_not_the_file(tmp_path):
    swallowed = b"x,y\n" * (FIELD_SIZE_LIMIT // 4 + 10)
    path = _write(tmp_path, b'id,title\n1,"never closed\n' + swallowed + b"2,Cap\n")
    with open_feed(path) as feed:
        records = list(feed.records())
    malformed = [(row, cells) for row, cells in records if isinstance(cells, MalformedRecord)]
    assert len(malformed) == 1
    assert malformed[0][0] == 2
    assert malformed[0][1].error_type == "row_too_long"
    assert "quote" in malformed[0][1].message
    assert records[-1][1] == ["2", "Cap"]


@pytest.mark.parametrize(
    "long_line",
    [
        b"3," + b"x" * (3 * ROW_SIZE_LIMIT),  # no quotes: the str.split path
        b'3,"' + b"x" * (3 * ROW_SIZE_LIMIT) + b'"',  # a quoted value closed on the same line
        b'3,"' + b"x" * (3 * ROW_SIZE_LIMIT),  # a quote never closed, and no line end before the next row
    ],
)
@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b"\r"])
def test_a_line_past_the_bound_is_one_row_too_long_and_reading_goes_on(tmp_path, long_line, ending):
    data = ending.join([b"id,title", b"1,Shirt", long_line, b"4,Cap", b""])
    with open_feed(_write(tmp_path, data)) as feed:
        records = list(feed.records())
    assert [row for row, _cells in records] == [2, 3, 4]
    assert records[0][1] == ["1", "Shirt"] and records[2][1] == ["4", "Cap"]
    too_long = records[1][1]
    assert isinstance(too_long, MalformedRecord) and too_long.error_type == "row_too_long"
    assert f"{ROW_SIZE_LIMIT:,}" in too_long.message


def test_a_line_of_exactly_the_bound_is_read(tmp_path):
    value = "x" * (ROW_SIZE_LIMIT - 2)
    path = _write(tmp_path, f"id,title\r\n1,{value}\r\n2,Cap\r\n".encode())
    assert _read(path)[3] == [(2, ["1", value]), (3, ["2", "Cap"])]


def test_a_multi_line_record_past_the_bound_is_too_long(tmp_path):
    # Every line is short, but a quoted value runs on over thousands of them.
    lines = b"".join(b"line %d of a description\n" % n for n in range(ROW_SIZE_LIMIT // 20))
    path = _write(tmp_path, b'id,title,description\n1,Shirt,"' + lines + b'"\n2,Cap,ok\n')
    with open_feed(path) as feed:
        records = list(feed.records())
    assert isinstance(records[0][1], MalformedRecord) and records[0][1].error_type == "row_too_long"
    assert records[0][0] == 2
    # Reading goes on at the next line; what follows inside the runaway value becomes short rows.
    assert [cells for _row, cells in records if isinstance(cells, MalformedRecord)] == [records[0][1]]
    assert records[1][1][0].startswith("line ")


def test_a_long_line_with_nul_bytes_is_bounded_too(tmp_path):
    data = b"id,title\n1,Sh\x00irt\n2," + b"x" * (2 * ROW_SIZE_LIMIT) + b"\x00x\n3,Cap\n"
    with open_feed(_write(tmp_path, data)) as feed:
        records = list(feed.records())
    assert records[0] == (2, ["1", "Shirt"]) and records[2] == (4, ["3", "Cap"])
    assert records[1][1].error_type == "row_too_long"


def test_a_header_only_file_has_no_records(tmp_path):
    assert _read(_write(tmp_path, b"id,title,price\r\n")) == ("utf-8", ",", ["id", "title", "price"], [])


def test_bytes_read_moves_forward(tmp_path):
    path = _write(tmp_path, ("id,title\n" + "".join(f"{n},Product {n}\n" for n in range(20000))).encode())
    with open_feed(path) as feed:
        positions = [feed.bytes_read() for _row, _cells in feed.records()]
        assert feed.size == path.stat().st_size
    assert positions == sorted(positions)
    assert 0 < positions[0] < positions[-1] <= feed.size


# -- files that are not feeds ----------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"\n\r\n  \n", b"\xef\xbb\xbf", b"\x00\x00\x00"])
def test_it_rejects_an_empty_file(tmp_path, data):
    with pytest.raises(FeedDecodeError, match="The file is empty"):
        open_feed(_write(tmp_path, data))


def test_it_rejects_binary_junk(tmp_path):
    rng = random.Random(7)
    data = bytes(rng.randrange(256) for _ in range(20000))
    with pytest.raises(FeedDecodeError, match="does not look like a CSV file"):
        open_feed(_write(tmp_path, data))


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00", "Excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Excel"),
        (b"\x1f\x8b\x08\x00", "compressed"),
        (b"<!DOCTYPE html><html><body>Not found</body></html>", "web page"),
        (b'[{"id": 1, "title": "Shirt"}]', "JSON"),
    ],
)
def test_it_names_common_wrong_files(tmp_path, data, words):
    with pytest.raises(FeedDecodeError, match=words):
        open_feed(_write(tmp_path, data))


def test_it_reports_a_missing_file(tmp_path):
    with pytest.raises(FeedDecodeError, match="could not be opened"):
        open_feed(tmp_path / "nope.csv")


# -- row_hash --------------------------------------------------------------------------------------------


def test_row_hash_is_stable_and_tells_rows_apart():
    assert row_hash(["1", "Shirt", "9.99"]) == row_hash(["1", "Shirt", "9.99"])
    assert len(row_hash(["1"])) == 32
    assert (
        len(
            {
                row_hash(["1", "Shirt"]),
                row_hash(["1", "Shirt "]),
                row_hash(["1Shirt"]),
                row_hash(["1", "", "Shirt"]),
                row_hash([]),
            }
        )
        == 5
    )
    assert row_hash(["\ud800 lone surrogate"])  # never raises


# -- the fast splitter gives exactly what csv.reader gives -------------------------------------------------

_PIECES = st.sampled_from(["a", "b", " ", ",", ";", '"', '""', "\t", "é", "|"])


@given(
    pieces=st.lists(_PIECES, max_size=16),
    ending=st.sampled_from(["", "\n", "\r\n", "\r"]),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
)
def test_the_fast_line_splitter_agrees_with_csv_reader(pieces, ending, delimiter):
    line = "".join(pieces) + ending
    cells = _split_quoted_line(line, delimiter)
    if cells is None:
        return  # left to csv.reader
    expected = next(csv.reader([line], delimiter=delimiter), [])
    assert cells == (expected or [""])


_CELL_TEXT = st.text(
    alphabet=st.one_of(st.characters(blacklist_categories=("Cs", "Cc")), st.sampled_from(",;\t|\"\n\r '")),
    max_size=30,
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.lists(_CELL_TEXT, min_size=3, max_size=3), max_size=12),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
    line_ending=st.sampled_from(["\r\n", "\n"]),
)
def test_any_file_written_by_csv_writer_reads_back_the_same(tmp_path, rows, delimiter, quoting, line_ending):
    if line_ending == "\n":
        # csv.writer does not quote a lone CR unless it is part of the line terminator, which
        # makes such files ambiguous for any reader.
        rows = [[cell.replace("\r", "") for cell in row] for row in rows]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator=line_ending)
    writer.writerow(["id", "title", "description"])
    writer.writerows(rows)
    path = _write(tmp_path, buffer.getvalue().encode(), name="roundtrip.csv")
    with open_feed(path) as feed:
        assert (feed.delimiter, feed.header) == (delimiter, ["id", "title", "description"])
        expected = [(n + 2, row) for n, row in enumerate(rows) if any(row)]
        assert list(feed.records()) == expected
