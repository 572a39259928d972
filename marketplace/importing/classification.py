"""What becomes of each row of a batch, decided in one place.

Pure module: it works on rows and on what the batch's read found in the database
(`Existing`), and never touches the database itself. A row is one of:

- **fresh**: the job language's translation came from these very raw bytes, without
  warnings, and the product has not changed since: nothing to normalize or write;
- **invalid**: normalizing found errors (the row is skipped, its errors recorded);
- **duplicate**: an earlier row of the file had its id (this batch's or an earlier one's);
- **new**: no product has its id yet;
- **changed**: the product's language-independent values, or this language's texts,
  differ from the row's;
- **identical**: same data, counted unchanged; when it came from other bytes (or its
  old warnings are gone) its translation is **refreshed** with the new raw hash, so the
  next import recognizes it without normalizing it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from marketplace.importing.decoding import MalformedRecord
from marketplace.importing.messages import TEMPLATES, english
from marketplace.importing.normalizers.issues import NOTE_CURRENCY_ASSUMED, NOTE_HTML
from marketplace.importing.rows import ErrorRow, FeedRow

ERROR = "error"
WARNING = "warning"
DUPLICATE = "validation_error"
NOTE_BITS = (NOTE_CURRENCY_ASSUMED, NOTE_HTML)

# (cells, field) -> the row's key values for the error viewer
Snapshot = Callable[[list[str], str], dict[str, str]]
# a valid row -> its translatable texts, as the database stores them
Texts = Callable[[FeedRow], tuple[str, ...]]


@dataclass(slots=True)
class Existing:
    """What the database holds for one id of the batch."""

    product_id: int
    content_hash: str
    # The import that last created or changed the product (None: its job was deleted).
    last_job_id: int | None
    # The job language's translation, None when the product does not have it yet.
    translation_id: int | None
    # True when the job language's translation came from this exact raw row, had no
    # warnings, and the product has not changed since: the row needs no work at all.
    fresh: bool
    # The translation came from this exact raw row, which had warnings: never fresh (its
    # warnings are reported again), but there is nothing new to record about it either.
    same_warned: bool
    # This language writes the product's display copy (its title and description).
    owns_texts: bool
    # The translation's texts, read only when the row is not fresh (else None).
    texts: tuple[str, ...] | None

    @property
    def has_translation(self) -> bool:
        return self.translation_id is not None


@dataclass
class WritePlan:
    """The valid rows of a batch, sorted for the writer, and the batch's counts."""

    inserts: list[FeedRow] = field(default_factory=list)
    updates: list[tuple[FeedRow, Existing]] = field(default_factory=list)
    refreshes: list[tuple[FeedRow, Existing]] = field(default_factory=list)  # only the raw hash to store
    errors: list[ErrorRow] = field(default_factory=list)
    # The existing products the batch contained (every valid row but the new ones): with
    # the new products' ids, the batch's feed membership.
    contained_ids: list[int] = field(default_factory=list)
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    translations_added: int = 0
    error_rows: int = 0  # rows skipped (one row may carry several ErrorRow records)
    warnings: int = 0
    processed: int = 0
    # NOTE_* bit -> how many of the rows kept carry it (the job reports each once).
    notes: dict[int, int] = field(default_factory=dict)


