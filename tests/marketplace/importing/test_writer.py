"""The batch writer and the classification of a batch's rows, on both databases."""

from __future__ import annotations

import pickle
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from marketplace.importing.classification import BatchSorting
from marketplace.importing.jobs import BatchCounts
from marketplace.importing.normalizers import RowIssue
from marketplace.importing.reader import ReadBatch
from marketplace.importing.row_values import content_hash
from marketplace.importing.rows import ErrorRow, FeedRow
from marketplace.importing.writing.writer import STRATEGIES, BatchWriter
from marketplace.models import (
    MarketplaceImportError,
    MarketplaceImportJob,
    MarketplaceProduct,
    MarketplaceProductTranslation,
)
from tests.factories.marketplace import MarketplaceImportJobFactory
from tests.factories.stores import StoreFactory
from tests.marketplace.importing.conftest import record

pytestmark = pytest.mark.django_db


def row(
    identifier: str, number: int = 2, *, warnings: bool = False, cells: list[str] | None = None, **values: Any
) -> FeedRow:
    """A valid row as normalizing gives it, in this database's payload."""
    rec = record(identifier, **values)
    payload, chash = STRATEGIES[connection.vendor].render(rec)
    # Any stable function of the values stands in for the raw-row hash here.
    raw = content_hash(rec) + rec["title"] + rec["description"]
    issues = (RowIssue("validation_error", "warning", "gtin", "Bad check digit."),) if warnings else ()
    return FeedRow(number, identifier, str(hash(raw)), chash, payload, issues, True, cells or [identifier])


def new_job(store, language: str = "fr") -> MarketplaceImportJob:
    # Earlier jobs of the same store and language must be finished (one active job rule).
    MarketplaceImportJob.objects.filter(store=store, language=language).update(status="completed")
    return MarketplaceImportJobFactory(store=store, language=language, status="processing")


def _snapshot(cells: list[str], field: str) -> dict[str, str]:
    return dict(zip(("id", field), cells, strict=False)) if field else {"id": cells[0]}


def write_batch(
    writer: BatchWriter, rows: list[FeedRow], errors: list[ErrorRow] | None = None, error_rows: int = 0
) -> BatchCounts:
    """One batch of normalized rows through the writer and the classification, as the import runs it."""
    with transaction.atomic():
        writer.lock_store()
        existing = writer.read_existing([(r.identifier, r.source_hash) for r in rows])
        sorting = BatchSorting(existing, _snapshot)
        sorting.errors.extend(errors or [])
        sorting.error_rows += error_rows
        for feed_row in rows:
            sorting.take_normalized(feed_row)
        sorting.drop_claimed_earlier(writer.claim_ids(sorting.claims()))
        plan = sorting.plan(existing, writer.texts, processed=len(rows) + error_rows)
        return writer.write(plan, bytes_processed=50, bytes_total=100)


def persist(
    job: MarketplaceImportJob, rows: list[FeedRow], errors: list[ErrorRow] | None = None, error_rows: int = 0
) -> BatchCounts:
    writer = BatchWriter(job=job)
    writer.open()
    try:
        return write_batch(writer, rows, errors, error_rows)
    finally:
        writer.close()


def test_it_inserts_new_products_with_their_translation(store):
    job = new_job(store)
    counts = persist(job, [row("A", 2), row("B", 3, price=Decimal("5.00")), row("C", 4)])

    assert (counts.imported, counts.updated, counts.unchanged, counts.processed) == (3, 0, 0, 3)
    product = MarketplaceProduct.objects.get(store=store, marketplace_product_id="B")
    assert product.price == Decimal("5.00")
    assert product.title == "Titre B"
    assert product.store_name == "Alpha Store"
    assert product.last_import_job == job
    assert product.content_hash == content_hash(record("B", price=Decimal("5.00")))
    translation = product.translations.get()
    assert (translation.language, translation.title, translation.link) == (
        "fr",
        "Titre B",
        "https://shop.example.lu/fr/B",
    )
    job.refresh_from_db()
    assert (job.imported_count, job.total_processed, job.progress_percent, job.bytes_processed) == (3, 3, 50, 50)


def test_it_writes_every_attribute_the_way_the_orm_reads_it(store):
    values: dict[str, Any] = {
        "additional_image_links": ["https://x/1.jpg", "https://x/2.jpg"],
        "sale_price": Decimal("9.50"),
        "sale_price_currency": "EUR",
        "identifier_exists": False,
        "adult": None,
        "multipack": 3,
        "is_bundle": True,
        "extra_attributes": {"supplier_ref": "SUP-1", "note": 'é "quoted"'},
        "gtin": "4006381333931",
    }
    persist(new_job(store), [row("A", **values)])

    product = MarketplaceProduct.objects.get(marketplace_product_id="A")
    for name, value in values.items():
        assert getattr(product, name) == value, name


