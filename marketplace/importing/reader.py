"""Turn the decoded feed into batches of rows ready for the database, in a process of its
own when the platform allows it.

Reading a row (splitting, hashing, normalizing, rendering) costs more than writing it;
on a machine with two cores, a reader process does that for the next batch while the
import process writes the current one, and the two run side by side. The import tells
the reader, through a small control pipe, whether to normalize ahead ("speculate"): yes
while most rows of the recent batches needed it (a store's first import), no when most
rows are recognized by their raw hash (a re-import), so unchanged rows are still never
normalized at all.

The reader is a fork of the importing process: it shares the open feed, the column map,
the normalizer and the writer's renderer, never touches the database, and sends each
batch of `FeedRow`s through a pipe as one pickle. The import reads one batch at a time
and the pipe holds at most about one more, so memory stays flat whatever the feed's
size. When the importing process dies, the reader's next write fails and it exits; when
the reader dies, the import fails the job with a message instead of waiting.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pickle
import queue
import select
import signal
import threading
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Any

from marketplace.importing.decoding import DecodedFeed
from marketplace.importing.errors import ImportFailed
from marketplace.importing.normalizers import RowNormalizer
from marketplace.importing.rows import FeedRow, Render, normalize_row, read_rows, rows_from_columns, rows_to_columns

_PIPE_BYTES = 1024 * 1024
_F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)


@dataclass(slots=True)
class ReadBatch:
    rows: list[FeedRow]
    bytes_read: int  # how far the file had been read when the batch was complete

    def __reduce__(self) -> tuple[Any, ...]:
        # Through the pipe as columns: see rows_to_columns.
        return (_batch_from_columns, (rows_to_columns(self.rows), self.bytes_read))


def _batch_from_columns(columns: list[tuple[Any, ...]], bytes_read: int) -> ReadBatch:
    return ReadBatch(rows=rows_from_columns(columns), bytes_read=bytes_read)


class ReaderFailed(ImportFailed):
    """The reader process stopped without finishing the feed."""


_READER_LOST = (
    "The import stopped: the process reading the file ended unexpectedly. "
    "Retry the import; if it happens again, contact support."
)


class BatchReader:
    """Reads `feed` into `ReadBatch`es (the same work in the reader process or in this one)."""

    def __init__(
        self,
        *,
        feed: DecodedFeed,
        normalizer: RowNormalizer,
        id_index: int | None,
        salt: str,
        batch_size: int,
        render: Render,
    ) -> None:
        self.feed = feed
        self.normalizer = normalizer
        self.id_index = id_index
        self.salt = salt
        self.batch_size = batch_size
        self.render = render

    def batches(self, speculate: Callable[[], bool]) -> Generator[ReadBatch, None, None]:
        records: list[tuple[int, list[str]]] = []
        for record in self.feed.records():
            records.append(record)
            if len(records) >= self.batch_size:
                yield self._batch(records, speculate())
                records = []
        if records:
            yield self._batch(records, speculate())

    def _batch(self, records: list[tuple[int, list[str]]], speculate: bool) -> ReadBatch:
        rows = read_rows(records, id_index=self.id_index, salt=self.salt)
        if speculate:
            rows = [self._normalized(row) for row in rows]
        return ReadBatch(rows=rows, bytes_read=self.feed.bytes_read())

    def _normalized(self, row: FeedRow) -> FeedRow:
        try:
            return normalize_row(row, self.normalizer, self.render)
        except Exception:
            return row  # normalized again by the import, which reports what went wrong


class InProcessBatches:
    """The batches, read in this process as they are asked for (no speculation)."""

    def __init__(self, reader: BatchReader) -> None:
        self._batches = reader.batches(lambda: False)

    def __enter__(self) -> InProcessBatches:
        return self

    def __exit__(self, *exc: object) -> None:
        self._batches.close()

    def __iter__(self) -> Iterator[ReadBatch]:
        return self._batches

    def set_speculate(self, value: bool) -> None:
        pass


class ForkedBatches:
    """The batches, read ahead by a forked reader process.

    A thread of this process unpickles the next batch while the import waits for the
    database (which releases the GIL), so that the import finds it ready.
    """

    def __init__(self, reader: BatchReader, *, speculate: bool) -> None:
        self._reader = reader
        self._speculate = speculate
        self._pid = 0
        self._input: Any = None
        self._control = -1
        self._frames: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=1)
        self._stop = threading.Event()
        self._loader: threading.Thread | None = None

    def __enter__(self) -> ForkedBatches:
        data_read, data_write = os.pipe()
        control_read, control_write = os.pipe()
        with contextlib.suppress(OSError):
            fcntl.fcntl(data_write, _F_SETPIPE_SZ, _PIPE_BYTES)
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child, measured through the import tests
            os.close(data_read)
            os.close(control_write)
            _child(self._reader, data_write, control_read, self._speculate)
        os.close(data_write)
        os.close(control_read)
        self._pid = pid
        self._input = os.fdopen(data_read, "rb", buffering=_PIPE_BYTES)
        self._control = control_write
        self._loader = threading.Thread(target=self._load_ahead, name="reader-batches", daemon=True)
        self._loader.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._pid:
            # First the process: its end of the pipe closes, so a load waiting for data ends.
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)  # done or not needed any more
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self._pid, 0)
            self._pid = 0
        if self._loader is not None:
            self._loader.join()
            self._loader = None
        if self._input is not None:
            self._input.close()
            self._input = None
        if self._control >= 0:
            os.close(self._control)
            self._control = -1

    def __iter__(self) -> Iterator[ReadBatch]:
        while True:
            try:
                kind, payload = self._frames.get(timeout=1.0)
            except queue.Empty:
                if (self._loader is not None and self._loader.is_alive()) or not self._frames.empty():
                    continue
                raise ReaderFailed(_READER_LOST) from None
            if kind == "batch":
                yield payload
            elif kind == "end":
                return
            elif kind == "lost":
                raise ReaderFailed(_READER_LOST) from payload
            else:
                raise payload

    def _load_ahead(self) -> None:
        load = pickle.load
        while not self._stop.is_set():
            try:
                frame = load(self._input)
            except Exception as exc:  # EOF or a torn pickle: the reader process is gone
                frame = ("lost", exc)
            while not self._stop.is_set():
                try:
                    self._frames.put(frame, timeout=0.1)
                    break
                except queue.Full:
                    continue
            if frame[0] != "batch":
                return

    def set_speculate(self, value: bool) -> None:
        if value != self._speculate:
            self._speculate = value
            with contextlib.suppress(BrokenPipeError):  # the reader has read the whole feed already
                os.write(self._control, b"1" if value else b"0")


def _child(reader: BatchReader, data_fd: int, control_fd: int, speculate: bool) -> None:  # pragma: no cover
    """The reader process: write every batch to `data_fd`, then exit without cleaning up
    anything of the parent's (its database connection above all)."""
    code = 0
    mode = [speculate]

    def speculate_now() -> bool:
        # The import's latest wish, if it sent any since the last batch.
        while select.select([control_fd], [], [], 0)[0]:
            data = os.read(control_fd, 64)
            if not data:
                break
            mode[0] = data[-1:] == b"1"
        return mode[0]

    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C is the import's to handle
        out = os.fdopen(data_fd, "wb", buffering=_PIPE_BYTES)
        dump = pickle.dump
        for batch in reader.batches(speculate_now):
            dump(("batch", batch), out, protocol=pickle.HIGHEST_PROTOCOL)
            out.flush()  # the whole batch now, not when the next one fills the buffer
        dump(("end", None), out)
        out.flush()
    except BrokenPipeError:
        pass  # the import stopped reading: nothing left to do
    except BaseException as exc:
        code = 1
        with contextlib.suppress(BaseException):
            try:
                pickle.dumps(exc)
                error: BaseException = exc
            except Exception:
                error = ReaderFailed(f"The feed reader failed ({type(exc).__name__}).")
            dump(("error", error), out)
            out.flush()
    os._exit(code)
