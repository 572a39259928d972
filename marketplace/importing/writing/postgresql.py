"""Writing an import's batches to PostgreSQL: COPY, set-based statements, and the
planner's statistics.

- new products and their translations are `COPY`ed straight into their tables (ids drawn
  from the sequence first, so the translations need no join back);
- changed products are `COPY`ed into a temporary table, then one UPDATE ... FROM and one
  INSERT ... ON CONFLICT for their translations;
- errors are `COPY`ed into their table.

The payload of a row is its COPY text in two parts, the language-independent values and
the translatable texts (`row_values.prepare_copy`): the product's line is both, the
translation's is the second.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import IntegrityError, OperationalError, connection, transaction
from psycopg import errors as psycopg_errors

from marketplace.importing.classification import Existing, WritePlan
from marketplace.importing.copy_format import field_text
from marketplace.importing.row_values import (
    DISPLAY_FIELDS,
    PRODUCT_FIELDS,
    RECORD_FIELDS,
    TEXT_FIELDS,
    display_part,
    parse_fields,
    prepare_copy,
)
from marketplace.importing.rows import ErrorRow, FeedRow
from marketplace.importing.writing.errors import ConcurrentWriteError
from marketplace.importing.writing.strategy import Cursor, Query, WriteStrategy
from marketplace.importing.writing.tables import PRODUCT, TRANSLATION, Tables, column, quote
from marketplace.models import MarketplaceImportJob

logger = logging.getLogger(__name__)

# A load re-analyzes the tables it grew once it doubled what the planner last counted
# (from ANALYZE_FIRST_ROWS on), then every ANALYZE_AFTER_ROWS rows or a fifth of the
# planner's count, whichever is more (keep_statistics_current).
ANALYZE_FIRST_ROWS = 5_000
ANALYZE_AFTER_ROWS = 50_000
ANALYZE_LOCK_TIMEOUT = "2s"
# Rows of a load after which it checks that the planner counts the store's products at all.
STORE_CHECK_ROWS = ANALYZE_FIRST_ROWS // 2
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


def _joined(values: list[str]) -> str | None:
    """The values joined by _SEPARATOR, or None when one of them contains it."""
    joined = _SEPARATOR.join(values)
    return joined if joined.count(_SEPARATOR) == len(values) - 1 else None


def _flag(value: Any) -> str:
    return "t" if value else "f"


def analyze_threshold(planner_rows: int) -> int:
    """Rows a load adds before the planner's statistics are refreshed: the table's doubling
    while it is small (a few cheap ANALYZEs of small tables), a steady pace after."""
    return max(ANALYZE_FIRST_ROWS, min(planner_rows, ANALYZE_AFTER_ROWS), planner_rows // 5)


class PostgresqlWrites(WriteStrategy):
    def __init__(self, tables: Tables, job: MarketplaceImportJob) -> None:
        super().__init__(tables, job)
        self._sequence: str | None = None
        self._statistics_checked = False
        self._added_since_analyze = 0
        self._rows_at_analyze: int | None = None
        self._store_estimate_checked = False
        self._prepare_sql()

    @staticmethod
    def render(record: dict[str, Any]) -> tuple[tuple[str, str], str]:
        line, chash, texts_start = prepare_copy(record)
        return (line[: texts_start - 1], line[texts_start:]), chash

    def texts(self, row: FeedRow) -> tuple[str, ...]:
        return tuple(text or "" for text in parse_fields(row.payload[1]))

    def neutral(self, row: FeedRow) -> list[Any]:
        return parse_fields(row.payload[0])

    # --- the batch's read and the file's ids ----------------------------------------------

    def _prepare_sql(self) -> None:
        n = self.tables
        # LATERAL with OFFSET 0 (which keeps the subquery from being flattened into a join)
        # makes the plan one unique-index probe per id of the batch, whatever the statistics
        # say. A store's first big import runs before any ANALYZE has seen its products; as
        # a join, the planner then hashes all of them for every batch. The batch's keys
        # travel as two texts joined by the unit separator, split by the server (a third
        # faster than a JSON array), or as one JSON text when an id contains the separator;
        # json.dumps is C code, while psycopg adapts a Python list to an array element by
        # element, in Python.
        lateral = (
            f" CROSS JOIN LATERAL (SELECT {n.existing_columns} FROM {n.products} p {n.translation_join}"
            f" WHERE {n.product_key} OFFSET 0) x"
        )
        self._read_sql = (
            f"SELECT b.mpid, x.* FROM unnest(string_to_array(%s, {_SEPARATOR_SQL}),"
            f" string_to_array(%s, {_SEPARATOR_SQL})) AS b(mpid, sh){lateral}"
        )
        self._read_json_sql = (
            f"SELECT b.mpid, x.* FROM (SELECT e->>0 AS mpid, e->>1 AS sh"
            f" FROM json_array_elements(%s::json) e) b{lateral}"
        )
        self._read_rest = [*n.owns_params, n.language, self.store.id, self.job.marketplace]
        claim = f"INSERT INTO {n.seen} (mpid, row_number) SELECT * FROM"
        self._claim_sql = (
            f"{claim} unnest(string_to_array(%s, {_SEPARATOR_SQL}),"
            f" string_to_array(%s, ',')::int[]) ON CONFLICT DO NOTHING"
        )
        self._claim_json_sql = (
            f"{claim} (SELECT e->>0, (e->>1)::int FROM json_array_elements(%s::json) e) c ON CONFLICT DO NOTHING"
        )

    def read_query(self, keys: Sequence[tuple[str, str]]) -> Query:
        ids = _joined([k[0] for k in keys])
        if ids is None:
            return self._read_json_sql, [json.dumps(keys, ensure_ascii=False), *self._read_rest]
        return self._read_sql, [ids, _SEPARATOR.join([k[1] for k in keys]), *self._read_rest]

    def claim_query(self, claims: Sequence[tuple[str, int]]) -> Query:
        ids = _joined([c[0] for c in claims])
        if ids is None:
            return self._claim_json_sql, [json.dumps(claims, ensure_ascii=False)]
        return self._claim_sql, [ids, ",".join([str(c[1]) for c in claims])]

    def claimed_query(self, ids: Sequence[str]) -> Query:
        return f"SELECT mpid, row_number FROM {self.tables.seen} WHERE mpid = ANY(%s)", [list(ids)]

    def open(self, cursor: Cursor) -> None:
        n = self.tables
        # Byte order: only equality matters here, and the database's collation would
        # compare every inserted id through the C library (a quarter slower).
        cursor.execute(
            f'CREATE TEMP TABLE IF NOT EXISTS {n.seen} (mpid text COLLATE "C" PRIMARY KEY, row_number integer)'
        )
        columns = ", ".join(f"{quote(name)} {n.record_types[name]}" for name in RECORD_FIELDS)
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {n.stage} (action char(1), product_id bigint,"
            f" owns boolean, {columns}, content_hash varchar(64), source_hash varchar(64),"
            f" had_warnings boolean)"
        )

    def close(self, cursor: Cursor) -> None:
        cursor.execute(f"DROP TABLE IF EXISTS {self.tables.seen}")
        cursor.execute(f"DROP TABLE IF EXISTS {self.tables.stage}")

    def lock_store(self, cursor: Cursor) -> None:
        """The advisory lock, and no wait for the WAL flush at this transaction's commit.

        A server crash can then lose the last fraction of a second of batches, but never
        half a batch (the counters commit with the rows), and an import is safe to run
        again. Waiting for the disk at every batch costs more than any statement of the batch.
        """
        cursor.execute(
            "SELECT set_config('synchronous_commit', 'off', true), pg_advisory_xact_lock(%s, %s)",
            [_STORE_LOCK_CLASS, self.store.id % 2**31],
        )

    # --- writes --------------------------------------------------------------------------

    def write(self, cursor: Cursor, plan: WritePlan, now: datetime) -> None:
        # The new products' feed membership is recorded by the statement that draws their ids.
        if plan.inserts:
            self._copy_new_products(cursor, plan.inserts, now)
        if plan.updates or plan.refreshes:
            self._update_through_stage(cursor, plan.updates, plan.refreshes, now)
        self._insert_membership(cursor, plan.contained_ids)

    def _insert_membership(self, cursor: Cursor, product_ids: list[int]) -> None:
        """Feed membership of the batch's existing products: one INSERT of a joined text,
        which the server splits. A COPY costs a second round trip, and measured slower."""
        if not product_ids:
            return
        n = self.tables
        cursor.execute(
            f"INSERT INTO {n.membership} ({', '.join(n.membership_columns)})"
            f" SELECT %s, unnest(string_to_array(%s, ',')::bigint[])",
            [self.job.id, ",".join([str(product_id) for product_id in product_ids])],
        )

    def _product_sequence(self, cursor: Cursor) -> str:
        if self._sequence is None:
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [PRODUCT.db_table, PRODUCT.pk.column])
            self._sequence = cursor.fetchone()[0]
        return self._sequence

    def _copy_new_products(self, cursor: Cursor, inserts: list[FeedRow], now: datetime) -> list[int]:
        """New products and their translations go straight into their tables with COPY; return
        their ids.

        The batch read these ids as absent under the store lock, so only a writer outside
        the import (none exists today) could make the COPY hit the unique constraint; the
        batch is then rolled back and run again, reading that product.
        """
        n = self.tables
        # Their feed membership in the same statement (the membership has no foreign key
        # for the products still to come to violate).
        cursor.execute(
            f"WITH ids AS MATERIALIZED (SELECT nextval(%s) AS id FROM generate_series(1, %s)),"
            f" m AS (INSERT INTO {n.membership} ({', '.join(n.membership_columns)}) SELECT %s, id FROM ids)"
            f" SELECT id FROM ids",
            [self._product_sequence(cursor), len(inserts), self.job.id],
        )
        ids = [r[0] for r in cursor.fetchall()]
        fixed = "\t".join(
            field_text(v) for v in (self.store.id, self.job.marketplace, self.store.name, now, now, self.job.id)
        )
        stamp = field_text(now)
        language = n.language
        try:
            with cursor.copy(f"COPY {n.products} ({n.p['id']}, {', '.join(n.product_columns)}) FROM STDIN") as copy:
                # Sent in small chunks, so that the server stores the first rows while the
                # next ones are still being serialized here.
                lines: list[str] = []
                for row, product_id in zip(inserts, ids, strict=True):
                    values, texts = row.payload
                    lines.append(f"{product_id}\t{fixed}\t{values}\t{display_part(texts)}\t{row.content_hash}\n")
                    if len(lines) == _COPY_CHUNK_ROWS:
                        copy.write("".join(lines))
                        lines = []
                copy.write("".join(lines))
            with cursor.copy(f"COPY {n.translations} ({', '.join(n.translation_columns)}) FROM STDIN") as copy:
                copy.write(
                    "".join(
                        [
                            f"{stamp}\t{stamp}\t{product_id}\t{language}\t{row.payload[1]}"
                            f"\t{row.source_hash}\t{_flag(row.issues)}\n"
                            for row, product_id in zip(inserts, ids, strict=True)
                        ]
                    )
                )
        except (IntegrityError, psycopg_errors.UniqueViolation) as exc:
            raise ConcurrentWriteError("Another writer created products of this batch.") from exc
        if not self._statistics_checked:
            self._ensure_statistics(cursor)
        return ids

    def _update_through_stage(
        self,
        cursor: Cursor,
        updates: list[tuple[FeedRow, Existing]],
        refreshes: list[tuple[FeedRow, Existing]],
        now: datetime,
    ) -> None:
        """Changed products: COPY into a temporary table, then one UPDATE ... FROM and one
        translation upsert, each a single set-based statement."""
        n = self.tables
        p, t = n.p, n.t
        record_cols = [quote(name) for name in RECORD_FIELDS]
        stage_cols = ["action", "product_id", "owns", *record_cols, "content_hash", "source_hash", "had_warnings"]
        cursor.execute(f"TRUNCATE {n.stage}")
        # Every staged row writes its translation; `action` says what happens to the product.
        with cursor.copy(f"COPY {n.stage} ({', '.join(stage_cols)}) FROM STDIN") as copy:
            lines = [
                f"u\t{ex.product_id}\t{_flag(ex.owns_texts)}\t{row.payload[0]}\t{row.payload[1]}"
                f"\t{row.content_hash}\t{row.source_hash}\t{_flag(row.issues)}\n"
                for row, ex in updates
            ]
            lines += [
                f"n\t{ex.product_id}\tf\t{row.payload[0]}\t{row.payload[1]}\t\t{row.source_hash}\t{_flag(row.issues)}\n"
                for row, ex in refreshes
            ]
            copy.write("".join(lines))
        if updates:
            sets = [
                f"{p['store_name']} = %s",
                f"{p['updated_at']} = %s",
                f"{p['last_import_job']} = %s",
                f"{p['content_hash']} = s.content_hash",
            ]
            for name in PRODUCT_FIELDS:
                if name in DISPLAY_FIELDS:
                    sets.append(f"{p[name]} = CASE WHEN s.owns THEN s.{quote(name)} ELSE p.{p[name]} END")
                elif name != "marketplace_product_id":
                    sets.append(f"{p[name]} = s.{quote(name)}")
            # The id list pins the plan to primary-key probes (see _prepare_sql on statistics).
            cursor.execute(
                f"UPDATE {n.products} p SET {', '.join(sets)} FROM {n.stage} s"
                f" WHERE p.{p['id']} = ANY(%s) AND p.{p['id']} = s.product_id AND s.action = 'u'",
                [self.store.name, now, self.job.id, [ex.product_id for _row, ex in updates]],
            )
        text_cols = [t[name] for name in TEXT_FIELDS]
        written = (
            t["updated_at"],
            *text_cols,
            t["source_hash"],
            t["had_warnings"],
        )
        updates_sql = ", ".join(f"{c} = EXCLUDED.{c}" for c in written)
        cursor.execute(
            f"INSERT INTO {n.translations} ({', '.join(n.translation_columns)})"
            f" SELECT %s, %s, s.product_id, %s, {', '.join('s.' + quote(name) for name in TEXT_FIELDS)},"
            f" s.source_hash, s.had_warnings FROM {n.stage} s"
            f" ON CONFLICT ({t['product']}, {t['language']}) DO UPDATE SET {updates_sql}",
            [now, now, n.language],
        )

    def insert_errors(self, cursor: Cursor, errors: Sequence[ErrorRow], now: datetime) -> None:
        n = self.tables
        with cursor.copy(f"COPY {n.errors} ({', '.join(n.error_columns)}) FROM STDIN") as copy:
            for e in errors:
                copy.write_row(
                    (
                        self.job.id,
                        e.row_number,
                        e.identifier[:255],
                        e.error_type,
                        e.severity,
                        e.field[:64],
                        e.message,
                        e.key,
                        json.dumps(e.params, ensure_ascii=False),
                        json.dumps(e.row_data, ensure_ascii=False),
                        None if e.cells is None else json.dumps(e.cells, ensure_ascii=False),
                        now,
                    )
                )

    # --- the planner's statistics ----------------------------------------------------------

    def _ensure_statistics(self, cursor: Cursor) -> None:
        """Give the planner the tables' sizes if it has never been told.

        Until a table has been analyzed once, PostgreSQL takes it (and its indexes) for
        tiny, and then prefers scanning all of a store's products to probing the unique
        index: a fresh database's first big import would slow down with every batch.
        Autovacuum fixes that only minutes later (and not at all when it is off). A
        one-column ANALYZE with a tiny sample takes milliseconds and records the sizes;
        from then on the planner scales them with the table's actual size. The column is
        one no query filters on, so no useful statistics are replaced by rough ones.
        """
        self._statistics_checked = True
        cursor.execute("SELECT relpages FROM pg_class WHERE oid = %s::regclass", [PRODUCT.db_table])
        row = cursor.fetchone()
        if row is None or row[0] > 0:
            return
        cursor.execute("SET LOCAL default_statistics_target = 1")
        cursor.execute(f"ANALYZE {self.tables.products} ({self.tables.p['content_hash']})")
        cursor.execute(f"ANALYZE {self.tables.translations} ({self.tables.t['source_hash']})")
        cursor.execute("RESET default_statistics_target")

    def keep_statistics_current(self, *, added: int, final: bool) -> bool:
        """Re-analyze the product tables after a large load.

        The planner's row counts come from the last ANALYZE. After a big first import of a
        store they still describe the small table from before, and the batch's read query
        can then turn into scans: a 200,000-row re-import crawled at 90 rows/s until an
        ANALYZE, with autovacuum off or not yet round. Worse, a table analyzed while it
        held only dead rows (a rolled-back load) counts as empty however much it grows, and
        every index then looks equally cheap: the read probed the marketplace index, which
        matches every product of the marketplace, and each batch read all the rows
        written before it (60,000 rows took minutes). So a load analyzes what it grew as
        soon as it doubled the planner's count, then at a steady pace, and once more at its
        end, on the key columns only (and the two the missing-product step filters on).
        """
        self._added_since_analyze += added
        if self._rows_at_analyze is None:
            self._rows_at_analyze = self._planner_rows()
        threshold = analyze_threshold(self._rows_at_analyze)
        if not self._store_estimate_checked and not final and self._added_since_analyze >= STORE_CHECK_ROWS:
            self._store_estimate_checked = True
            # A store's first import into a table that other stores fill: the statistics
            # give this store no rows, the planner then takes the (store_id, id) index for
            # as selective as the unique key, and every probe of the batch's read walks
            # all the rows this load wrote before it (a second store's 100,000-row import
            # slowed to minutes). One ANALYZE early in the load gives the store its share;
            # a small import or a small table is not worth one.
            if (
                self._rows_at_analyze >= ANALYZE_FIRST_ROWS
                and self._store_planner_rows() * 2 < self._added_since_analyze
            ):
                threshold = 0
        if self._added_since_analyze < (min(threshold, ANALYZE_AFTER_ROWS // 5) if final else threshold):
            return False
        # With the two columns the missing-product step's partial indexes are defined on:
        # never analyzed, `missing_since IS NOT NULL` looks true of half the products and
        # the step scans them all instead of probing the (empty) index.
        product_keys = ", ".join(
            column(PRODUCT, name) for name in ("store", "marketplace", "marketplace_product_id", "missing_since")
        )
        translation_keys = ", ".join(column(TRANSLATION, name) for name in ("product", "language", "absent_streak"))
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                # ANALYZE waits for a session altering or vacuuming the table by hand; fresh
                # statistics are worth a second, not a stalled import.
                cursor.execute(f"SET LOCAL lock_timeout = '{ANALYZE_LOCK_TIMEOUT}'")
                # Only the key columns the batch's read joins on: analyzing all 45 columns (long
                # texts, JSON) cost a quarter of a fresh import; these few cost a few percent.
                cursor.execute(f"ANALYZE {self.tables.products} ({product_keys})")
                cursor.execute(f"ANALYZE {self.tables.translations} ({translation_keys})")
        except OperationalError as exc:
            logger.warning("Planner statistics not refreshed (%s); the next large batch tries again", exc)
            return False
        self._rows_at_analyze = self._planner_rows()
        self._added_since_analyze = 0
        return True

    def _store_planner_rows(self) -> float:
        """The planner's estimate of this store's products."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {self.tables.products} WHERE {self.tables.p['store']} = %s",
                [self.store.id],
            )
            plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        return float(plan[0]["Plan"]["Plan Rows"])

    def _planner_rows(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [PRODUCT.db_table])
            row = cursor.fetchone()
        return max(0, int(row[0])) if row else 0
