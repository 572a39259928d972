"""Move SQLite's WAL checkpoints off the import's critical path.

In WAL mode every commit that grows the log past `wal_autocheckpoint` pages copies the
log into the database file and waits for the disk twice, on the committing thread. An
import commits a few MB per batch, so nearly every batch paid for a checkpoint: about a
third of a fresh import's time went into waiting for the disk.

While an import runs, its connection stops checkpointing and a thread with a connection
of its own checkpoints instead (PASSIVE: it never blocks the writer or readers). The
sqlite3 module releases the GIL while SQLite works, so the copy and the disk waits
overlap with the next batch. Durability is unchanged: committed transactions are in the
log, and the log is synced at every checkpoint exactly as before.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading

from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger(__name__)

# How long the thread waits for the next commit before checkpointing anyway.
_IDLE_SECONDS = 0.5
# SQLite's default, restored on the import's connection afterwards.
_DEFAULT_AUTOCHECKPOINT = 1000


class BackgroundCheckpointer:
    """Checkpoints the database of `connection` (a Django SQLite connection) in a thread."""

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self._connection = connection
        self._path = str(connection.settings_dict["NAME"])
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.checkpoints = 0  # completed checkpoint calls
        # SQLite's answer to the last one: (busy, frames in the log, frames copied).
        self.last_result: tuple[int, int, int] | None = None

    @staticmethod
    def applies_to(connection: BaseDatabaseWrapper) -> bool:
        name = str(connection.settings_dict.get("NAME") or "")
        if connection.vendor != "sqlite" or not name or name == ":memory:" or name.startswith("file:"):
            return False
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            return str(cursor.fetchone()[0]).lower() == "wal"

    def start(self) -> None:
        with self._connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint = 0")
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
        self._thread.start()

    def committed(self) -> None:
        """A batch committed: there is log to copy."""
        self._wake.set()

    def stop(self) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._wake.set()
        self._thread.join()
        self._thread = None
        with contextlib.suppress(Exception), self._connection.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint = {_DEFAULT_AUTOCHECKPOINT}")
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def _run(self) -> None:
        try:
            db = sqlite3.connect(self._path, timeout=30, check_same_thread=False)
        except sqlite3.Error:
            logger.warning("Background checkpoints unavailable; SQLite checkpoints at commit instead", exc_info=True)
            return
        try:
            while not self._stop.is_set():
                self._wake.wait(_IDLE_SECONDS)
                self._wake.clear()
                try:
                    self.last_result = tuple(db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone())
                    self.checkpoints += 1
                except sqlite3.Error:
                    logger.warning("Background checkpoint failed; the next one retries", exc_info=True)
        finally:
            db.close()
