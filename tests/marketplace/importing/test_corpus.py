"""Every feed of the corpus (tests/fixtures/feeds/) gives its exact counters and error rows.

Files go through the upload path; the HTTP cases are served by a real loopback server.
"""

from __future__ import annotations

import gzip
import shutil
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest

from marketplace.importing.jobs import import_job_claim
from marketplace.importing.pipeline import run_import
from marketplace.models import MarketplaceImportJob, MarketplaceProduct
from marketplace.services import import_job_create

pytestmark = pytest.mark.django_db
FEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "feeds"
Status = MarketplaceImportJob.Status


@dataclass(frozen=True)
class Expected:
    status: str
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0
    warnings: int = 0
    processed: int = 0
    # (row_number, error_type, severity, field) of every error and warning record
    rows: list[tuple[int, str, str, str]] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""
    message: str = ""  # part of the failure reason


CORPUS: dict[str, Expected] = {
    "cp1252_semicolon.csv": Expected(
        Status.COMPLETED_WITH_ERRORS,
        imported=3,
        errors=2,
        processed=5,
        encoding="cp1252",
        delimiter=";",
        rows=[(5, "parse_error", "error", "price"), (6, "parse_error", "error", "price")],
    ),
    "google_tabs_bom.tsv": Expected(
        Status.COMPLETED,
        imported=3,
        processed=3,
        encoding="utf-8-sig",
        delimiter="\t",
        # EN-3's "19.99": EUR assumed, said once for the job (row 0).
        rows=[(0, "currency_assumed", "warning", "price")],
    ),
    "latin1.csv": Expected(Status.COMPLETED, imported=2, processed=2, encoding="latin-1", delimiter=";"),
    "pipes.csv": Expected(Status.COMPLETED, imported=2, processed=2, encoding="utf-8", delimiter="|"),
    "pipes.csv.gz": Expected(Status.COMPLETED, imported=2, processed=2, encoding="utf-8", delimiter="|"),
    "duplicate_ids.csv": Expected(
        Status.COMPLETED_WITH_ERRORS,
        imported=2,
        errors=1,
        processed=3,
        rows=[(4, "validation_error", "error", "marketplace_product_id")],
    ),
    "missing_id_title.csv": Expected(
        Status.COMPLETED_WITH_ERRORS,
        imported=1,
        errors=3,
        processed=4,
        rows=[
            (2, "missing_id", "error", "marketplace_product_id"),
            (3, "missing_title", "error", "title"),
            (4, "missing_title", "error", "title"),
        ],
    ),
    "bad_gtins.csv": Expected(
        Status.COMPLETED,
        imported=4,
        warnings=2,
        processed=4,
        rows=[(3, "validation_error", "warning", "gtin"), (4, "validation_error", "warning", "gtin")],
    ),
    "multiline_quoted.csv": Expected(
        Status.COMPLETED_WITH_ERRORS,
        imported=2,
        errors=1,
        processed=3,
        rows=[(3, "missing_title", "error", "title")],
    ),
    "nul_bytes.csv": Expected(Status.COMPLETED, imported=2, processed=2),
    "overlong.csv": Expected(
        Status.COMPLETED,
        imported=1,
        warnings=1,
        processed=1,
        rows=[(2, "validation_error", "warning", "brand"), (2, "validation_error", "warning", "title")],
    ),
    "header_only.csv": Expected(Status.COMPLETED, processed=0),
    "no_title_column.csv": Expected(Status.FAILED, message="title"),
    # Defects found in real feeds (issue 18).
    "shipping_sub_attributes.tsv": Expected(
        Status.COMPLETED,
        imported=4,
        warnings=1,
        processed=4,
        delimiter="\t",
        rows=[(4, "validation_error", "warning", "shipping")],
    ),
    "shipping_postal_code.csv": Expected(Status.COMPLETED, imported=2, processed=2),
    "bare_prices.csv": Expected(
        Status.COMPLETED, imported=4, processed=4, rows=[(0, "currency_assumed", "warning", "price")]
    ),
    "html_texts.csv": Expected(
        Status.COMPLETED_WITH_ERRORS,
        imported=3,
        errors=1,
        processed=4,
        rows=[(0, "html_cleaned", "warning", ""), (5, "missing_title", "error", "title")],
    ),
    "woocommerce_fr.csv": Expected(
        Status.COMPLETED, imported=3, processed=3, rows=[(0, "currency_assumed", "warning", "price")]
    ),
    "shopify_export.csv": Expected(
        Status.COMPLETED,
        imported=2,
        processed=2,
        rows=[(0, "currency_assumed", "warning", "price"), (0, "html_cleaned", "warning", "")],
    ),
    "erp_de.csv": Expected(Status.COMPLETED, imported=2, processed=2, encoding="iso-8859-1", delimiter=";"),
    "google_value_rules.csv": Expected(
        Status.COMPLETED,
        imported=6,
        warnings=6,
        processed=6,
        rows=[
            (2, "age_group_value", "warning", "age_group"),
            (2, "gender_value", "warning", "gender"),
            (3, "gender_value", "warning", "gender"),
            (4, "age_group_value", "warning", "age_group"),
            (5, "missing_description", "warning", "description"),
            (6, "id_too_long", "warning", "marketplace_product_id"),
            (7, "gender_value", "warning", "gender"),
        ],
    ),
    "empty.csv": Expected(Status.FAILED, message="empty"),
}


