"""The feed reader: the forked reader process gives exactly what reading in-process gives,
and its failures end the job cleanly, leaving no process behind."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest

from marketplace.importing.copy_format import fields_text
from marketplace.importing.decoding import open_feed
from marketplace.importing.mapping import resolve_columns
from marketplace.importing.normalizers import RowNormalizer
from marketplace.importing.pipeline import ImportProgress, run_import
from marketplace.importing.reader import BatchReader, ForkedBatches, InProcessBatches
from marketplace.importing.row_values import TEXT_FIELDS, parse_fields, prepare
from marketplace.importing.rows import FeedRow
from marketplace.importing.writing.postgresql import PostgresqlWrites
from marketplace.models import MarketplaceImportJob, MarketplaceProduct
from tests.marketplace.importing.conftest import claimed_job, counters, product_row, write_feed

pytestmark = pytest.mark.django_db
Status = MarketplaceImportJob.Status

# Quirks that take every path of the decoder: a value over two lines, a NUL byte, a
# quote that is never closed (a malformed record), a bad price, a blank line.
QUIRKY = (
    "id,title,description,link,price\r\n"
    'A-1,Lampe,"deux\r\nlignes",https://shop.example.lu/1,10.00 EUR\r\n'
    "A-2,Tab\x00le,simple,https://shop.example.lu/2,abc\r\n"
    "\r\n"
    'A-3,"Chaise ""confort""",x,https://shop.example.lu/3,5,00 EUR\r\n'
)
# Last: the csv module reads an unclosed quote up to the end of the file.
BROKEN = 'A-4,Broken,"never closed,https://shop.example.lu/4,1 EUR\r\n'


