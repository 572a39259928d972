"""Write one batch of normalized feed rows: products, the job language's translations,
row errors and the job's counters, in one transaction.

The per-object ORM paths cost more than the rest of the import together, so this module
speaks SQL, with every table and column name taken from the models' `_meta`:

- one read query per batch returns, for each id of the batch, the existing product's id
  and content hash and the job language's translation (its raw-row hash, and its texts
  only when they may have changed). The pipeline uses it to skip rows whose raw bytes are
  unchanged before normalizing them, and this module uses it to sort the rest into new,
  changed and identical;
- PostgreSQL: new products and their translations are `COPY`ed straight into their
  tables (ids drawn from the sequence first); changed products are `COPY`ed into a
  temporary table, then one UPDATE ... FROM and one INSERT ... ON CONFLICT for their
  translations; errors are `COPY`ed into their table;
- SQLite: one `executemany` per statement (it runs in-process, so there is no round trip
  to save, only per-statement overhead).

The number of statements per batch is fixed; it does not grow with the batch size.

Concurrency: two imports of the same store in different languages may run at once and
touch the same products. Each batch therefore takes a per-store lock for its transaction
(an advisory lock on PostgreSQL; SQLite's IMMEDIATE transactions already serialize
writers) before it reads, so what it read is still true when it writes.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from psycopg import errors as psycopg_errors

from marketplace.importing import jobs
from marketplace.importing.copy_format import field_text
from marketplace.importing.errors import ImportCancelled
from marketplace.importing.jobs import BatchCounts
from marketplace.importing.row_values import (
    RECORD_FIELDS,
    TEXT_FIELDS,
    copy_line,
    joined_values,
    parse_fields,
    prepare,
    text_values,
)
from marketplace.importing.sqlite_checkpoint import BackgroundCheckpointer
from marketplace.models import (
    MarketplaceImportError,
    MarketplaceImportJob,
    MarketplaceProduct,
    MarketplaceProductTranslation,
)

logger = logging.getLogger(__name__)
_PRODUCT = MarketplaceProduct._meta
_TRANSLATION = MarketplaceProductTranslation._meta
_ERROR = MarketplaceImportError._meta

SQLITE_CACHE_KIB = 32 * 1024
# A load re-analyzes the tables it grew once it added this many rows, or a fifth of what
# the planner last counted, whichever is more (keep_statistics_current).
ANALYZE_AFTER_ROWS = 50_000
ANALYZE_LOCK_TIMEOUT = "2s"
# Rows per write during a COPY (about 100 KB): small enough for the server to start
# early, large enough that the calls cost nothing.
_COPY_CHUNK_ROWS = 64
# Joins a batch's ids for the server to split. A cell may hold it (decoding removes only
# NUL), so `_joined` checks that no id does.
_SEPARATOR = "\x1f"
_SEPARATOR_SQL = "E'\\x1f'"
# Advisory-lock namespace for "a batch of this store is being written" (any 32-bit value
# that no other code uses).
_STORE_LOCK_CLASS = 0x4C5A  # "LZ"


def _col(meta: Any, name: str) -> str:
    return connection.ops.quote_name(meta.get_field(name).column)


def _table(meta: Any) -> str:
    return connection.ops.quote_name(meta.db_table)


@dataclass(slots=True)
class ProductRow:
    """One normalized row to persist."""

    row_number: int
    identifier: str
    record: dict[str, Any] | None  # None when `prepared` is given (rows normalized in the reader process)
    source_hash: str  # hash of the raw feed row (see MarketplaceProductTranslation.source_hash)
    had_warnings: bool = False
    # `prepare(record)`, when already computed; values None when they travelled as text
    # from the reader process: a COPY line (PostgreSQL) or `joined` (SQLite).
    prepared: tuple[list[Any] | None, str] | None = None
    copy_text: str | None = None  # the COPY line (see row_values.copy_line)
    texts_start: int = 0  # where the translatable texts start in copy_text
    joined: str | None = None  # see row_values.prepare_joined

    def values(self) -> list[Any] | None:
        """The values to write, or None for a row that travelled as a COPY line only."""
        values, chash = self._prepared()
        if values is None and self.joined is not None:
            values = joined_values(self.joined)
            self.prepared = (values, chash)
        return values

    def content_hash(self) -> str:
        return self._prepared()[1]

    def _prepared(self) -> tuple[Any, str]:
        if self.prepared is None:
            self.prepared = prepare(self.record)
        return self.prepared

    def values_text(self) -> str:
        if self.copy_text is None:
            self.copy_text, self.texts_start = copy_line(self.values())
        return self.copy_text

    def texts_text(self) -> str:
        """The translatable texts as COPY text (the end of the COPY line)."""
        return self.values_text()[self.texts_start:]

    def texts(self) -> tuple[str, ...]:
        """The translatable texts, "" for none."""
        values = self.values()
        texts = text_values(values) if values is not None else parse_fields(self.texts_text())
        return tuple(text or "" for text in texts)


@dataclass(slots=True)
class ErrorRow:
    """One MarketplaceImportError to insert (an error or a warning)."""

    row_number: int
    identifier: str
    error_type: str
    severity: str
    field: str
    message: str
    row_data: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Existing:
    """What the database holds for one id of the batch."""

    product_id: int
    content_hash: str
    has_translation: bool
    # True when the job language's translation came from this exact raw row, had no
    # warnings, and the product has not changed since: the row needs no work at all.
    fresh: bool
    # The translation came from this exact raw row, which had warnings: never fresh (its
    # warnings are reported again), but there is nothing new to record about it either.
    same_warned: bool
    # This language writes the product's own title/description/link/product_type.
    owns_texts: bool
    # The translation's texts, read only when the row is not fresh (else None).
    texts: tuple[str, str, str, str] | None


@dataclass(slots=True)
class Batch:
    """Everything one batch hands to `BatchWriter.write`."""

    rows: list[ProductRow]
    errors: list[ErrorRow]
    error_rows: int = 0  # rows skipped (one row may carry several ErrorRow records)
    unchanged: int = 0  # rows the caller recognized as unchanged without normalizing
    processed: int = 0  # data rows read, whatever became of them
    bytes_processed: int = 0
    bytes_total: int = 0


def _joined(values: list[str]) -> str | None:
    """The values joined by _SEPARATOR, or None when one of them contains it."""
    joined = _SEPARATOR.join(values)
    return joined if joined.count(_SEPARATOR) == len(values) - 1 else None


class BatchWriter:
    """Writes the batches of one import job. One instance per run (it keeps temp tables).

    Call `read_existing` and `write` inside the same `transaction.atomic()` (or use
    `persist_batch`, which does).
    """

    def __init__(self, *, job: MarketplaceImportJob) -> None:
        self.job = job
        self.store = job.store
        self.language = job.language
        self.marketplace = job.marketplace
        self.vendor = connection.vendor
        self._opened = False
        self._sequence: str | None = None
        self._statistics_checked = False
        self._added_since_analyze = 0
        self._rows_at_analyze: int | None = None
        self._checkpointer: BackgroundCheckpointer | None = None
        self._prepare_sql()

    def keep_statistics_current(self, *, added: int, final: bool = False) -> bool:
        """Re-analyze the product tables after a large load (PostgreSQL); return whether it did.

        The planner's row counts come from the last ANALYZE. After a big first import of a
        store they still describe the small table from before, and the batch's read query
        can then turn into scans: a 200,000-row re-import crawled at 90 rows/s until an
        ANALYZE, with autovacuum off or not yet round. So a load analyzes what it grew,
        during the import and once more at its end, on the key columns only.
        """
        if self.vendor != "postgresql":
            return False
        self._added_since_analyze += added
        if self._rows_at_analyze is None:
            self._rows_at_analyze = self._planner_rows()
        threshold = max(ANALYZE_AFTER_ROWS, self._rows_at_analyze // 5)
        if self._added_since_analyze < (min(threshold, ANALYZE_AFTER_ROWS // 5) if final else threshold):
            return False
        q = connection.ops.quote_name
        product_keys = ", ".join(q(_PRODUCT.get_field(name).column)
                                 for name in ("store", "marketplace", "marketplace_product_id"))
        translation_keys = ", ".join(q(_TRANSLATION.get_field(name).column) for name in ("product", "language"))
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                # ANALYZE waits for a session altering or vacuuming the table by hand; fresh
                # statistics are worth a second, not a stalled import.
                cursor.execute(f"SET LOCAL lock_timeout = '{ANALYZE_LOCK_TIMEOUT}'")
                # Only the key columns the batch's read joins on: analyzing all 45 columns (long
                # texts, JSON) cost a quarter of a fresh import; these few cost a few percent.
                cursor.execute(f"ANALYZE {self.products} ({product_keys})")
                cursor.execute(f"ANALYZE {self.translations} ({translation_keys})")
        except OperationalError as exc:
            logger.warning("Planner statistics not refreshed (%s); the next large batch tries again", exc)
            return False
        self._rows_at_analyze = self._planner_rows()
        self._added_since_analyze = 0
        return True

    def _planner_rows(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [_PRODUCT.db_table])
            row = cursor.fetchone()
        return max(0, int(row[0])) if row else 0

    # --- set-up -----------------------------------------------------------------------

    def _prepare_sql(self) -> None:
        q = connection.ops.quote_name
        self.products = _table(_PRODUCT)
        self.translations = _table(_TRANSLATION)
        self.errors_table = _table(_ERROR)
        p = {name: _col(_PRODUCT, name) for name in (
            *RECORD_FIELDS, "id", "store", "marketplace", "store_name", "content_hash", "last_import_job",
            "created_at", "updated_at")}
        t = {name: _col(_TRANSLATION, name) for name in (
            "id", "product", "language", "source_hash", "had_warnings", "created_at", "updated_at", *TEXT_FIELDS)}
        self.p, self.t = p, t
        self.error_columns = [_col(_ERROR, name) for name in (
            "import_job", "row_number", "identifier", "error_type", "severity", "field", "error_message",
            "row_data", "created_at")]
        self.stage = q("import_stage")
        self.seen = q("import_seen_ids")
        owns_default = self.language == self.store.default_language
        # The product's texts follow the store's default language when that translation
        # exists, otherwise the first language imported (the oldest translation).
        owns_sql = "TRUE" if owns_default else (
            f"(NOT EXISTS (SELECT 1 FROM {self.translations} d WHERE d.{t['product']} = p.{p['id']}"
            f" AND d.{t['language']} = %s)"
            f" AND COALESCE((SELECT f.{t['language']} FROM {self.translations} f"
            f" WHERE f.{t['product']} = p.{p['id']} ORDER BY f.{t['id']} LIMIT 1), %s) = %s)"
        )
        self.owns_params: list[Any] = (
            [] if owns_default else [self.store.default_language, self.language, self.language]
        )
        fresh = (f"(tr.{t['source_hash']} = b.sh AND NOT tr.{t['had_warnings']}"
                 f" AND p.{p['updated_at']} <= tr.{t['updated_at']})")
        texts = ", ".join(f"CASE WHEN {fresh} THEN NULL ELSE tr.{t[name]} END" for name in TEXT_FIELDS)
        same_warned = f"COALESCE(tr.{t['source_hash']} = b.sh AND tr.{t['had_warnings']}, FALSE)"
        columns = (f"p.{p['id']}, p.{p['content_hash']}, tr.{t['id']} IS NOT NULL,"
                   f" COALESCE({fresh}, FALSE), {same_warned}, {owns_sql}, {texts}")
        translation_join = (f"LEFT JOIN {self.translations} tr ON tr.{t['product']} = p.{p['id']}"
                            f" AND tr.{t['language']} = %s")
        product_key = f"p.{p['store']} = %s AND p.{p['marketplace']} = %s AND p.{p['marketplace_product_id']} = b.mpid"
        if self.vendor == "postgresql":
            # LATERAL with OFFSET 0 (which keeps the subquery from being flattened into a
            # join) makes the plan one unique-index probe per id of the batch, whatever the
            # statistics say. A store's first big import runs before any ANALYZE has seen
            # its products; as a join, the planner then hashes all of them for every batch.
            # The batch's keys travel as two texts joined by the unit separator, split by
            # the server (a third faster than a JSON array), or as one JSON text when an id
            # contains the separator; json.dumps is C code, while psycopg adapts a Python
            # list to an array element by element, in Python.
            lateral = (f" CROSS JOIN LATERAL (SELECT {columns} FROM {self.products} p {translation_join}"
                       f" WHERE {product_key} OFFSET 0) x")
            self.read_sql = (f"SELECT b.mpid, x.* FROM unnest(string_to_array(%s, {_SEPARATOR_SQL}),"
                             f" string_to_array(%s, {_SEPARATOR_SQL})) AS b(mpid, sh){lateral}")
            self.read_json_sql = (f"SELECT b.mpid, x.* FROM (SELECT e->>0 AS mpid, e->>1 AS sh"
                                  f" FROM json_array_elements(%s::json) e) b{lateral}")
            rest = [*self.owns_params, self.language, self.store.id, self.marketplace]

            def read_query(keys: Sequence[tuple[str, str]]) -> tuple[str, list[Any]]:
                ids = _joined([k[0] for k in keys])
                if ids is None:
                    return self.read_json_sql, [json.dumps(keys, ensure_ascii=False), *rest]
                return self.read_sql, [ids, _SEPARATOR.join([k[1] for k in keys]), *rest]

            self._read_query = read_query
            claim = f"INSERT INTO {self.seen} (mpid, row_number) SELECT * FROM"
            claim_sql = (f"{claim} unnest(string_to_array(%s, {_SEPARATOR_SQL}), string_to_array(%s, ',')::int[])"
                         f" ON CONFLICT DO NOTHING")
            claim_json_sql = (f"{claim} (SELECT e->>0, (e->>1)::int FROM json_array_elements(%s::json) e) c"
                              f" ON CONFLICT DO NOTHING")

            def claim_query(claims: Sequence[tuple[str, int]]) -> tuple[str, list[Any]]:
                ids = _joined([c[0] for c in claims])
                if ids is None:
                    return claim_json_sql, [json.dumps(claims, ensure_ascii=False)]
                return claim_sql, [ids, ",".join([str(c[1]) for c in claims])]

            self._claim_query = claim_query
        else:
            # CROSS JOIN is SQLite's way to keep this join order (loop over the batch's ids,
            # probe the unique index): its planner would otherwise scan the store's products.
            # One JSON parameter instead of two per row: the statement text stays the same
            # whatever the batch size, and SQLite's parameter limit never comes into play.
            self.read_sql = (
                f"SELECT b.mpid, {columns}"
                f" FROM (SELECT json_extract(value, '$[0]') AS mpid, json_extract(value, '$[1]') AS sh"
                f" FROM json_each(%s)) AS b"
                f" CROSS JOIN {self.products} p ON {product_key} {translation_join}"
            )
            self._read_query = lambda keys: (self.read_sql, [
                *self.owns_params, json.dumps(keys, ensure_ascii=False), self.store.id, self.marketplace,
                self.language,
            ])
            claim_sql = (f"INSERT INTO {self.seen} (mpid, row_number) SELECT json_extract(value, '$[0]'),"
                         f" json_extract(value, '$[1]') FROM json_each(%s) WHERE true ON CONFLICT DO NOTHING")
            self._claim_query = lambda claims: (claim_sql, [json.dumps(claims, ensure_ascii=False)])
        self.record_types = {name: _PRODUCT.get_field(name).db_type(connection) for name in RECORD_FIELDS}

    def _ensure_statistics(self, cursor: Any) -> None:
        """Give the planner the tables' sizes if it has never been told (PostgreSQL).

        Until a table has been analyzed once, PostgreSQL takes it (and its indexes) for
        tiny, and then prefers scanning all of a store's products to probing the unique
        index: a fresh database's first big import would slow down with every batch.
        Autovacuum fixes that only minutes later (and not at all when it is off). A
        one-column ANALYZE with a tiny sample takes milliseconds and records the sizes;
        from then on the planner scales them with the table's actual size. The column is
        one no query filters on, so no useful statistics are replaced by rough ones.
        """
        self._statistics_checked = True
        cursor.execute("SELECT relpages FROM pg_class WHERE oid = %s::regclass", [_PRODUCT.db_table])
        row = cursor.fetchone()
        if row is None or row[0] > 0:
            return
        cursor.execute("SET LOCAL default_statistics_target = 1")
        cursor.execute(f"ANALYZE {self.products} ({self.p['content_hash']})")
        cursor.execute(f"ANALYZE {self.translations} ({self.t['source_hash']})")
        cursor.execute("RESET default_statistics_target")

    def _product_sequence(self) -> str:
        if self._sequence is None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [_PRODUCT.db_table, _PRODUCT.pk.column])
                self._sequence = cursor.fetchone()[0]
        return self._sequence

    def open(self) -> None:
        """Create this connection's temporary tables (once per run)."""
        if self._opened:
            return
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                # Byte order: only equality matters here, and the database's collation would
                # compare every inserted id through the C library (a quarter slower).
                cursor.execute(
                    f'CREATE TEMP TABLE IF NOT EXISTS {self.seen}'
                    f' (mpid text COLLATE "C" PRIMARY KEY, row_number integer)'
                )
                columns = ", ".join(
                    f"{connection.ops.quote_name(name)} {self.record_types[name]}" for name in RECORD_FIELDS)
                cursor.execute(
                    f"CREATE TEMP TABLE IF NOT EXISTS {self.stage} (action char(1),"
                    f" product_id bigint, owns boolean, {columns}, content_hash varchar(64),"
                    f" source_hash varchar(64), had_warnings boolean)"
                )
            else:
                # SQLite's default page cache (2 MB) is far smaller than the indexes a big
                # import updates at random places (GTIN, brand...): every batch would
                # re-read most of their pages. This is the connection's cache, so it
                # counts toward the worker's memory; it stays well inside the 200 MB budget.
                cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
                cursor.execute(
                    f"CREATE TEMP TABLE IF NOT EXISTS {self.seen} (mpid TEXT PRIMARY KEY, row_number INTEGER)"
                    f" WITHOUT ROWID"
                )
            # A previous job on this connection may have left ids behind.
            cursor.execute(f"DELETE FROM {self.seen}")
        self._opened = True

    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None
        if not self._opened:
            return
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.seen}")
            if self.vendor == "postgresql":
                cursor.execute(f"DROP TABLE IF EXISTS {self.stage}")
        self._opened = False

    def has_translations(self) -> bool:
        """Whether a product of the store has a translation in the job's language already:
        a re-import, where most rows are usually recognized without normalizing them."""
        return MarketplaceProductTranslation.objects.filter(
            product__store=self.store, product__marketplace=self.marketplace, language=self.language
        ).exists()

    # --- per batch: lock, duplicates, read ----------------------------------------------

    def lock_store(self) -> None:
        """Serialize batches of the same store until this transaction ends.

        On PostgreSQL the same statement turns off the wait for the WAL flush at commit,
        for this transaction only: a server crash can then lose the last fraction of a
        second of batches, but never half a batch (the counters commit with the rows),
        and an import is safe to run again. Waiting for the disk at every batch
        costs more than any statement of the batch.
        """
        if self.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('synchronous_commit', 'off', true), pg_advisory_xact_lock(%s, %s)",
                               [_STORE_LOCK_CLASS, self.store.id % 2**31])

    def claim_ids(self, claims: Sequence[tuple[str, int]]) -> dict[str, int]:
        """Record (id, row number) pairs (distinct ids) as seen in this file.

        Return {id: row number} for the ids that an earlier batch already had, with that
        earlier row's number. The ids live in a temporary table of this connection, so
        the worker's memory stays flat however long the file is.
        """
        if not claims:
            return {}
        self.open()
        ids = [c[0] for c in claims]
        with connection.cursor() as cursor:
            cursor.execute(*self._claim_query(claims))
            # The row count alone says whether every id was new (the common case).
            if cursor.rowcount == len(ids):
                return {}
            # Rare (a duplicate id across batches): one more query for the earlier rows. A
            # row number belongs to one row only, so an id stored with another row number
            # was claimed by an earlier batch.
            wanted = dict(claims)
            if self.vendor == "postgresql":
                cursor.execute(f"SELECT mpid, row_number FROM {self.seen} WHERE mpid = ANY(%s)", [ids])
            else:
                cursor.execute(
                    f"SELECT mpid, row_number FROM {self.seen} WHERE mpid IN (SELECT value FROM json_each(%s))",
                    [json.dumps(ids, ensure_ascii=False)],
                )
            return {mpid: number for mpid, number in cursor.fetchall() if wanted[mpid] != number}

    def read_existing(self, keys: Sequence[tuple[str, str]]) -> dict[str, Existing]:
        """One query: the products of this batch (by id) that exist, with their state.

        `keys` are (identifier, raw row hash) pairs.
        """
        if not keys:
            return {}
        sql, params = self._read_query(keys)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        existing: dict[str, Existing] = {}
        for mpid, product_id, chash, has_tr, fresh, same_warned, owns, *texts in rows:
            existing[mpid] = Existing(
                product_id=product_id,
                content_hash=chash,
                has_translation=bool(has_tr),
                fresh=bool(fresh),
                same_warned=bool(same_warned),
                owns_texts=bool(owns),
                texts=None if texts[0] is None else tuple(texts),
            )
        return existing

    # --- per batch: write ----------------------------------------------------------------

    def write(self, batch: Batch, existing: dict[str, Existing]) -> BatchCounts:
        """Insert, update or skip each row; insert errors; add the counts to the job.

        Must run inside the transaction that read `existing`.
        """
        counts = BatchCounts(
            unchanged=batch.unchanged, errors=batch.error_rows, processed=batch.processed
        )
        # New rows are serialized while they are streamed to the database (see
        # _copy_new_products); the others carry their serialized values and content hash.
        inserts: list[ProductRow] = []
        updates: list[tuple[ProductRow, str, Existing]] = []
        refreshes: list[tuple[ProductRow, Existing]] = []  # only the translation's raw hash to store
        for row in batch.rows:
            if row.had_warnings:
                counts.warnings += 1
            ex = existing.get(row.identifier)
            if ex is None:
                counts.imported += 1
                inserts.append(row)
                continue
            chash = row.content_hash()
            if not ex.has_translation:
                texts_changed = True
            elif ex.texts is None:
                # Texts not read: the translation came from this very raw row.
                texts_changed = False
            else:
                texts_changed = ex.texts != row.texts()
            if texts_changed or ex.content_hash != chash:
                counts.updated += 1
                updates.append((row, chash, ex))
            else:
                counts.unchanged += 1
                if not ex.fresh and not (ex.same_warned and row.had_warnings):
                    # Same data from different bytes (or warnings to forget): store the new
                    # raw hash so the next import recognizes the row without normalizing it.
                    refreshes.append((row, ex))
        now = timezone.now()
        if self.vendor == "postgresql":
            self._write_postgresql(inserts, updates, refreshes, now)
        else:
            self._write_sqlite(inserts, updates, refreshes, now)
            self._checkpoint_after_commit()
        if batch.errors:
            self._insert_errors(batch.errors, now)
        if not jobs.import_job_add_counts(
            job_id=self.job.id, counts=counts, bytes_processed=batch.bytes_processed, bytes_total=batch.bytes_total
        ):
            raise ImportCancelled("The job was cancelled or is no longer processing; the batch is rolled back.")
        return counts

    def start_background_checkpoints(self) -> None:
        """SQLite: checkpoint the WAL in a thread until `close()` (see sqlite_checkpoint).

        The import calls this after forking its reader process: a fork should not copy a
        running thread.
        """
        if self._checkpointer is None and BackgroundCheckpointer.applies_to(connection):
            self._checkpointer = BackgroundCheckpointer(connection)
            self._checkpointer.start()

    def _checkpoint_after_commit(self) -> None:
        if self._checkpointer is not None:
            transaction.on_commit(self._checkpointer.committed)

    def _write_postgresql(self, inserts: list[ProductRow],
                          updates: list[tuple[ProductRow, str, Existing]],
                          refreshes: list[tuple[ProductRow, Existing]], now: datetime) -> None:
        with connection.cursor() as cursor:
            if inserts:
                self._copy_new_products(cursor, inserts, now)
            if updates or refreshes:
                self._update_through_stage(cursor, updates, refreshes, now)

    def _copy_new_products(self, cursor: Any, inserts: list[ProductRow],
                           now: datetime) -> None:
        """New products and their translations go straight into their tables with COPY.

        Their ids are drawn from the sequence first, so the translations need no join back
        to the products. The batch read these ids as absent under the store lock, so only
        a writer outside the import (none exists today) could make the COPY hit the unique
        constraint; the batch is then rolled back and run again, reading that product.
        """
        p, t = self.p, self.t
        cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [self._product_sequence(), len(inserts)])
        ids = [r[0] for r in cursor.fetchall()]
        product_cols = [p["id"], p["store"], p["marketplace"], p["store_name"], p["created_at"], p["updated_at"],
                        p["last_import_job"], *(p[name] for name in RECORD_FIELDS), p["content_hash"]]
        translation_cols = [t["created_at"], t["updated_at"], t["product"], t["language"],
                            *(t[name] for name in TEXT_FIELDS), t["source_hash"], t["had_warnings"]]
        fixed = "\t".join(field_text(v) for v in (self.store.id, self.marketplace, self.store.name, now, now,
                                                      self.job.id))
        stamp = field_text(now)
        texts: list[str] = []
        try:
            with cursor.copy(f"COPY {self.products} ({', '.join(product_cols)}) FROM STDIN") as copy:
                # Sent in small chunks, so that the server stores the first rows while the
                # next ones are still being serialized here.
                lines: list[str] = []
                for row, product_id in zip(inserts, ids, strict=True):
                    lines.append(f"{product_id}\t{fixed}\t{row.values_text()}\t{row.content_hash()}\n")
                    texts.append(row.texts_text())
                    if len(lines) == _COPY_CHUNK_ROWS:
                        copy.write("".join(lines))
                        lines = []
                copy.write("".join(lines))
            with cursor.copy(f"COPY {self.translations} ({', '.join(translation_cols)}) FROM STDIN") as copy:
                copy.write("".join([
                    f"{stamp}\t{stamp}\t{product_id}\t{self.language}\t{text}"
                    f"\t{row.source_hash}\t{'t' if row.had_warnings else 'f'}\n"
                    for row, product_id, text in zip(inserts, ids, texts, strict=True)]))
        except (IntegrityError, psycopg_errors.UniqueViolation) as exc:
            raise ConcurrentWriteError("Another writer created products of this batch.") from exc
        if not self._statistics_checked:
            self._ensure_statistics(cursor)

    def _update_through_stage(self, cursor: Any, updates: list[tuple[ProductRow, str, Existing]],
                              refreshes: list[tuple[ProductRow, Existing]], now: datetime) -> None:
        """Changed products: COPY into a temporary table, then one UPDATE ... FROM and one
        translation upsert, each a single set-based statement."""
        self.open()
        p, t = self.p, self.t
        q = connection.ops.quote_name
        record_cols = [q(name) for name in RECORD_FIELDS]
        stage_cols = ["action", "product_id", "owns", *record_cols, "content_hash", "source_hash", "had_warnings"]
        cursor.execute(f"TRUNCATE {self.stage}")
        # Every staged row writes its translation; `action` says what happens to the product.
        with cursor.copy(f"COPY {self.stage} ({', '.join(stage_cols)}) FROM STDIN") as copy:
            lines = [f"u\t{ex.product_id}\t{'t' if ex.owns_texts else 'f'}\t{row.values_text()}\t{chash}"
                     f"\t{row.source_hash}\t{'t' if row.had_warnings else 'f'}\n"
                     for row, chash, ex in updates]
            lines += [f"n\t{ex.product_id}\tf\t{row.values_text()}\t\t{row.source_hash}"
                      f"\t{'t' if row.had_warnings else 'f'}\n" for row, ex in refreshes]
            copy.write("".join(lines))
        if updates:
            sets = [f"{p['store_name']} = %s", f"{p['updated_at']} = %s", f"{p['last_import_job']} = %s",
                    f"{p['content_hash']} = s.content_hash"]
            for name in RECORD_FIELDS:
                if name in TEXT_FIELDS:
                    sets.append(f"{p[name]} = CASE WHEN s.owns THEN s.{q(name)} ELSE p.{p[name]} END")
                elif name != "marketplace_product_id":
                    sets.append(f"{p[name]} = s.{q(name)}")
            # The id list pins the plan to primary-key probes (see read_sql on statistics).
            cursor.execute(
                f"UPDATE {self.products} p SET {', '.join(sets)} FROM {self.stage} s"
                f" WHERE p.{p['id']} = ANY(%s) AND p.{p['id']} = s.product_id AND s.action = 'u'",
                [self.store.name, now, self.job.id, [u[2].product_id for u in updates]],
            )
        text_cols = [t[name] for name in TEXT_FIELDS]
        columns = [t["created_at"], t["updated_at"], t["product"], t["language"], *text_cols,
                   t["source_hash"], t["had_warnings"]]
        updates_sql = ", ".join(f"{c} = EXCLUDED.{c}" for c in (
            t["updated_at"], *text_cols, t["source_hash"], t["had_warnings"]))
        cursor.execute(
            f"INSERT INTO {self.translations} ({', '.join(columns)})"
            f" SELECT %s, %s, s.product_id, %s, {', '.join('s.' + q(name) for name in TEXT_FIELDS)},"
            f" s.source_hash, s.had_warnings FROM {self.stage} s"
            f" ON CONFLICT ({t['product']}, {t['language']}) DO UPDATE SET {updates_sql}",
            [now, now, self.language],
        )

    def _write_sqlite(self, inserts: list[ProductRow],
                      updates: list[tuple[ProductRow, str, Existing]],
                      refreshes: list[tuple[ProductRow, Existing]], now: datetime) -> None:
        p, t = self.p, self.t
        translations: list[tuple[ProductRow, int | None]] = [(row, None) for row in inserts]
        translations += [(u[0], u[2].product_id) for u in updates]
        translations += [(row, ex.product_id) for row, ex in refreshes]
        stamp = connection.ops.adapt_datetimefield_value(now)
        with connection.cursor() as cursor:
            if inserts:
                columns = [p["store"], p["marketplace"], p["store_name"], p["created_at"], p["updated_at"],
                           p["last_import_job"], *(p[name] for name in RECORD_FIELDS), p["content_hash"]]
                fixed = [self.store.id, self.marketplace, self.store.name, stamp, stamp, self.job.id]
                try:
                    cursor.executemany(
                        f"INSERT INTO {self.products} ({', '.join(columns)})"
                        f" VALUES ({', '.join(['%s'] * len(columns))})",
                        [[*fixed, *row.values(), row.content_hash()] for row in inserts],
                    )
                except IntegrityError as exc:
                    # Only a writer outside the import could have created one (see _copy_new_products).
                    raise ConcurrentWriteError("Another writer created products of this batch.") from exc
            if updates:
                sets = [f"{p['store_name']} = %s", f"{p['updated_at']} = %s", f"{p['last_import_job']} = %s",
                        f"{p['content_hash']} = %s"]
                names = [name for name in RECORD_FIELDS if name != "marketplace_product_id"]
                for name in names:
                    if name in TEXT_FIELDS:
                        sets.append(f"{p[name]} = CASE WHEN %s THEN %s ELSE {p[name]} END")
                    else:
                        sets.append(f"{p[name]} = %s")
                params = []
                for row, chash, ex in updates:
                    values = dict(zip(RECORD_FIELDS, row.values(), strict=True))
                    row_params: list[Any] = [self.store.name, stamp, self.job.id, chash]
                    for name in names:
                        if name in TEXT_FIELDS:
                            row_params += [ex.owns_texts, values[name]]
                        else:
                            row_params.append(values[name])
                    row_params.append(ex.product_id)
                    params.append(row_params)
                cursor.executemany(
                    f"UPDATE {self.products} SET {', '.join(sets)} WHERE {p['id']} = %s", params
                )
            if translations:
                text_cols = [t[name] for name in TEXT_FIELDS]
                columns = [t["created_at"], t["updated_at"], t["product"], t["language"], *text_cols,
                           t["source_hash"], t["had_warnings"]]
                updates_sql = ", ".join(f"{c} = excluded.{c}" for c in (
                    t["updated_at"], *text_cols, t["source_hash"], t["had_warnings"]))
                # A new product's id is looked up by its unique key: executemany cannot return rows.
                product_sql = (f"COALESCE(%s, (SELECT {p['id']} FROM {self.products} WHERE {p['store']} = %s"
                               f" AND {p['marketplace']} = %s AND {p['marketplace_product_id']} = %s))")
                params = []
                for row, product_id in translations:
                    params.append([stamp, stamp, product_id, self.store.id, self.marketplace, row.identifier,
                                   self.language, *row.texts(), row.source_hash, row.had_warnings])
                cursor.executemany(
                    f"INSERT INTO {self.translations} ({', '.join(columns)})"
                    f" VALUES (%s, %s, {product_sql}, {', '.join(['%s'] * (len(columns) - 3))})"
                    f" ON CONFLICT ({t['product']}, {t['language']}) DO UPDATE SET {updates_sql}",
                    params,
                )

    def _insert_errors(self, errors: Iterable[ErrorRow], now: datetime) -> None:
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                with cursor.copy(f"COPY {self.errors_table} ({', '.join(self.error_columns)}) FROM STDIN") as copy:
                    for e in errors:
                        copy.write_row((self.job.id, e.row_number, e.identifier[:255], e.error_type, e.severity,
                                        e.field[:64], e.message, json.dumps(e.row_data, ensure_ascii=False), now))
            else:
                stamp = connection.ops.adapt_datetimefield_value(now)
                cursor.executemany(
                    f"INSERT INTO {self.errors_table} ({', '.join(self.error_columns)})"
                    f" VALUES ({', '.join(['%s'] * len(self.error_columns))})",
                    [[self.job.id, e.row_number, e.identifier[:255], e.error_type, e.severity, e.field[:64],
                      e.message, json.dumps(e.row_data, ensure_ascii=False), stamp] for e in errors],
                )


class ConcurrentWriteError(Exception):
    """A product of the batch appeared between the read and the write; retry the batch."""


def persist_batch(*, writer: BatchWriter, batch: Batch) -> BatchCounts:
    """Read, sort and write one batch of already-normalized rows in one transaction."""
    with transaction.atomic():
        writer.lock_store()
        existing = writer.read_existing([(row.identifier, row.source_hash) for row in batch.rows])
        return writer.write(batch, existing)
