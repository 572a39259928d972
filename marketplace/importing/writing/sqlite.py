"""Writing an import's batches to SQLite: one `executemany` per statement (SQLite runs
in-process, so there is no round trip to save, only per-statement overhead), and the
WAL checkpoints moved to a thread of their own (sqlite_checkpoint).

The payload of a row is its values NUL-joined (`row_values.prepare_joined`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction

from marketplace.importing.classification import Existing, WritePlan
from marketplace.importing.row_values import (
    DISPLAY_FIELDS,
    HASHED_FIELDS,
    PRODUCT_FIELDS,
    RECORD_FIELDS,
    TEXT_FIELDS,
    joined_values,
    prepare_joined,
    text_values,
)
from marketplace.importing.rows import ErrorRow, FeedRow
from marketplace.importing.writing.errors import ConcurrentWriteError
from marketplace.importing.writing.sqlite_checkpoint import BackgroundCheckpointer
from marketplace.importing.writing.strategy import Cursor, Query, WriteStrategy
from marketplace.importing.writing.tables import Tables
from marketplace.models import MarketplaceImportJob

SQLITE_CACHE_KIB = 32 * 1024
# A record's values start with the product's own (RECORD_FIELDS begins with PRODUCT_FIELDS).
_PRODUCT_COUNT = len(PRODUCT_FIELDS)
_HASHED_COUNT = len(HASHED_FIELDS)
assert RECORD_FIELDS[:_PRODUCT_COUNT] == PRODUCT_FIELDS


class SqliteWrites(WriteStrategy):
    def __init__(self, tables: Tables, job: MarketplaceImportJob) -> None:
        super().__init__(tables, job)
        self._checkpointer: BackgroundCheckpointer | None = None
        n = self.tables
        # CROSS JOIN is SQLite's way to keep this join order (loop over the batch's ids,
        # probe the unique index): its planner would otherwise scan the store's products.
        # One JSON parameter instead of two per row: the statement text stays the same
        # whatever the batch size, and SQLite's parameter limit never comes into play.
        self._read_sql = (
            f"SELECT b.mpid, {n.existing_columns}"
            f" FROM (SELECT json_extract(value, '$[0]') AS mpid, json_extract(value, '$[1]') AS sh"
            f" FROM json_each(%s)) AS b"
            f" CROSS JOIN {n.products} p ON {n.product_key} {n.translation_join}"
        )
        self._claim_sql = (
            f"INSERT INTO {n.seen} (mpid, row_number) SELECT json_extract(value, '$[0]'),"
            f" json_extract(value, '$[1]') FROM json_each(%s) WHERE true ON CONFLICT DO NOTHING"
        )

    @staticmethod
    def render(record: dict[str, Any]) -> tuple[str, str]:
        return prepare_joined(record)

    def texts(self, row: FeedRow) -> tuple[str, ...]:
        return tuple(text or "" for text in text_values(joined_values(row.payload)))

    def neutral(self, row: FeedRow) -> list[Any]:
        return joined_values(row.payload)[:_HASHED_COUNT]

    def read_query(self, keys: Sequence[tuple[str, str]]) -> Query:
        return self._read_sql, [
            *self.tables.owns_params,
            json.dumps(keys, ensure_ascii=False),
            self.store.id,
            self.job.marketplace,
            self.tables.language,
        ]

    def claim_query(self, claims: Sequence[tuple[str, int]]) -> Query:
        return self._claim_sql, [json.dumps(claims, ensure_ascii=False)]

    def claimed_query(self, ids: Sequence[str]) -> Query:
        return (
            f"SELECT mpid, row_number FROM {self.tables.seen} WHERE mpid IN (SELECT value FROM json_each(%s))",
            [json.dumps(list(ids), ensure_ascii=False)],
        )

    def open(self, cursor: Cursor) -> None:
        # SQLite's default page cache (2 MB) is far smaller than the indexes a big import
        # updates at random places (GTIN, brand...): every batch would re-read most of
        # their pages. This is the connection's cache, so it counts toward the worker's
        # memory; it stays well inside the 200 MB budget.
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {self.tables.seen} (mpid TEXT PRIMARY KEY,"
            f" row_number INTEGER) WITHOUT ROWID"
        )

    def close(self, cursor: Cursor) -> None:
        cursor.execute(f"DROP TABLE IF EXISTS {self.tables.seen}")

    def lock_store(self, cursor: Cursor) -> None:
        pass  # SQLite's IMMEDIATE transactions already serialize writers

    def write(self, cursor: Cursor, plan: WritePlan, now: datetime) -> None:
        stamp = connection.ops.adapt_datetimefield_value(now)
        # Each payload is split once, for the product and for its translation.
        inserted = [joined_values(row.payload) for row in plan.inserts]
        updated = [joined_values(row.payload) for row, _ex in plan.updates]
        if plan.inserts:
            self._insert_products(cursor, plan.inserts, inserted, stamp)
        if plan.updates:
            self._update_products(cursor, plan.updates, updated, stamp)
        translations: list[tuple[FeedRow, int | None, list[Any]]] = [
            (row, None, values) for row, values in zip(plan.inserts, inserted, strict=True)
        ]
        translations += [(row, ex.product_id, values) for (row, ex), values in zip(plan.updates, updated, strict=True)]
        translations += [(row, ex.product_id, joined_values(row.payload)) for row, ex in plan.refreshes]
        if translations:
            self._upsert_translations(cursor, translations, stamp)
        self._insert_membership(cursor, plan)

    def _insert_membership(self, cursor: Cursor, plan: WritePlan) -> None:
        """Feed membership: the batch's products in one statement, the new ones found by their
        key (executemany returns no ids)."""
        if not (plan.contained_ids or plan.inserts):
            return
        n = self.tables
        p = n.p
        cursor.execute(
            f"INSERT INTO {n.membership} ({', '.join(n.membership_columns)})"
            f" SELECT %s, value FROM json_each(%s)"
            f" UNION ALL SELECT %s, {p['id']} FROM {n.products} WHERE {p['store']} = %s AND {p['marketplace']} = %s"
            f" AND {p['marketplace_product_id']} IN (SELECT value FROM json_each(%s))",
            [
                self.job.id,
                json.dumps(plan.contained_ids),
                self.job.id,
                self.store.id,
                self.job.marketplace,
                json.dumps([row.identifier for row in plan.inserts], ensure_ascii=False),
            ],
        )

    def _insert_products(self, cursor: Cursor, inserts: list[FeedRow], values: list[list[Any]], stamp: Any) -> None:
        n = self.tables
        fixed = [self.store.id, self.job.marketplace, self.store.name, stamp, stamp, self.job.id]
        try:
            cursor.executemany(
                f"INSERT INTO {n.products} ({', '.join(n.product_columns)})"
                f" VALUES ({', '.join(['%s'] * len(n.product_columns))})",
                [
                    [*fixed, *row_values[:_PRODUCT_COUNT], row.content_hash]
                    for row, row_values in zip(inserts, values, strict=True)
                ],
            )
        except IntegrityError as exc:
            # Only a writer outside the import could have created one (see PostgresqlWrites).
            raise ConcurrentWriteError("Another writer created products of this batch.") from exc

    def _update_products(
        self, cursor: Cursor, updates: list[tuple[FeedRow, Existing]], values_of: list[list[Any]], stamp: Any
    ) -> None:
        p = self.tables.p
        sets = [
            f"{p['store_name']} = %s",
            f"{p['updated_at']} = %s",
            f"{p['last_import_job']} = %s",
            f"{p['content_hash']} = %s",
        ]
        names = [name for name in PRODUCT_FIELDS if name != "marketplace_product_id"]
        for name in names:
            if name in DISPLAY_FIELDS:
                sets.append(f"{p[name]} = CASE WHEN %s THEN %s ELSE {p[name]} END")
            else:
                sets.append(f"{p[name]} = %s")
        params = []
        for (row, ex), row_values in zip(updates, values_of, strict=True):
            values = dict(zip(RECORD_FIELDS, row_values, strict=True))
            row_params: list[Any] = [self.store.name, stamp, self.job.id, row.content_hash]
            for name in names:
                if name in DISPLAY_FIELDS:
                    row_params += [ex.owns_texts, values[name]]
                else:
                    row_params.append(values[name])
            row_params.append(ex.product_id)
            params.append(row_params)
        cursor.executemany(f"UPDATE {self.tables.products} SET {', '.join(sets)} WHERE {p['id']} = %s", params)

    def _upsert_translations(
        self, cursor: Cursor, translations: list[tuple[FeedRow, int | None, list[Any]]], stamp: Any
    ) -> None:
        n = self.tables
        p, t = n.p, n.t
        text_cols = [t[name] for name in TEXT_FIELDS]
        written = (
            t["updated_at"],
            *text_cols,
            t["source_hash"],
            t["had_warnings"],
        )
        updates_sql = ", ".join(f"{c} = excluded.{c}" for c in written)
        # A new product's id is looked up by its unique key: executemany cannot return rows.
        product_sql = (
            f"COALESCE(%s, (SELECT {p['id']} FROM {n.products} WHERE {p['store']} = %s"
            f" AND {p['marketplace']} = %s AND {p['marketplace_product_id']} = %s))"
        )
        params = [
            [
                stamp,
                stamp,
                product_id,
                self.store.id,
                self.job.marketplace,
                row.identifier,
                n.language,
                *(text or "" for text in text_values(values)),
                row.source_hash,
                bool(row.issues),
            ]
            for row, product_id, values in translations
        ]
        cursor.executemany(
            f"INSERT INTO {n.translations} ({', '.join(n.translation_columns)})"
            f" VALUES (%s, %s, {product_sql}, {', '.join(['%s'] * (len(n.translation_columns) - 3))})"
            f" ON CONFLICT ({t['product']}, {t['language']}) DO UPDATE SET {updates_sql}",
            params,
        )

    def insert_errors(self, cursor: Cursor, errors: Sequence[ErrorRow], now: datetime) -> None:
        n = self.tables
        stamp = connection.ops.adapt_datetimefield_value(now)
        cursor.executemany(
            f"INSERT INTO {n.errors} ({', '.join(n.error_columns)})"
            f" VALUES ({', '.join(['%s'] * len(n.error_columns))})",
            [
                [
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
                    stamp,
                ]
                for e in errors
            ],
        )

    # --- checkpoints ----------------------------------------------------------------------

    def start_background_work(self) -> None:
        """Checkpoint the WAL in a thread until the import ends (see sqlite_checkpoint)."""
        if self._checkpointer is None and BackgroundCheckpointer.applies_to(connection):
            self._checkpointer = BackgroundCheckpointer(connection)
            self._checkpointer.start()

    def stop_background_work(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None

    def written(self) -> None:
        if self._checkpointer is not None:
            transaction.on_commit(self._checkpointer.committed)