def test_rows_read_ahead_write_every_attribute_the_way_the_orm_reads_it(store):
    values: dict[str, Any] = {
        "additional_image_links": ["https://x/1.jpg"],
        "sale_price": Decimal("9.50"),
        "price": Decimal("1299.00"),
        "sale_price_currency": "EUR",
        "identifier_exists": False,
        "adult": None,
        "multipack": 3,
        "is_bundle": True,
        "extra_attributes": {"supplier_ref": "SUP-1"},
        "gtin": "4006381333931",
    }
    persist(new_job(store), [reader_row("A", "bytes", **values)])

    product = MarketplaceProduct.objects.get(marketplace_product_id="A")
    for name, value in values.items():
        assert getattr(product, name) == value, name
    # Written from text, read back as the same values: the next import finds nothing to change.
    counts = persist(new_job(store), [row("A", **values)])
    assert (counts.updated, counts.unchanged) == (0, 1)


def test_new_products_never_reuse_an_id_and_their_translations_follow_them(store, other_store):
    persist(new_job(store), [row("A", 2), row("B", 3)])
    deleted = MarketplaceProduct.objects.get(marketplace_product_id="B")
    deleted_id = deleted.id
    deleted.delete()
    persist(new_job(other_store), [row("X", 2)])  # another store's import in between

    persist(new_job(store), [row("C", 2), row("D", 3)])

    products = {p.marketplace_product_id: p for p in MarketplaceProduct.objects.all()}
    assert min(products["C"].id, products["D"].id) > max(deleted_id, products["X"].id)
    for product in products.values():
        assert list(product.translations.values_list("title", flat=True)) == [f"Titre {product.marketplace_product_id}"]


def test_it_counts_identical_rows_as_unchanged_and_does_not_write_them(store):
    persist(new_job(store), [row("A"), row("B")])
    before = dict(MarketplaceProduct.objects.values_list("marketplace_product_id", "updated_at"))

    job = new_job(store)
    counts = persist(job, [row("A"), row("B")])

    assert (counts.imported, counts.updated, counts.unchanged) == (0, 0, 2)
    assert dict(MarketplaceProduct.objects.values_list("marketplace_product_id", "updated_at")) == before
    assert not MarketplaceProduct.objects.filter(last_import_job=job).exists()


def test_it_updates_changed_rows_only(store):
    first = new_job(store)
    persist(first, [row("A"), row("B"), row("C", description="Old text.")])

    job = new_job(store)
    counts = persist(job, [row("A", price=Decimal("21.00")), row("B"), row("C", description="New text.")])

    assert (counts.imported, counts.updated, counts.unchanged) == (0, 2, 1)
    products = {p.marketplace_product_id: p for p in MarketplaceProduct.objects.all()}
    assert products["A"].price == Decimal("21.00")
    assert products["A"].last_import_job == job
    assert products["B"].last_import_job == first
    assert products["C"].description == "New text."
    assert MarketplaceProductTranslation.objects.get(product=products["C"]).description == "New text."


def test_a_mixed_batch_counts_every_row_once(store):
    persist(new_job(store), [row("A"), row("B")])
    job = new_job(store)
    errors = [
        ErrorRow(
            row_number=5,
            identifier="",
            error_type="missing_id",
            severity="error",
            field="id",
            message="The row has no id.",
            row_data={"title": "x"},
        ),
    ]
    counts = persist(
        job,
        [
            row("A", 2),
            row("B", 3, brand="Other"),
            row("C", 4),
            row("D", 6, warnings=True, cells=["D", "4006381333932"]),
        ],
        errors=errors,
        error_rows=1,
    )

    assert (counts.imported, counts.updated, counts.unchanged, counts.errors, counts.warnings, counts.processed) == (
        2,
        1,
        1,
        1,
        1,
        5,
    )
    job.refresh_from_db()
    assert (
        job.imported_count,
        job.updated_count,
        job.unchanged_count,
        job.error_count,
        job.warning_count,
        job.total_processed,
    ) == (2, 1, 1, 1, 1, 5)
    stored = list(job.errors.values_list("row_number", "identifier", "error_type", "severity", "field", "row_data"))
    assert stored == [
        (5, "", "missing_id", "error", "id", {"title": "x"}),
        (6, "D", "validation_error", "warning", "gtin", {"id": "D", "gtin": "4006381333932"}),
    ]
    assert MarketplaceProductTranslation.objects.get(product__marketplace_product_id="D").had_warnings is True


