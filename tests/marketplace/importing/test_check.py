"""A check of a feed (dry run, issue 18): the whole pipeline runs, the errors and the
"would be" counts are recorded as an import's would be, and nothing else is written."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.services import product_publish
from marketplace.importing.jobs import import_job_claim
from marketplace.importing.pipeline import run_import
from marketplace.models import (
    FeedMembership,
    MarketplaceImportJob,
    MarketplaceProduct,
    MarketplaceProductTranslation,
)
from marketplace.services import import_job_create
from tests.marketplace.importing.conftest import HEADER, import_file, product_row, write_feed
from tests.marketplace.importing.test_corpus import CORPUS, FEEDS

pytestmark = pytest.mark.django_db
Status = MarketplaceImportJob.Status


def _run(store, owner, name: str, *, dry_run: bool) -> MarketplaceImportJob:
    upload = SimpleUploadedFile(name, (FEEDS / name).read_bytes())
    job = import_job_create(store=store, user=owner, upload=upload, enqueue=False, batch_size=100, dry_run=dry_run)
    run_import(job=import_job_claim(job_id=job.pk))
    job.refresh_from_db()
    return job


def _errors(job: MarketplaceImportJob) -> list[tuple[object, ...]]:
    return sorted(
        job.errors.values_list("row_number", "identifier", "error_type", "severity", "field", "error_message")
    )


def _catalog(store) -> list[tuple[object, ...]]:
    products = MarketplaceProduct.objects.filter(store=store).order_by("marketplace_product_id")
    texts = MarketplaceProductTranslation.objects.filter(product__store=store).order_by("product_id", "language")
    return [
        *products.values_list("marketplace_product_id", "content_hash", "price", "availability", "updated_at"),
        *texts.values_list("product_id", "language", "title", "description", "updated_at"),
    ]


# Every non-empty file of the corpus: each is messy in its own way (cp1252 with ";",
# duplicate ids, missing titles, bad GTINs, HTML, overlong values, a missing title column...).
CHECKABLE = sorted(name for name in CORPUS if (FEEDS / name).stat().st_size)


@pytest.mark.parametrize("name", CHECKABLE)
def test_a_check_reports_the_errors_of_its_import_and_writes_nothing(name, store, owner, other_store):
    check = _run(store, owner, name, dry_run=True)

    assert check.dry_run is True
    assert not MarketplaceProduct.objects.exists()
    assert not MarketplaceProductTranslation.objects.exists()
    assert not FeedMembership.objects.exists()

    # The same file imported by another store, so that both start from an empty catalog.
    imported = _run(other_store, owner, name, dry_run=False)
    assert check.status == imported.status, check.error_message
    assert check.error_message == imported.error_message
    assert _errors(check) == _errors(imported)
    assert (check.detected_encoding, check.detected_delimiter) == (
        imported.detected_encoding,
        imported.detected_delimiter,
    )
    # "Would be" counts are the import's real ones.
    assert (
        check.imported_count,
        check.updated_count,
        check.unchanged_count,
        check.error_count,
        check.warning_count,
        check.total_processed,
    ) == (
        imported.imported_count,
        imported.updated_count,
        imported.unchanged_count,
        imported.error_count,
        imported.warning_count,
        imported.total_processed,
    )
    assert not MarketplaceProduct.objects.filter(store=store).exists()
    if check.status != Status.FAILED:
        assert len(check.check_report["sample"]) == min(5, check.total_processed)
        assert [c["column"] for c in check.check_report["columns"]] == [h.strip() for h in check.source_header]


def test_the_report_has_the_mapping_with_suggestions_and_the_rows_as_they_would_be_stored(store, owner):
    job = _run(store, owner, "cp1252_semicolon.csv", dry_run=True)
    report = job.check_report

    by_column = {entry["column"]: entry for entry in report["columns"]}
    assert all(entry["field"] for entry in report["columns"]), report["columns"]
    assert by_column[job.source_header[0].strip()]["field"] == "marketplace_product_id"
    first = report["sample"][0]
    assert first["row"] == 2 and first["skipped"] is False
    product = first["values"]
    assert product["marketplace_product_id"] == first["identifier"]
    assert "€" not in product["price"] and product["currency"] == "EUR"
    # The rows with an unreadable price are shown skipped, with their problem.
    skipped = [row for row in report["sample"] if row["skipped"]]
    assert [issue["error_type"] for row in skipped for issue in row["issues"]] == ["parse_error", "parse_error"]


def test_unmapped_and_duplicate_columns_get_a_suggestion_or_the_column_they_lose_to(store, owner, tmp_path):
    header = ["id", "title", "avaliability", "Preis", "price", "Lieblingsfarbe des Chefs"]
    path = write_feed(tmp_path / "f.csv", [["A1", "Shirt", "in stock", "9 EUR", "10 EUR", "blau"]], header=header)
    job = import_file(store, path, dry_run=True)

    columns = job.check_report["columns"]
    assert columns[2] == {"column": "avaliability", "field": "", "suggestion": "availability"}
    # Google's own name wins over the localized one: "Preis" gives nothing, it would be extra.
    assert columns[3] == {"column": "Preis", "field": "", "duplicate_of": "price"}
    assert columns[4] == {"column": "price", "field": "price"}
    assert columns[5] == {"column": "Lieblingsfarbe des Chefs", "field": "", "suggestion": ""}
    assert job.check_report["sample"][0]["values"]["price"] == "10.00"
    assert not MarketplaceProduct.objects.exists()


def test_a_feed_without_a_title_column_fails_with_its_mapping_recorded(store, owner):
    job = _run(store, owner, "no_title_column.csv", dry_run=True)

    assert job.status == Status.FAILED
    assert "title" in job.error_message
    assert job.check_report["columns"][0]["field"] == "marketplace_product_id"


def test_against_a_catalog_it_says_what_would_be_added_changed_unchanged_and_missing(store, tmp_path):
    rows = [product_row(n) for n in range(1, 7)]
    import_file(store, write_feed(tmp_path / "a.csv", rows), is_full_feed=True)
    before = _catalog(store)

    changed = [product_row(1, price="1.50 EUR"), product_row(2, title="Neuer Titel"), *rows[2:4], product_row(9)]
    check = import_file(store, write_feed(tmp_path / "b.csv", changed), is_full_feed=True, dry_run=True)

    assert check.status == Status.COMPLETED
    assert (check.imported_count, check.updated_count, check.unchanged_count) == (1, 2, 2)
    # SKU-0005 and SKU-0006 are not in the file: a full import would make them missing.
    assert check.missing_count == 2
    assert check.check_report["would_go_missing"] == 2
    assert check.check_report["removal_would_hold"] is True  # 2 of 6 is over the 20% safety net
    assert _catalog(store) == before
    assert not FeedMembership.objects.filter(import_job=check).exists()
    assert not MarketplaceProduct.objects.filter(store=store, missing_since__isnull=False).exists()
    assert not MarketplaceProductTranslation.objects.filter(absent_streak__gt=0).exists()


def test_a_partial_feed_check_counts_the_absent_products_but_would_make_none_missing(store, tmp_path):
    rows = [product_row(n) for n in range(1, 5)]
    import_file(store, write_feed(tmp_path / "a.csv", rows))
    check = import_file(store, write_feed(tmp_path / "b.csv", rows[:3]), dry_run=True)

    assert check.unchanged_count == 3
    assert check.missing_count == 0
    assert check.check_report["would_go_missing"] == 1


def test_a_check_does_not_count_for_the_safety_net(store, tmp_path):
    store.removal_max_percent = 50
    store.save()
    rows = [product_row(n) for n in range(1, 5)]
    import_file(store, write_feed(tmp_path / "a.csv", rows), is_full_feed=True)
    # A check of a much longer feed: were it the previous full import, the next one (3
    # rows, under half of 20) would be held.
    many = [product_row(n) for n in range(1, 21)]
    import_file(store, write_feed(tmp_path / "b.csv", many), is_full_feed=True, dry_run=True)

    job = import_file(store, write_feed(tmp_path / "c.csv", rows[:3]), is_full_feed=True)

    assert job.removal_held is False
    assert job.missing_count == 1


def test_the_queries_of_a_check_do_not_grow_with_the_batch_size(store, tmp_path):
    def queries_for(size: int) -> int:
        path = write_feed(tmp_path / f"{size}.csv", [product_row(n) for n in range(size)])
        with CaptureQueriesContext(connection) as captured:
            import_file(store, path, dry_run=True, batch_size=size)
        return len(captured.captured_queries)

    assert queries_for(100) == queries_for(1000)


def test_a_check_cannot_be_published(store, owner, tmp_path):
    import_file(store, write_feed(tmp_path / "a.csv", [product_row(1)]))
    check = import_file(store, write_feed(tmp_path / "b.csv", [product_row(1)]), dry_run=True)

    with pytest.raises(ValidationError, match="check of a feed"):
        product_publish(store=store, job=check)


def test_a_retried_check_is_a_check(store, owner, feed_server):
    feed_server.route("/f.csv", ",".join(HEADER).encode() + b"\r\n", status=500)
    job = import_job_create(store=store, user=owner, source_url=feed_server.url("/f.csv"), enqueue=False, dry_run=True)
    run_import(job=import_job_claim(job_id=job.pk))
    job.refresh_from_db()
    assert job.status == Status.FAILED

    from marketplace.services import import_job_retry

    assert import_job_retry(job=job, user=owner).dry_run is True


def test_a_check_is_cancelled_as_an_import_is(store, owner, tmp_path):
    from marketplace.services import import_job_cancel

    upload = SimpleUploadedFile("f.csv", b"id,title\nA1,Shirt\n")
    job = import_job_create(store=store, user=owner, upload=upload, enqueue=False, dry_run=True)

    cancelled = import_job_cancel(job=job)

    assert (cancelled.status, cancelled.dry_run) == (Status.CANCELLED, True)
    assert import_job_claim(job_id=job.pk) is None
