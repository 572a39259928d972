"""Write one batch of feed rows: products, the job language's translations, row errors
and the job's counters, in one transaction.

The per-object ORM paths cost more than the rest of the import together, so the writer
speaks SQL, through a strategy for the database at hand (postgresql, sqlite), chosen
once. Per batch there is one read query, which returns for each id the existing
product's id and content hash and the job language's translation (its raw-row hash, and
its texts only when they may have changed), and a fixed number of writes: the number of
statements does not grow with the batch size.

Concurrency: two imports of the same store in different languages may run at once and
touch the same products. Each batch therefore takes a per-store lock for its transaction
before it reads, so what it read is still true when it writes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.db import connection
from django.utils import timezone

from marketplace.importing import jobs
from marketplace.importing.classification import Existing, WritePlan
from marketplace.importing.conflicts import CHECKED_FIELDS
from marketplace.importing.errors import ImportCancelled
from marketplace.importing.jobs import BatchCounts
from marketplace.importing.row_values import HASHED_FIELDS
from marketplace.importing.rows import FeedRow, Render
from marketplace.importing.writing.postgresql import PostgresqlWrites
from marketplace.importing.writing.sqlite import SqliteWrites
from marketplace.importing.writing.strategy import WriteStrategy
from marketplace.importing.writing.tables import Tables
from marketplace.models import MarketplaceImportJob, MarketplaceProductTranslation

CHECKED_POSITIONS = {name: HASHED_FIELDS.index(name) for name in CHECKED_FIELDS}
STRATEGIES: dict[str, type[WriteStrategy]] = {"postgresql": PostgresqlWrites, "sqlite": SqliteWrites}


class BatchWriter:
    """Writes the batches of one import job. One instance per run (it keeps temp tables).

    Call `lock_store`, `read_existing`, `claim_ids` and `write` inside one
    `transaction.atomic()`: the batch's transaction.
    """

    def __init__(self, *, job: MarketplaceImportJob) -> None:
        self.job = job
        self.store = job.store
        self.language = job.language
        self.marketplace = job.marketplace
        self.db = STRATEGIES[connection.vendor](Tables(job), job)
        self._opened = False

    @property
    def render(self) -> Render:
        """How a normalized record becomes this database's payload (pure: the reader uses it)."""
        return self.db.render

    def texts(self, row: FeedRow) -> tuple[str, ...]:
        return self.db.texts(row)

    def neutral_values(self, row: FeedRow) -> dict[str, str | None]:
        """A valid row's values of the fields a language conflict compares."""
        values = self.db.neutral(row)
        return {name: values[position] for name, position in CHECKED_POSITIONS.items()}

    def open(self) -> None:
        """Create this connection's temporary tables (once per run)."""
        if self._opened:
            return
        with connection.cursor() as cursor:
            self.db.open(cursor)
            # A previous job on this connection may have left ids behind.
            cursor.execute(f"DELETE FROM {self.db.tables.seen}")
        self._opened = True

    def close(self) -> None:
        self.db.stop_background_work()
        if not self._opened:
            return
        with connection.cursor() as cursor:
            self.db.close(cursor)
        self._opened = False

    def start_background_work(self) -> None:
        """Called after the reader process is forked: a fork should not copy a running thread."""
        self.db.start_background_work()

    def has_translations(self) -> bool:
        """Whether a product of the store has a translation in the job's language already:
        a re-import, where most rows are usually recognized without normalizing them."""
        return MarketplaceProductTranslation.objects.filter(
            product__store=self.store, product__marketplace=self.marketplace, language=self.language
        ).exists()

    @property
    def seen_table(self) -> str:
        """The (quoted) temporary table of the ids this file had so far (`claim_ids`)."""
        return self.db.tables.seen

    def keep_statistics_current(self, *, added: int, final: bool = False) -> bool:
        return self.db.keep_statistics_current(added=added, final=final)

    # --- per batch -------------------------------------------------------------------------

    def lock_store(self) -> None:
        """Serialize batches of the same store until this transaction ends."""
        with connection.cursor() as cursor:
            self.db.lock_store(cursor)

    def claim_ids(self, claims: Sequence[tuple[str, int]]) -> dict[str, int]:
        """Record (id, row number) pairs (distinct ids) as seen in this file.

        Return {id: row number} for the ids that an earlier batch already had, with that
        earlier row's number. The ids live in a temporary table of this connection, so
        the worker's memory stays flat however long the file is.
        """
        if not claims:
            return {}
        self.open()
        with connection.cursor() as cursor:
            cursor.execute(*self.db.claim_query(claims))
            # The row count alone says whether every id was new (the common case).
            if cursor.rowcount == len(claims):
                return {}
            # Rare (a duplicate id across batches): one more query for the earlier rows. A
            # row number belongs to one row only, so an id stored with another row number
            # was claimed by an earlier batch.
            wanted = dict(claims)
            cursor.execute(*self.db.claimed_query(list(wanted)))
            return {mpid: number for mpid, number in cursor.fetchall() if wanted[mpid] != number}

    def read_existing(self, keys: Sequence[tuple[str, str]]) -> dict[str, Existing]:
        """One query: the products of this batch (by id) that exist, with their state.

        `keys` are (identifier, raw row hash) pairs.
        """
        if not keys:
            return {}
        with connection.cursor() as cursor:
            cursor.execute(*self.db.read_query(keys))
            rows = cursor.fetchall()
        existing: dict[str, Existing] = {}
        for mpid, product_id, chash, last_job_id, translation_id, fresh, same_warned, owns, texts in rows:
            existing[mpid] = Existing(
                product_id=product_id,
                content_hash=chash,
                last_job_id=last_job_id,
                translation_id=translation_id,
                fresh=bool(fresh),
                same_warned=bool(same_warned),
                owns_texts=bool(owns),
                texts=None if texts is None else tuple(json.loads(texts)),
            )
        return existing

    def write(self, plan: WritePlan, *, bytes_processed: int, bytes_total: int) -> BatchCounts:
        """Write a planned batch, its errors, and add its counts to the job.

        Must run inside the transaction that read the batch's existing products.
        """
        self.open()
        now = timezone.now()
        with connection.cursor() as cursor:
            # A check (dry run) records what the import would: its errors and "would be"
            # counts, never a product, a translation or the feed's membership.
            if not self.job.dry_run:
                self.db.write(cursor, plan, now)
            if plan.errors:
                self.db.insert_errors(cursor, plan.errors, now)
        if not self.job.dry_run:
            self.db.written()
        counts = BatchCounts(
            imported=plan.imported,
            updated=plan.updated,
            unchanged=plan.unchanged,
            translations_added=plan.translations_added,
            errors=plan.error_rows,
            warnings=plan.warnings,
            processed=plan.processed,
        )
        if not jobs.import_job_add_counts(
            job_id=self.job.id, counts=counts, bytes_processed=bytes_processed, bytes_total=bytes_total
        ):
            raise ImportCancelled("The job was cancelled or is no longer processing; the batch is rolled back.")
        return counts