def test_three_languages_give_one_product_with_three_translations(store):
    for language in ("fr", "en", "de"):
        persist(
            new_job(store, language),
            [
                row(p, title=f"{p} {language}", description=f"{language} text", link=f"https://x/{language}/{p}")
                for p in ("A", "B")
            ],
        )

    assert MarketplaceProduct.objects.filter(store=store).count() == 2
    product = MarketplaceProduct.objects.get(marketplace_product_id="A")
    assert {t.language: t.title for t in product.translations.all()} == {"fr": "A fr", "en": "A en", "de": "A de"}
    # The store's default language is French.
    assert (product.title, product.description) == ("A fr", "fr text")
    assert product.translations.get(language="fr").link == "https://x/fr/A"

    # A German re-import with new texts changes only the German translation.
    counts = persist(
        new_job(store, "de"),
        [
            row("A", title="A neu", description="de neu", link="https://x/de/A"),
            row("B", title="B de", description="de text", link="https://x/de/B"),
        ],
    )
    assert (counts.updated, counts.unchanged) == (1, 1)
    product.refresh_from_db()
    assert {t.language: t.title for t in product.translations.all()} == {"fr": "A fr", "en": "A en", "de": "A neu"}
    assert product.title == "A fr"
    assert product.translations.get(language="en").description == "en text"


def test_a_new_product_takes_its_texts_from_the_first_language_until_the_default_arrives(store):
    persist(new_job(store, "de"), [row("A", title="Titel")])
    product = MarketplaceProduct.objects.get()
    assert product.title == "Titel"

    persist(new_job(store, "de"), [row("A", title="Neuer Titel")])
    product.refresh_from_db()
    assert product.title == "Neuer Titel"  # German is still the first (and only) language

    persist(new_job(store, "fr"), [row("A", title="Titre")])
    product.refresh_from_db()
    assert product.title == "Titre"  # the store's default language wins once it exists

    persist(new_job(store, "de"), [row("A", title="Noch ein Titel")])
    product.refresh_from_db()
    assert product.title == "Titre"


def test_without_the_default_language_the_first_language_keeps_the_texts(store):
    store.default_language = "en"
    store.save()
    persist(new_job(store, "fr"), [row("A", title="Titre")])
    persist(new_job(store, "de"), [row("A", title="Titel")])
    assert MarketplaceProduct.objects.get().title == "Titre"

    persist(new_job(store, "fr"), [row("A", title="Titre 2")])
    assert MarketplaceProduct.objects.get().title == "Titre 2"


def test_the_same_ids_in_two_stores_are_separate_products(store, other_store):
    persist(new_job(store), [row("A", price=Decimal("1.00"))])
    counts = persist(new_job(other_store), [row("A", price=Decimal("2.00"))])

    assert counts.imported == 1
    assert dict(MarketplaceProduct.objects.values_list("store__code", "price")) == {
        "alpha": Decimal("1.00"),
        "bravo": Decimal("2.00"),
    }


def test_a_row_with_the_same_data_from_other_bytes_is_unchanged_but_remembered(store):
    persist(new_job(store), [row("A")])
    again = row("A")._replace(source_hash="other-bytes")
    writer = BatchWriter(job=new_job(store))

    counts = persist(writer.job, [again])

    assert (counts.updated, counts.unchanged) == (0, 1)
    assert MarketplaceProductTranslation.objects.get().source_hash == "other-bytes"
    assert writer.read_existing([("A", "other-bytes")])["A"].fresh is True


def reader_row(identifier: str, source_hash: str, **values: Any) -> FeedRow:
    """A row as the reader process sends it: through the pipe, as one pickle."""
    sent = row(identifier, **values)._replace(source_hash=source_hash)
    return pickle.loads(pickle.dumps(ReadBatch(rows=[sent], bytes_read=0), protocol=pickle.HIGHEST_PROTOCOL)).rows[0]


@pytest.mark.parametrize("text", ["tab\there", "back\\slash", "\\N", "line\nbreak", "é €"])
def test_rows_read_ahead_keep_every_character_and_compare_equal_again(store, text):
    persist(new_job(store), [reader_row("A", "first-bytes", title=text, description=text, brand=text)])

    product = MarketplaceProduct.objects.get(marketplace_product_id="A")
    translation = MarketplaceProductTranslation.objects.get()
    assert (product.title, product.description, product.brand) == (text, text, text)
    assert (translation.title, translation.description) == (text, text)
    # The same data from other bytes: the texts read back from the database equal the row's.
    counts = persist(new_job(store), [reader_row("A", "other-bytes", title=text, description=text, brand=text)])
    assert (counts.updated, counts.unchanged) == (0, 1)
    counts = persist(new_job(store), [reader_row("A", "third-bytes", title=text + "!", description=text, brand=text)])
    assert (counts.updated, counts.unchanged) == (1, 0)
    assert MarketplaceProductTranslation.objects.get().title == text + "!"


