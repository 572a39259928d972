from __future__ import annotations

import gc
import gzip
import tempfile
from pathlib import Path
from typing import Any

import pytest

from marketplace.importing import sources
from marketplace.importing.normalizers import RowNormalizer
from marketplace.importing.pipeline import ImportProgress, run_import
from marketplace.importing.writing.writer import BatchWriter
from marketplace.models import (
    MarketplaceImportError,
    MarketplaceImportJob,
    MarketplaceProduct,
    MarketplaceProductTranslation,
)
from tests.marketplace.importing.conftest import HEADER, claimed_job, counters, import_file, product_row, write_feed

pytestmark = pytest.mark.django_db
Status = MarketplaceImportJob.Status


def test_it_imports_a_feed_and_completes(store, tmp_path):
    path = write_feed(tmp_path / "feed.csv", [product_row(n) for n in range(1, 4)])

    job = import_file(store, path)

    assert job.status == Status.COMPLETED
    assert counters(job) == (3, 0, 0, 0, 0, 3)
    assert (job.detected_encoding, job.detected_delimiter, job.bytes_total) == ("utf-8", ",", path.stat().st_size)
    assert job.progress_percent == 100
    assert job.started_at and job.completed_at
    product = MarketplaceProduct.objects.get(marketplace_product_id="SKU-0002")
    assert (product.title, str(product.price), product.availability, product.store_name) == (
        "Produit 2",
        "2.99",
        "in_stock",
        "Alpha Store",
    )
    assert product.translations.get().language == "fr"
    assert path.exists()  # a source_path is the caller's file


@pytest.mark.parametrize("reader_process", [True, False], ids=["reader-process", "in-process"])
def test_a_second_import_of_the_same_file_is_unchanged_without_normalizing(
    store, tmp_path, monkeypatch, settings, reader_process
):
    settings.MARKETPLACE_IMPORT_READER_PROCESS = reader_process
    path = write_feed(tmp_path / "feed.csv", [product_row(n) for n in range(1, 6)])
    log = tmp_path / "normalized.log"
    original = RowNormalizer.normalize

    def counting(self: RowNormalizer, cells: list[str]) -> Any:
        # A file, so that calls in the reader process count too.
        with log.open("a") as handle:
            handle.write(f"{cells[0]}\n")
        return original(self, cells)

    monkeypatch.setattr(RowNormalizer, "normalize", counting)
    import_file(store, path)
    assert log.read_text().split() == [f"SKU-{n:04d}" for n in range(1, 6)]
    log.unlink()

    job = import_file(store, path)

    assert job.status == Status.COMPLETED
    assert counters(job) == (0, 0, 5, 0, 0, 5)
    assert not log.exists()


def test_changed_rows_are_updated_and_the_rest_unchanged(store, tmp_path):
    import_file(store, write_feed(tmp_path / "a.csv", [product_row(n) for n in range(1, 5)]))
    rows = [
        product_row(1, price="5.00 EUR"),
        product_row(2),
        product_row(3, title="Nouveau titre"),
        product_row(4),
        product_row(5),
    ]

    job = import_file(store, write_feed(tmp_path / "b.csv", rows))

    assert counters(job) == (1, 2, 2, 0, 0, 5)
    assert MarketplaceProduct.objects.get(marketplace_product_id="SKU-0003").title == "Nouveau titre"


def test_the_same_data_in_other_bytes_is_unchanged(store, tmp_path):
    import_file(store, write_feed(tmp_path / "a.csv", [product_row(1, price="29.99 EUR")]))

    job = import_file(store, write_feed(tmp_path / "b.csv", [product_row(1, price="29,99 €")]))

    assert counters(job) == (0, 0, 1, 0, 0, 1)