def _import_file(store, owner, name: str, tmp_path: Path) -> MarketplaceImportJob:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(name, (FEEDS / name).read_bytes() or b"")
    if upload.size == 0:
        # The upload path refuses empty files before a job exists; the pipeline must still
        # fail an empty source cleanly, so feed it as a source path.
        job = import_job_create(store=store, user=owner, source_url="https://feeds.example.lu/e.csv", enqueue=False)
        path = tmp_path / name
        shutil.copy(FEEDS / name, path)
        run_import(job=import_job_claim(job_id=job.pk), source_path=path)
    else:
        job = import_job_create(store=store, user=owner, upload=upload, enqueue=False, batch_size=100)
        run_import(job=import_job_claim(job_id=job.pk))
    job.refresh_from_db()
    return job


def _check(job: MarketplaceImportJob, expected: Expected) -> None:
    assert job.status == expected.status, job.error_message
    assert (
        job.imported_count,
        job.updated_count,
        job.unchanged_count,
        job.error_count,
        job.warning_count,
        job.total_processed,
    ) == (
        expected.imported,
        expected.updated,
        expected.unchanged,
        expected.errors,
        expected.warnings,
        expected.processed,
    )
    assert MarketplaceProduct.objects.filter(store=job.store).count() == expected.imported
    rows = sorted(job.errors.values_list("row_number", "error_type", "severity", "field"))
    assert rows == sorted(expected.rows)
    if expected.encoding:
        assert job.detected_encoding == expected.encoding
    if expected.delimiter:
        assert job.detected_delimiter == expected.delimiter
    if expected.message:
        assert expected.message in job.error_message.lower()
    if job.status != Status.FAILED:
        assert job.progress_percent == 100
        assert job.completed_at is not None


@pytest.mark.parametrize("reader_process", [True, False], ids=["reader-process", "in-process"])
@pytest.mark.parametrize("name", sorted(CORPUS))
def test_each_file_gives_its_expected_counters_and_error_rows(name, reader_process, store, owner, tmp_path, settings):
    settings.MARKETPLACE_IMPORT_READER_PROCESS = reader_process
    _check(_import_file(store, owner, name, tmp_path), CORPUS[name])


def test_the_corpus_files_are_what_the_generator_writes(tmp_path, monkeypatch):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_corpus", FEEDS / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "HERE", tmp_path)
    module.main()
    for path in tmp_path.iterdir():
        assert path.read_bytes() == (FEEDS / path.name).read_bytes(), path.name


def test_cp1252_values_are_decoded_and_normalized(store, owner, tmp_path):
    _import_file(store, owner, "cp1252_semicolon.csv", tmp_path)
    products = {p.marketplace_product_id: p for p in MarketplaceProduct.objects.filter(store=store)}
    tea = products["FR-1"]
    assert tea.title == "Théière émaillée"
    assert (tea.price, tea.sale_price, tea.currency) == (Decimal("29.99"), Decimal("24.99"), "EUR")
    assert (tea.availability, tea.condition, tea.gtin) == ("in_stock", "new", "4006381333931")
    assert products["FR-2"].price == Decimal("1299.00")
    assert products["FR-2"].availability == "out_of_stock"
    assert (products["FR-3"].price, products["FR-3"].availability, products["FR-3"].condition) == (
        Decimal("15.50"),
        "preorder",
        "used",
    )
    assert products["FR-3"].title == "Cafetière « italienne »"