def test_read_existing_recognizes_untouched_rows(store):
    first = row("A")
    warned = row("B", warnings=True)
    persist(new_job(store), [first, warned])
    writer = BatchWriter(job=new_job(store))

    existing = writer.read_existing([("A", first.source_hash), ("B", warned.source_hash), ("C", "x")])

    assert set(existing) == {"A", "B"}
    assert existing["A"].fresh is True and existing["A"].texts is None
    # A row with warnings is normalized again so its warnings are reported again.
    assert existing["B"].fresh is False and existing["B"].texts[0] == "Titre B"
    assert writer.read_existing([("A", "changed")])["A"].fresh is False


def test_a_product_changed_since_its_translation_was_written_is_not_fresh(store):
    first = row("A")
    persist(new_job(store), [first])
    # Another language's import changed the shared data afterwards.
    persist(new_job(store, "de"), [row("A", price=Decimal("30.00"))])

    writer = BatchWriter(job=new_job(store))
    assert writer.read_existing([("A", first.source_hash)])["A"].fresh is False
    counts = persist(writer.job, [first])
    assert counts.updated == 1
    assert MarketplaceProduct.objects.get().price == Decimal("19.99")


def test_claim_ids_reports_ids_of_earlier_batches(store):
    writer = BatchWriter(job=new_job(store))
    writer.open()
    assert writer.claim_ids([("A", 2), ("B", 3)]) == {}
    assert writer.claim_ids([("C", 1002), ("A", 1003)]) == {"A": 2}
    writer.close()


def test_ids_holding_the_separator_the_keys_travel_with_are_read_and_claimed_exactly(store):
    # PostgreSQL receives a batch's ids joined by \x1f, or as JSON when an id contains it.
    ids = ["A\x1fB", "A", "B"]
    first = [row(identifier, number) for number, identifier in enumerate(ids, start=2)]
    persist(new_job(store), first)
    writer = BatchWriter(job=new_job(store))
    writer.open()
    try:
        existing = writer.read_existing([(r.identifier, r.source_hash) for r in first] + [("C", "x")])
        assert set(existing) == set(ids)
        assert all(existing[r.identifier].fresh for r in first)
        assert len({state.product_id for state in existing.values()}) == 3
        assert writer.claim_ids([("A\x1fB", 2), ("A", 3)]) == {}
        assert writer.claim_ids([("A\x1fB", 9), ("B", 4)]) == {"A\x1fB": 2}
        assert writer.claim_ids([("A", 10), ("C", 11)]) == {"A": 3}
    finally:
        writer.close()


@pytest.mark.parametrize("existing_share", [0.0, 0.5])
def test_the_number_of_queries_does_not_grow_with_the_batch_size(store, existing_share):
    def queries_for(size: int, prefix: str) -> int:
        known = int(size * existing_share)
        persist(new_job(store), [row(f"{prefix}{i}") for i in range(known)])
        job = new_job(store)
        rows = [row(f"{prefix}{i}", i + 2, brand="B" if i % 2 else "Maison Moselle") for i in range(size)]
        errors = [
            ErrorRow(row_number=i, identifier="", error_type="missing_id", severity="error", field="id", message="x")
            for i in range(size // 10)
        ]
        writer = BatchWriter(job=job)
        writer.open()
        with CaptureQueriesContext(connection) as captured:
            write_batch(writer, rows, errors, error_rows=len(errors))
        writer.close()
        return len(captured.captured_queries)

    small, large = queries_for(100, "s"), queries_for(1000, "l")
    assert small == large
    # savepoint, lock, read, ids, copies, stage, writes, feed membership, errors, counters, release...
    assert large <= 17


def test_a_failed_write_leaves_nothing_behind(store, monkeypatch):
    job = new_job(store)
    writer = BatchWriter(job=job)

    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("marketplace.importing.jobs.import_job_add_counts", boom)
    with pytest.raises(RuntimeError):
        write_batch(writer, [row("A")])

    assert not MarketplaceProduct.objects.exists()
    assert not MarketplaceImportError.objects.exists()


def test_another_store_with_an_other_default_language(db):
    german = StoreFactory(code="delta", name="Delta", default_language="de")
    persist(new_job(german, "fr"), [row("A", title="Titre")])
    persist(new_job(german, "de"), [row("A", title="Titel")])
    assert MarketplaceProduct.objects.get().title == "Titel"