def test_a_row_with_warnings_is_read_again_and_warns_again(store, tmp_path):
    path = write_feed(tmp_path / "feed.csv", [product_row(1, gtin="4006381333932"), product_row(2)])
    first = import_file(store, path)

    again = import_file(store, path)

    assert counters(first) == (2, 0, 0, 0, 1, 2)
    assert counters(again) == (0, 0, 2, 0, 1, 2)
    assert list(again.errors.values_list("row_number", "severity", "field")) == [(2, "warning", "gtin")]


def test_errors_are_recorded_with_their_row_numbers(store, tmp_path):
    rows = [
        product_row(1),
        product_row(2, id=""),
        product_row(3, title=""),
        product_row(4, price="call us"),
        product_row(1, title="Again"),
        product_row(5, description="two\nlines"),
    ]

    job = import_file(store, write_feed(tmp_path / "feed.csv", rows))

    assert job.status == Status.COMPLETED_WITH_ERRORS
    assert counters(job) == (2, 0, 0, 4, 0, 6)
    errors = list(job.errors.values_list("row_number", "identifier", "error_type", "severity", "field"))
    assert errors == [
        (3, "", "missing_id", "error", "marketplace_product_id"),
        (4, "SKU-0003", "missing_title", "error", "title"),
        (5, "SKU-0004", "parse_error", "error", "price"),
        (6, "SKU-0001", "validation_error", "error", "marketplace_product_id"),
    ]
    duplicate = job.errors.get(row_number=6)
    assert "row 2" in duplicate.error_message
    assert duplicate.row_data["title"] == "Again"
    assert MarketplaceProduct.objects.get(marketplace_product_id="SKU-0001").title == "Produit 1"
    assert MarketplaceProduct.objects.get(marketplace_product_id="SKU-0005").description == "two\nlines"


def test_a_duplicate_id_in_a_later_batch_is_an_error_too(store, tmp_path):
    rows = [product_row(n) for n in range(1, 151)]
    rows[138] = product_row(2, title="Duplicate")  # file row 140, in the second batch of 100

    job = import_file(store, write_feed(tmp_path / "feed.csv", rows), batch_size=100)

    assert counters(job) == (149, 0, 0, 1, 0, 150)
    error = job.errors.get()
    assert (error.row_number, error.identifier, error.error_type) == (140, "SKU-0002", "validation_error")
    assert "row 3" in error.error_message
    # Also when the first occurrence was recognized as unchanged.
    again = import_file(store, write_feed(tmp_path / "feed.csv", rows), batch_size=100)
    assert counters(again) == (0, 0, 149, 1, 0, 150)


def test_a_row_with_warnings_reports_them_again_without_rewriting_its_translation(store, tmp_path):
    path = write_feed(tmp_path / "feed.csv", [product_row(1), product_row(2, gtin="123")])
    first = import_file(store, path)
    stamp = MarketplaceProductTranslation.objects.get(product__marketplace_product_id="SKU-0002").updated_at

    again = import_file(store, path)

    assert counters(first) == (2, 0, 0, 0, 1, 2) and counters(again) == (0, 0, 2, 0, 1, 2)
    assert list(again.errors.values_list("row_number", "severity", "field")) == [(3, "warning", "gtin")]
    translation = MarketplaceProductTranslation.objects.get(product__marketplace_product_id="SKU-0002")
    assert translation.updated_at == stamp and translation.had_warnings


def test_an_identical_duplicate_in_a_later_batch_stays_an_error_on_every_import(store, tmp_path):
    rows = [product_row(n) for n in range(1, 151)]
    rows[138] = product_row(2)  # file row 140 repeats row 3 byte for byte, in the second batch

    first = import_file(store, write_feed(tmp_path / "feed.csv", rows), batch_size=100)
    again = import_file(store, write_feed(tmp_path / "feed.csv", rows), batch_size=100)

    assert counters(first) == (149, 0, 0, 1, 0, 150)
    assert counters(again) == (0, 0, 149, 1, 0, 150)
    error = again.errors.get()
    assert (error.row_number, error.identifier, error.error_type) == (140, "SKU-0002", "validation_error")
    assert "row 3" in error.error_message