def test_google_headers_and_upc_gtins(store, owner, tmp_path):
    _import_file(store, owner, "google_tabs_bom.tsv", tmp_path)
    products = {p.marketplace_product_id: p for p in MarketplaceProduct.objects.filter(store=store)}
    assert products["EN-1"].title == "Linen shirt — blue"
    assert products["EN-1"].image_link == "https://i/1.jpg"
    assert products["EN-2"].gtin == "0012345678905"
    assert products["EN-2"].availability == "out_of_stock"
    assert products["EN-2"].price == Decimal("1299.00")
    assert products["EN-3"].availability == "backorder"


def test_a_multiline_value_stays_one_row_and_nul_bytes_are_dropped(store, owner, tmp_path):
    _import_file(store, owner, "multiline_quoted.csv", tmp_path)
    assert MarketplaceProduct.objects.get(marketplace_product_id="Q-1").description == (
        "Line one\nline two\nline three"
    )
    _import_file(store, owner, "nul_bytes.csv", tmp_path)
    assert "\x00" not in MarketplaceProduct.objects.get(marketplace_product_id="N-1").title


def test_overlong_values_are_truncated_to_their_column(store, owner, tmp_path):
    _import_file(store, owner, "overlong.csv", tmp_path)
    product = MarketplaceProduct.objects.get(marketplace_product_id="L-1")
    assert len(product.title) == 500
    assert len(product.brand) == 255


def test_a_missing_title_column_names_the_columns_found(store, owner, tmp_path):
    job = _import_file(store, owner, "no_title_column.csv", tmp_path)
    assert "id" in job.error_message and "couleur" in job.error_message and "prix" in job.error_message


# --- over HTTP ---------------------------------------------------------------------------


def _import_url(store, owner, url: str) -> MarketplaceImportJob:
    job = import_job_create(store=store, user=owner, source_url=url, enqueue=False, batch_size=100)
    run_import(job=import_job_claim(job_id=job.pk))
    job.refresh_from_db()
    return job


def test_an_html_page_fails_with_a_clear_message(store, owner, feed_server):
    feed_server.route("/feed", (FEEDS / "html_page.html").read_bytes(), headers={"Content-Type": "text/html"})
    job = _import_url(store, owner, feed_server.url("/feed"))
    assert job.status == Status.FAILED
    assert "html" in job.error_message.lower()


def test_an_empty_body_fails_with_a_clear_message(store, owner, feed_server):
    feed_server.route("/feed.csv", b"", headers={"Content-Type": "text/csv"})
    job = _import_url(store, owner, feed_server.url("/feed.csv"))
    assert job.status == Status.FAILED
    assert "empty" in job.error_message.lower()


def test_a_404_fails_with_the_status(store, owner, feed_server):
    job = _import_url(store, owner, feed_server.url("/missing.csv"))
    assert job.status == Status.FAILED
    assert "404" in job.error_message


def test_gzip_transfer_encoding_is_decoded(store, owner, feed_server):
    body = gzip.compress((FEEDS / "pipes.csv").read_bytes())
    feed_server.route("/feed.csv", body, headers={"Content-Type": "text/csv", "Content-Encoding": "gzip"})
    _check(_import_url(store, owner, feed_server.url("/feed.csv")), CORPUS["pipes.csv"])


def test_a_gz_file_is_decompressed(store, owner, feed_server):
    feed_server.route(
        "/feed.csv.gz", (FEEDS / "pipes.csv.gz").read_bytes(), headers={"Content-Type": "application/gzip"}
    )
    _check(_import_url(store, owner, feed_server.url("/feed.csv.gz")), CORPUS["pipes.csv"])


def test_a_decompression_bomb_is_stopped_at_the_size_cap(store, owner, feed_server, settings):
    settings.MARKETPLACE_MAX_DOWNLOAD_BYTES = 1024 * 1024
    bomb = gzip.compress(b"id,title\n" + b"0" * (64 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 200 * 1024
    feed_server.route("/bomb.csv", bomb, headers={"Content-Type": "text/csv", "Content-Encoding": "gzip"})
    job = _import_url(store, owner, feed_server.url("/bomb.csv"))
    assert job.status == Status.FAILED
    assert "limit" in job.error_message.lower()
    assert not MarketplaceProduct.objects.exists()


def test_a_redirect_to_a_private_address_is_refused(store, owner, feed_server, canary_server):
    feed_server.redirect("/feed.csv", canary_server.url("/secret"))
    canary_server.route("/secret", b"id,title\n1,internal\n", headers={"Content-Type": "text/csv"})
    job = _import_url(store, owner, feed_server.url("/feed.csv"))
    assert job.status == Status.FAILED
    assert canary_server.requests == []
    assert not MarketplaceProduct.objects.exists()
