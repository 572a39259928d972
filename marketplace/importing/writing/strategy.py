"""What a database must provide to the batch writer: its SQL and its wire format.

`BatchWriter` does the same for both databases (lock, read existing, claim ids, write a
planned batch, counters); a strategy says how, for one database. The writer picks one,
once, by the connection's vendor; nothing else in the engine knows which it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db.backends.utils import CursorWrapper

from marketplace.importing.classification import WritePlan
from marketplace.importing.rows import ErrorRow, FeedRow
from marketplace.importing.writing.tables import Tables
from marketplace.models import MarketplaceImportJob

Query = tuple[str, list[Any]]
# What `connection.cursor()` gives; PostgreSQL's adds psycopg's `copy()` through it.
Cursor = CursorWrapper


class WriteStrategy:
    """One database's way of writing an import's batches (see the module docstring)."""

    def __init__(self, tables: Tables, job: MarketplaceImportJob) -> None:
        self.tables = tables
        self.job = job
        self.store = job.store

    @staticmethod
    def render(record: dict[str, Any]) -> tuple[Any, str]:
        """A normalized record as this database's payload, and its content hash. Runs in
        the reader process too, so it must not touch the database."""
        raise NotImplementedError

    def texts(self, row: FeedRow) -> tuple[str, ...]:
        """A valid row's translatable texts, "" for none, as the database stores them."""
        raise NotImplementedError

    def neutral(self, row: FeedRow) -> list[Any]:
        """A valid row's language-neutral values (HASHED_FIELDS order): prices as text, None for none."""
        raise NotImplementedError

    def open(self, cursor: Cursor) -> None:
        """Create the connection's temporary tables."""
        raise NotImplementedError

    def close(self, cursor: Cursor) -> None:
        raise NotImplementedError

    def lock_store(self, cursor: Cursor) -> None:
        """Serialize batches of the same store until this transaction ends."""
        raise NotImplementedError

    def read_query(self, keys: Sequence[tuple[str, str]]) -> Query:
        """The batch's one read: `Existing`'s columns for each (id, raw hash) that exists."""
        raise NotImplementedError

    def claim_query(self, claims: Sequence[tuple[str, int]]) -> Query:
        """Record (id, row number) pairs as seen in this file, skipping ids seen before."""
        raise NotImplementedError

    def claimed_query(self, ids: Sequence[str]) -> Query:
        """(id, row number) as recorded for `ids`."""
        raise NotImplementedError

    def write(self, cursor: Cursor, plan: WritePlan, now: datetime) -> None:
        """Insert the new products, update the changed ones, refresh the raw hashes."""
        raise NotImplementedError

    def insert_errors(self, cursor: Cursor, errors: Sequence[ErrorRow], now: datetime) -> None:
        raise NotImplementedError

    def start_background_work(self) -> None:
        """Called once the reader process is forked (a fork should not copy a thread)."""

    def stop_background_work(self) -> None:
        """Called when the import ends, whatever the outcome."""

    def written(self) -> None:
        """Called inside a batch's transaction once it is written."""

    def keep_statistics_current(self, *, added: int, final: bool) -> bool:
        """Refresh the planner's statistics after a large load; return whether it did."""
        return False