def _children() -> set[int]:
    """Processes whose parent is this one (zombies included)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid():
            found.add(int(stat.parent.name))
    return found


def _rows(batches: Any) -> list[FeedRow]:
    with batches:
        return [row for batch in batches for row in batch.rows]


def _reader(path: Path, batch_size: int = 2) -> Any:
    feed = open_feed(path)
    columns = resolve_columns(feed.header)
    return feed, BatchReader(
        feed=feed,
        normalizer=RowNormalizer(columns),
        id_index=0,
        salt="s",
        batch_size=batch_size,
        render=PostgresqlWrites.render,
    )


@pytest.mark.parametrize("speculate", [False, True])
def test_the_reader_process_reads_exactly_what_this_process_reads(tmp_path, speculate):
    path = tmp_path / "quirky.csv"
    path.write_bytes(
        QUIRKY.encode("utf-8")
        + "".join(
            f"B-{n},Produit {n},Description {n},https://shop.example.lu/b{n},{n},99 EUR\r\n" for n in range(40)
        ).encode("utf-8")
        + BROKEN.encode("utf-8")
    )
    feed, reader = _reader(path)
    with feed:
        expected = _rows(InProcessBatches(reader))
    feed, reader = _reader(path)
    with feed:
        forked = _rows(ForkedBatches(reader, speculate=speculate))

    assert [(r.number, r.source_hash, list(r.cells)) for r in forked] == [
        (r.number, r.source_hash, list(r.cells)) for r in expected
    ]
    assert len(expected) == 44 and expected[0].cells[2] == "deux\r\nlignes"
    assert not any(row.normalized for row in expected)
    if not speculate:
        assert [r.identifier for r in forked] == [r.identifier for r in expected]
        assert not any(row.normalized for row in forked)
        return
    # Normalized ahead: the same identifiers, issues and values as normalizing here.
    normalizer = RowNormalizer(resolve_columns(open_feed(path).header))
    for row in forked:
        result = normalizer.normalize(row.cells)
        assert row.normalized
        assert [(i.error_type, i.field, i.message) for i in row.issues] == [
            (i.error_type, i.field, i.message) for i in result.issues
        ]
        if result.record is None:
            assert row.payload is None and row.identifier == result.identifier
        else:
            assert row.identifier == result.record["marketplace_product_id"]
            values, chash = prepare(result.record)
            assert row.content_hash == chash
            # PostgreSQL's payload: the COPY text, language-independent values then texts
            assert "\t".join(row.payload) == fields_text(values)
            assert parse_fields(row.payload[1]) == [result.record[name] for name in TEXT_FIELDS]


def _import_breaking_the_reader_after_row_100(store, tmp_path, monkeypatch, settings, breaks: Any) -> Any:
    """Import 250 rows in batches of 100 with `breaks()` called in the reader process when
    it reaches the third batch; return the job and the processes this one had before."""
    settings.MARKETPLACE_IMPORT_READER_PROCESS = True
    original = BatchReader._batch

    def breaking(self: BatchReader, records: Any, speculate: bool) -> Any:
        if records[0][0] > 100:
            breaks()
        return original(self, records, speculate)

    monkeypatch.setattr(BatchReader, "_batch", breaking)
    job = claimed_job(store, batch_size=100)
    before = _children()
    run_import(job=job, source_path=write_feed(tmp_path / "feed.csv", [product_row(n) for n in range(1, 251)]))
    job.refresh_from_db()
    return job, before


def test_a_failure_in_the_reader_process_fails_the_job_and_keeps_the_batches_before(
    store, tmp_path, monkeypatch, settings
):
    def failing() -> None:
        raise RuntimeError("disk went away")

    job, before = _import_breaking_the_reader_after_row_100(store, tmp_path, monkeypatch, settings, failing)

    assert job.status == Status.FAILED
    assert job.error_message == "Unexpected error while importing: RuntimeError"
    assert counters(job) == (100, 0, 0, 0, 0, 100) and MarketplaceProduct.objects.count() == 100
    assert _children() <= before


def test_a_reader_process_that_dies_fails_the_job_with_a_message(store, tmp_path, monkeypatch, settings):
    def dying() -> None:
        os._exit(9)  # as if killed

    job, before = _import_breaking_the_reader_after_row_100(store, tmp_path, monkeypatch, settings, dying)

    assert job.status == Status.FAILED
    assert "the process reading the file ended unexpectedly" in job.error_message
    assert job.total_processed == 100
    assert _children() <= before


def test_a_cancel_leaves_no_reader_process_behind(store, tmp_path, settings):
    settings.MARKETPLACE_IMPORT_READER_PROCESS = True
    path = write_feed(tmp_path / "feed.csv", [product_row(n) for n in range(1, 1001)])
    job = claimed_job(store, batch_size=100)
    before = _children()

    def cancel(progress: ImportProgress) -> None:
        MarketplaceImportJob.objects.filter(id=job.id).update(cancel_requested=True)

    run_import(job=job, source_path=path, progress=cancel)

    job.refresh_from_db()
    assert job.status == Status.CANCELLED and job.total_processed == 100
    assert _children() <= before


def _loader_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "reader-batches"]


def test_leaving_early_stops_the_reader_process_and_the_loading_thread(tmp_path):
    path = write_feed(tmp_path / "feed.csv", [product_row(n) for n in range(1, 3001)])
    feed, reader = _reader(path, batch_size=100)
    before = _children()
    with feed:
        batches = ForkedBatches(reader, speculate=True)
        with batches:
            first = next(iter(batches))
            assert _loader_threads()
    assert [row.identifier for row in first.rows[:2]] == ["SKU-0001", "SKU-0002"]
    assert not _loader_threads()
    assert _children() <= before


def test_every_batch_arrives_in_order_through_the_loading_thread(tmp_path):
    path = write_feed(tmp_path / "feed.csv", [product_row(n) for n in range(1, 1001)])
    feed, reader = _reader(path, batch_size=100)
    with feed:
        rows = _rows(ForkedBatches(reader, speculate=False))
    assert [row.number for row in rows] == list(range(2, 1002))
    assert not _loader_threads()