class BatchSorting:
    """Sorts the rows of one batch as they come, then plans the writes.

    Call `take_fresh` with the batch's rows in file order; normalize each row it gives
    back and call `take_normalized`. Then `drop_claimed_earlier` with the ids an earlier
    batch had, and `plan`.
    """

    def __init__(self, existing: dict[str, Existing], snapshot: Snapshot) -> None:
        self.existing = existing
        self._snapshot = snapshot
        self.rows: list[FeedRow] = []  # valid, first of their id in the batch
        self.errors: list[ErrorRow] = []
        self.error_rows = 0
        self.unchanged = 0
        # identifier -> (row, index in rows or -1 for a fresh row)
        self.claimed: dict[str, tuple[FeedRow, int]] = {}

    def take_fresh(self, rows: list[FeedRow]) -> list[FeedRow]:
        """Count the fresh rows unchanged (they need no normalizing); return the others, in order.

        One call per batch, the loop inside: in a re-import it runs for nearly every row.
        """
        existing, claimed = self.existing, self.claimed
        rest: list[FeedRow] = []
        fresh = 0
        for row in rows:
            raw_id = row.identifier
            state = existing.get(raw_id) if raw_id else None
            # Freshness is judged on an id's first row of the batch: that is the row that
            # counts (a later one is a duplicate, or follows a first row that was invalid
            # and so cannot be fresh).
            if state is None or not state.fresh or raw_id in claimed:
                rest.append(row)
                continue
            claimed[raw_id] = (row, -1)
            fresh += 1
        self.unchanged += fresh
        return rest

    def take_normalized(self, row: FeedRow) -> None:
        if not row.valid:
            self.error_rows += 1
            self._add_issues(row, rejected=True)
            return
        first = self.claimed.get(row.identifier)
        if first is not None:
            self._duplicate(row, first[0].number)
            return
        self.claimed[row.identifier] = (row, len(self.rows))
        self.rows.append(row)
        if row.issues:
            self._add_issues(row)

    def take_broken(self, row: FeedRow, error: ErrorRow) -> None:
        """A row whose normalizing failed outright (a bug): one error, the row skipped."""
        self.error_rows += 1
        self.errors.append(error)

    def claims(self) -> list[tuple[str, int]]:
        """(id, row number) of every id this batch claims, for the file-wide duplicate check."""
        return [(identifier, claim[0].number) for identifier, claim in self.claimed.items()]

    def drop_claimed_earlier(self, earlier: dict[str, int]) -> None:
        """Skip the rows whose id an earlier batch of the file had ({id: that row's number})."""
        if earlier:
            dropped: set[int] = set()
            for identifier, first_row in earlier.items():
                row, index = self.claimed.pop(identifier)
                if index == -1:
                    self.unchanged -= 1
                else:
                    dropped.add(index)
                self._duplicate(row, first_row)
            if dropped:
                dropped_rows = {self.rows[index].number for index in dropped}
                self.rows = [row for index, row in enumerate(self.rows) if index not in dropped]
                # Warnings of a skipped row no longer apply: the row is one error now.
                self.errors = [e for e in self.errors if not (e.row_number in dropped_rows and e.severity == WARNING)]
            self.errors.sort(key=lambda e: e.row_number)

    def plan(self, existing: dict[str, Existing], texts: Texts, processed: int) -> WritePlan:
        """Sort the valid rows into new, changed and identical (`existing` may hold more
        ids than the first read: those the normalizer cleaned beyond a strip())."""
        plan = WritePlan(errors=self.errors, unchanged=self.unchanged, error_rows=self.error_rows, processed=processed)
        contained = plan.contained_ids
        for identifier, (_row, index) in self.claimed.items():
            if index == -1:
                contained.append(existing[identifier].product_id)  # fresh
        notes = plan.notes
        for row in self.rows:
            if row.notes:
                for bit in NOTE_BITS:
                    if row.notes & bit:
                        notes[bit] = notes.get(bit, 0) + 1
            if row.issues:
                plan.warnings += 1
            ex = existing.get(row.identifier)
            if ex is None:
                plan.imported += 1
                plan.inserts.append(row)
                continue
            contained.append(ex.product_id)
            neutral_changed = ex.content_hash != row.content_hash
            if ex.translation_id is None:
                # A language the product did not have: counted apart, and updated only when
                # its language-neutral data changed. The display copy may follow the new
                # language (the store's default), which is the product's own write.
                plan.translations_added += 1
                if neutral_changed:
                    plan.updated += 1
                else:
                    plan.unchanged += 1
                (plan.updates if neutral_changed or ex.owns_texts else plan.refreshes).append((row, ex))
                continue
            # Texts not read (None): the translation came from this very raw row.
            texts_changed = ex.texts is not None and ex.texts != texts(row)
            if texts_changed or neutral_changed:
                plan.updated += 1
                plan.updates.append((row, ex))
            else:
                plan.unchanged += 1
                if not ex.fresh and not (ex.same_warned and row.issues):
                    # Same data from different bytes (or warnings to forget): store the new
                    # raw hash so the next import recognizes the row without normalizing it.
                    plan.refreshes.append((row, ex))
        return plan

    def _add_issues(self, row: FeedRow, *, rejected: bool = False) -> None:
        cells = _rejected_cells(row) if rejected else None
        for issue in row.issues:
            self.errors.append(
                ErrorRow(
                    row_number=row.number,
                    identifier=row.identifier or "",
                    error_type=issue.error_type,
                    severity=issue.severity,
                    field=issue.field or "",
                    message=issue.message,
                    # A key without a template is a finished English text: stored as the message only.
                    key=issue.key if issue.key in TEMPLATES else "",
                    params=issue.params,
                    row_data=self._snapshot(row.cells, issue.field or ""),
                    cells=cells,
                )
            )
            cells = None  # once per row, on its first error

    def _duplicate(self, row: FeedRow, first_row: int) -> None:
        self.error_rows += 1
        self.errors.append(
            ErrorRow(
                row_number=row.number,
                identifier=row.identifier,
                error_type=DUPLICATE,
                severity=ERROR,
                field="marketplace_product_id",
                message=english("duplicate_id", params := {"value": row.identifier, "row": first_row}),
                key="duplicate_id",
                params=params,
                row_data=self._snapshot(row.cells, ""),
                cells=_rejected_cells(row),
            )
        )


def _rejected_cells(row: FeedRow) -> list[str] | None:
    # An unreadable record (MalformedRecord) has no cells to give back.
    return None if isinstance(row.cells, MalformedRecord) else list(row.cells)