def test_a_changed_row_is_applied_when_a_later_duplicate_repeats_the_imported_bytes(store, tmp_path):
    import_file(store, write_feed(tmp_path / "feed.csv", [product_row(1), product_row(2)]))
    # SKU-0001 changed; a later row repeats it with exactly the bytes imported last time.
    rows = [product_row(1, title="Nouveau titre"), product_row(2), product_row(1)]

    job = import_file(store, write_feed(tmp_path / "feed.csv", rows))

    assert counters(job) == (0, 1, 1, 1, 0, 3)
    assert MarketplaceProduct.objects.get(marketplace_product_id="SKU-0001").title == "Nouveau titre"
    error = job.errors.get()
    assert (error.row_number, error.error_type) == (4, "validation_error")
    assert "row 2" in error.error_message


def test_three_languages_of_one_feed_give_one_product_with_three_translations(store, tmp_path):
    for language in ("fr", "en", "de"):
        rows = [product_row(n, title=f"{language} {n}", link=f"https://shop.example.lu/{language}/{n}") for n in (1, 2)]
        job = import_file(store, write_feed(tmp_path / f"{language}.csv", rows), language=language)
        # A second language changes nothing language-neutral: unchanged, with its texts added.
        assert counters(job) == ((2, 0, 0, 0, 0, 2) if language == "fr" else (0, 0, 2, 0, 0, 2))
        assert job.translations_added == (0 if language == "fr" else 2)

    assert MarketplaceProduct.objects.filter(store=store).count() == 2
    assert MarketplaceProductTranslation.objects.count() == 6
    german = [
        product_row(1, title="de neu", link="https://shop.example.lu/de/1"),
        product_row(2, title="de 2", link="https://shop.example.lu/de/2"),
    ]
    job = import_file(store, write_feed(tmp_path / "de2.csv", german), language="de")

    assert counters(job) == (0, 1, 1, 0, 0, 2)
    product = MarketplaceProduct.objects.get(marketplace_product_id="SKU-0001")
    assert {t.language: t.title for t in product.translations.all()} == {"fr": "fr 1", "en": "en 1", "de": "de neu"}
    assert product.title == "fr 1"
    # The untouched languages are still recognized as unchanged.
    french = [product_row(n, title=f"fr {n}", link=f"https://shop.example.lu/fr/{n}") for n in (1, 2)]
    assert counters(import_file(store, write_feed(tmp_path / "fr.csv", french), language="fr")) == (0, 0, 2, 0, 0, 2)


def test_the_same_ids_in_two_stores_stay_apart(store, other_store, tmp_path):
    path = write_feed(tmp_path / "feed.csv", [product_row(1)])
    import_file(store, path)

    job = import_file(other_store, path)

    assert counters(job) == (1, 0, 0, 0, 0, 1)
    assert MarketplaceProduct.objects.filter(marketplace_product_id="SKU-0001").count() == 2


def test_a_cancel_stops_the_import_between_batches(store, tmp_path):
    path = write_feed(tmp_path / "feed.csv", [product_row(n) for n in range(1, 351)])
    job = claimed_job(store, batch_size=100)
    seen: list[ImportProgress] = []

    def cancel_after_first_batch(progress: ImportProgress) -> None:
        seen.append(progress)
        MarketplaceImportJob.objects.filter(id=job.id).update(cancel_requested=True)

    run_import(job=job, source_path=path, progress=cancel_after_first_batch)

    job.refresh_from_db()
    assert job.status == Status.CANCELLED
    assert job.total_processed == 100 == MarketplaceProduct.objects.count()
    assert len(seen) == 1 and seen[0].counts.imported == 100


