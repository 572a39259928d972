"""SQLite as imports use it: WAL checkpoints in a thread of their own (not at every commit), 16 KB pages."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from marketplace.importing.writing import sqlite as sqlite_writes
from marketplace.importing.writing.sqlite_checkpoint import BackgroundCheckpointer
from tests.factories.stores import StoreFactory
from tests.marketplace.importing.conftest import counters, import_file, product_row, write_feed

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only"),
]


def _autocheckpoint() -> int:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        return cursor.fetchone()[0]


def _wait_for(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_the_thread_copies_every_committed_frame_and_hands_checkpoints_back():
    assert BackgroundCheckpointer.applies_to(connection)
    checkpointer = BackgroundCheckpointer(connection)
    checkpointer.start()
    try:
        assert _autocheckpoint() == 0  # this connection no longer checkpoints at commit
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE checkpoint_probe (payload TEXT)")
        for _ in range(5):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany("INSERT INTO checkpoint_probe VALUES (%s)", [["x" * 4000]] * 50)
            done = checkpointer.checkpoints
            checkpointer.committed()
            _wait_for(lambda done=done: checkpointer.checkpoints > done)
        busy, log_frames, copied = checkpointer.last_result
        assert busy == 0 and log_frames > 0 and copied == log_frames
    finally:
        thread = checkpointer._thread
        checkpointer.stop()
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS checkpoint_probe")
    assert _autocheckpoint() == 1000
    assert thread is not None and not thread.is_alive()


def test_an_import_runs_its_checkpoints_in_the_thread_and_leaves_sqlite_as_it_was(tmp_path, monkeypatch):
    started: list[tuple[BackgroundCheckpointer, threading.Thread]] = []

    class Recording(BackgroundCheckpointer):
        def start(self) -> None:
            super().start()
            started.append((self, self._thread))

    monkeypatch.setattr(sqlite_writes, "BackgroundCheckpointer", Recording)
    store = StoreFactory(code="alpha")
    path = write_feed(tmp_path / "feed.csv", [product_row(n) for n in range(1, 501)])

    job = import_file(store, path, batch_size=100)

    assert counters(job) == (500, 0, 0, 0, 0, 500)
    [(checkpointer, thread)] = started
    assert checkpointer.checkpoints >= 1 and not thread.is_alive()
    assert _autocheckpoint() == 1000


def test_a_new_database_has_16_kb_pages():
    # The test database is created through the same connection settings as a new install's.
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA page_size")
        assert cursor.fetchone()[0] == 16384