def test_a_cancel_before_the_download_cancels_the_job_without_contacting_the_server(store, feed_server, caplog):
    caplog.set_level("INFO", logger="marketplace.importing.pipeline")
    feed_server.route("/feed.csv", b"id,title\r\n1,a\r\n")
    job = claimed_job(store, source_url=feed_server.url("/feed.csv"))
    MarketplaceImportJob.objects.filter(id=job.id).update(cancel_requested=True)

    run_import(job=job)

    job.refresh_from_db()
    assert job.status == Status.CANCELLED
    assert feed_server.requests == []
    assert "Import cancelled during download: imported=0" in caplog.text


def test_a_cancel_between_batches_is_logged_with_the_rows_done(store, tmp_path, caplog):
    caplog.set_level("INFO", logger="marketplace.importing.pipeline")
    path = write_feed(tmp_path / "feed.csv", [product_row(n) for n in range(1, 151)])
    job = claimed_job(store, batch_size=100)

    def cancel(progress: ImportProgress) -> None:
        MarketplaceImportJob.objects.filter(id=job.id).update(cancel_requested=True)

    run_import(job=job, source_path=path, progress=cancel)

    assert "Import cancelled: imported=100" in caplog.text


def test_progress_is_reported_after_every_batch(store, tmp_path):
    path = write_feed(tmp_path / "feed.csv", [product_row(n) for n in range(1, 251)])
    job = claimed_job(store, batch_size=100)
    seen: list[ImportProgress] = []

    run_import(job=job, source_path=path, progress=seen.append)

    assert [p.counts.processed for p in seen] == [100, 200, 250]
    assert seen[-1].bytes_total == path.stat().st_size


def test_the_heap_is_frozen_while_batches_run_and_thawed_after(store, tmp_path):
    path = write_feed(tmp_path / "feed.csv", [product_row(n) for n in range(1, 251)])
    job = claimed_job(store, batch_size=100)
    frozen_during: list[int] = []
    assert gc.get_freeze_count() == 0

    run_import(job=job, source_path=path, progress=lambda _: frozen_during.append(gc.get_freeze_count()))

    assert len(frozen_during) == 3 and min(frozen_during) > 0
    assert gc.get_freeze_count() == 0


def test_the_heap_is_thawed_when_a_batch_fails(store, tmp_path, monkeypatch):
    path = write_feed(tmp_path / "feed.csv", [product_row(n) for n in range(1, 251)])
    job = claimed_job(store, batch_size=100)

    def broken(*args: Any, **kwargs: Any) -> None:
        assert gc.get_freeze_count() > 0
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(BatchWriter, "write", broken)
    run_import(job=job, source_path=path)

    job.refresh_from_db()
    assert job.status == Status.FAILED and "RuntimeError" in job.error_message
    assert gc.get_freeze_count() == 0


def test_a_heap_frozen_by_someone_else_stays_frozen(store, tmp_path, monkeypatch):
    path = write_feed(tmp_path / "feed.csv", [product_row(n) for n in range(1, 51)])
    job = claimed_job(store)
    calls: list[str] = []
    gc.freeze()
    try:
        # The count itself may drop: frozen objects are still freed when nothing refers to them.
        monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
        monkeypatch.setattr(gc, "unfreeze", lambda: calls.append("unfreeze"))
        run_import(job=job, source_path=path)
        assert calls == [] and gc.get_freeze_count() > 0
    finally:
        monkeypatch.undo()
        gc.unfreeze()
    job.refresh_from_db()
    assert job.status == Status.COMPLETED and job.imported_count == 50


def test_a_file_that_is_not_a_feed_fails_the_job(store, tmp_path):
    path = tmp_path / "page.csv"
    path.write_text("<!DOCTYPE html><html><body>Login</body></html>")

    job = import_file(store, path)

    assert job.status == Status.FAILED
    assert "HTML" in job.error_message


def test_a_feed_without_a_title_column_fails_naming_its_columns(store, tmp_path):
    path = write_feed(tmp_path / "feed.csv", [["1", "x"]], header=["id", "colour_name"])

    job = import_file(store, path)

    assert job.status == Status.FAILED
    assert "colour_name" in job.error_message


def test_an_unexpected_error_fails_the_job_with_its_class_name(store, tmp_path, monkeypatch, caplog):
    def boom(self: Any, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(BatchWriter, "write", boom)

    job = import_file(store, write_feed(tmp_path / "feed.csv", [product_row(1)]))

    assert job.status == Status.FAILED
    assert job.error_message == "Unexpected error while importing: RuntimeError"
    assert not MarketplaceProduct.objects.exists()
    assert "secret detail" in caplog.text  # the traceback goes to the log, not to the user


def test_a_row_that_breaks_the_normalizer_costs_one_row(store, tmp_path, monkeypatch):
    original = RowNormalizer.normalize

    def flaky(self: RowNormalizer, cells: list[str]) -> Any:
        if cells[0] == "SKU-0002":
            raise ValueError("bug")
        return original(self, cells)

    monkeypatch.setattr(RowNormalizer, "normalize", flaky)

    job = import_file(store, write_feed(tmp_path / "feed.csv", [product_row(n) for n in range(1, 4)]))

    assert job.status == Status.COMPLETED_WITH_ERRORS
    assert counters(job) == (2, 0, 0, 1, 0, 3)
    assert list(job.errors.values_list("row_number", "error_type")) == [(3, "parse_error")]


def test_an_uploaded_file_is_deleted_once_the_job_has_ended(store, tmp_path, settings):
    upload_dir = Path(settings.MARKETPLACE_UPLOAD_DIR)
    upload_dir.mkdir(parents=True)
    path = write_feed(upload_dir / "abc.csv", [product_row(1)])
    job = claimed_job(store, source_url="", source_file="abc.csv", source_filename="products.csv")

    run_import(job=job)

    job.refresh_from_db()
    assert job.status == Status.COMPLETED
    assert MarketplaceProduct.objects.count() == 1
    assert not path.exists()


def test_an_uploaded_file_outside_the_upload_folder_is_refused(store, tmp_path):
    write_feed(tmp_path / "elsewhere.csv", [product_row(1)])
    job = claimed_job(store, source_url="", source_file="../elsewhere.csv")

    run_import(job=job)

    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert (tmp_path / "elsewhere.csv").exists()


def test_a_gzipped_file_is_decompressed(store, tmp_path):
    plain = write_feed(tmp_path / "feed.csv", [product_row(1), product_row(2)])
    packed = tmp_path / "feed.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))

    job = import_file(store, packed)

    assert counters(job) == (2, 0, 0, 0, 0, 2)


def _feed_bytes(tmp_path: Path, rows: int = 2) -> bytes:
    plain = write_feed(tmp_path / "plain.csv", [product_row(n) for n in range(1, rows + 1)])
    return plain.read_bytes()


def _decompressed_leftovers(job: MarketplaceImportJob) -> list[Path]:
    return list(Path(tempfile.gettempdir()).glob(f"import-{job.id}-*"))


@pytest.mark.parametrize("padding", [b"", b"\x00" * 8], ids=["plain", "zero-padded"])
def test_a_gzipped_file_of_several_members_is_decompressed(store, tmp_path, padding):
    data = _feed_bytes(tmp_path, rows=3)
    packed = tmp_path / "feed.csv.gz"
    packed.write_bytes(gzip.compress(data[:100]) + padding + gzip.compress(data[100:]) + padding)

    job = import_file(store, packed)

    assert counters(job) == (3, 0, 0, 0, 0, 3)
    assert _decompressed_leftovers(job) == []


def test_a_gzipped_file_larger_than_the_cap_once_decompressed_fails_the_job(store, tmp_path, settings):
    settings.MARKETPLACE_MAX_DOWNLOAD_BYTES = 1024 * 1024
    packed = tmp_path / "feed.csv.gz"
    packed.write_bytes(gzip.compress(_feed_bytes(tmp_path) + b"0" * (2 * 1024 * 1024)))

    job = import_file(store, packed)

    assert job.status == Status.FAILED
    assert job.error_message == "The file is larger than the 1 MB limit once decompressed."
    assert _decompressed_leftovers(job) == []


@pytest.mark.parametrize("damage", ["truncated", "trailing-junk", "bad-method"])
def test_a_damaged_gzip_file_fails_the_job(store, tmp_path, damage):
    packed_bytes = gzip.compress(_feed_bytes(tmp_path))
    packed = tmp_path / "feed.csv.gz"
    packed.write_bytes(
        {
            "truncated": packed_bytes[:-12],
            "trailing-junk": packed_bytes + b"junk",
            "bad-method": b"\x1f\x8b not really gzip",
        }[damage]
    )

    job = import_file(store, packed)

    assert job.status == Status.FAILED
    assert job.error_message == "The file looks compressed (gzip) but could not be decompressed."
    assert _decompressed_leftovers(job) == []


def test_a_download_that_is_still_gzipped_is_decompressed_and_both_files_removed(
    store, feed_server, settings, tmp_path
):
    # A .gz file served gzip-compressed without Content-Encoding: the fetcher unpacks one layer.
    feed_server.route("/feed.csv.gz", gzip.compress(gzip.compress(_feed_bytes(tmp_path))))
    job = claimed_job(store, source_url=feed_server.url("/feed.csv.gz"))

    run_import(job=job)

    job.refresh_from_db()
    assert counters(job) == (2, 0, 0, 0, 0, 2)
    assert _decompressed_leftovers(job) == []
    assert list(Path(settings.MARKETPLACE_DOWNLOAD_DIR).iterdir()) == []


def test_a_feed_is_downloaded_and_the_temporary_file_removed(store, feed_server, monkeypatch):
    body = "\r\n".join(",".join(row) for row in [HEADER, product_row(1), product_row(2)]).encode()
    feed_server.route("/feed.csv", body, headers={"Content-Type": "text/csv"})
    fetched: list[Path] = []
    original = sources.fetch_feed

    def spy(**kwargs: Any) -> Any:
        result = original(**kwargs)
        fetched.append(Path(result.path))
        return result

    monkeypatch.setattr(sources, "fetch_feed", spy)
    job = claimed_job(store, source_url=feed_server.url("/feed.csv"))

    run_import(job=job)

    job.refresh_from_db()
    assert counters(job) == (2, 0, 0, 0, 0, 2)
    assert fetched and not fetched[0].exists()


def test_each_log_line_carries_the_job_id(store, tmp_path, caplog):
    caplog.set_level("INFO", logger="marketplace.importing.pipeline")
    job = import_file(store, write_feed(tmp_path / "feed.csv", [product_row(1)]))

    lines = [r for r in caplog.records if r.name == "marketplace.importing.pipeline"]
    assert len(lines) >= 2
    assert "imported=1" in lines[-1].getMessage()
    from core.logging import JobContextFilter

    for record in lines:
        JobContextFilter().filter(record)
    assert {getattr(r, "job_id", None) for r in lines} == {job.id}
    assert MarketplaceImportError.objects.count() == 0


def test_a_batch_whose_products_appeared_meanwhile_is_read_and_written_again(store, tmp_path, monkeypatch):
    import_file(store, write_feed(tmp_path / "a.csv", [product_row(1), product_row(2)]))
    original = BatchWriter.read_existing
    reads: list[int] = []

    def stale_first_read(self: BatchWriter, keys: Any) -> Any:
        # The first read misses products that exist: as if another writer created them
        # between this batch's read and its write.
        reads.append(len(keys))
        return {} if len(reads) == 1 else original(self, keys)

    monkeypatch.setattr(BatchWriter, "read_existing", stale_first_read)

    job = import_file(store, write_feed(tmp_path / "b.csv", [product_row(1, price="1.00 EUR"), product_row(2)]))

    assert counters(job) == (0, 1, 1, 0, 0, 2)
    assert MarketplaceProduct.objects.count() == 2
    assert len(reads) == 2
