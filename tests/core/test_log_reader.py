"""Reading the newest log records backwards, in blocks, without loading the file."""

from __future__ import annotations

import builtins
from pathlib import Path

import pytest

from core.log_reader import log_tail, read_lines_backwards


def _line(n: int, level: str = "INFO", job: str = "-", message: str | None = None) -> str:
    return f"2026-11-27 04:00:{n % 60:02d},{n % 1000:03d} {level} [job={job}] marketplace.x: {message or f'line {n}'}\n"


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_lines_come_back_last_first_across_block_boundaries(tmp_path):
    path = _write(tmp_path / "app.log", [f"line {n}\n" for n in range(1000)])
    lines = list(read_lines_backwards(path, max_bytes=10**9, block_size=7))
    assert lines == [f"line {n}" for n in reversed(range(1000))]


def test_a_file_without_a_final_newline_keeps_its_last_line(tmp_path):
    path = tmp_path / "app.log"
    path.write_bytes(b"first\nsecond")
    assert list(read_lines_backwards(path, max_bytes=100, block_size=4)) == ["second", "first"]


def test_reading_stops_at_the_byte_budget_and_drops_the_cut_line(tmp_path):
    path = _write(tmp_path / "app.log", [f"{n:04d}\n" for n in range(100)])  # 5 bytes a line
    lines = list(read_lines_backwards(path, max_bytes=12, block_size=4))
    assert lines == ["0099", "0098"]


def test_multibyte_characters_split_by_a_block_survive(tmp_path):
    path = _write(tmp_path / "app.log", ["Théière Größe €\n"] * 50)
    assert set(read_lines_backwards(path, max_bytes=10**6, block_size=3)) == {"Théière Größe €"}


def test_invalid_utf8_is_replaced_not_raised(tmp_path):
    path = tmp_path / "app.log"
    path.write_bytes(b"caf\xe9\n")
    assert list(read_lines_backwards(path, max_bytes=100)) == ["caf\ufffd"]


def test_it_never_reads_the_whole_file(tmp_path, monkeypatch):
    path = _write(tmp_path / "app.log", [_line(n) for n in range(200_000)])  # ~11 MB
    reads: list[int] = []
    real_open = builtins.open

    class Spy:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def seek(self, *args):
            return self.handle.seek(*args)

        def read(self, size=-1):
            assert size >= 0, "read() of the whole file"
            reads.append(size)
            return self.handle.read(size)

    monkeypatch.setattr("core.log_reader.open", lambda *a, **k: Spy(real_open(*a, **k)), raising=False)
    tail = log_tail(path, limit=10)
    assert [r.message for r in tail.records] == [f"line {n}" for n in range(199_999, 199_989, -1)]
    assert sum(reads) <= 64 * 1024


def test_it_filters_by_minimum_level_and_job(tmp_path):
    path = _write(
        tmp_path / "app.log",
        [
            _line(1, "INFO", "42", "started"),
            _line(2, "WARNING", "42", "gtin"),
            _line(3, "ERROR", "7", "boom"),
            _line(4, "DEBUG", "42", "detail"),
            _line(5, "CRITICAL", "-", "disk"),
        ],
    )
    assert [r.message for r in log_tail(path, level="WARNING").records] == ["disk", "boom", "gtin"]
    assert [r.message for r in log_tail(path, job="42").records] == ["detail", "gtin", "started"]
    assert [r.message for r in log_tail(path, job="42", level="INFO").records] == ["gtin", "started"]
    assert [r.message for r in log_tail(path, limit=2).records] == ["disk", "detail"]
    assert log_tail(path, limit=2).truncated


def test_a_traceback_stays_with_its_record(tmp_path):
    path = _write(
        tmp_path / "app.log",
        [
            _line(1, "INFO", "-", "before"),
            _line(2, "ERROR", "9", "Import crashed"),
            "Traceback (most recent call last):\n",
            '  File "x.py", line 1\n',
            "ValueError: bad\n",
            _line(3, "INFO", "-", "after"),
        ],
    )
    records = log_tail(path, job="9").records
    assert len(records) == 1
    assert records[0].continuation == ["Traceback (most recent call last):", '  File "x.py", line 1', "ValueError: bad"]


@pytest.mark.parametrize("content", [None, b"", b"\n\n"])
def test_a_missing_or_empty_file_gives_no_records(tmp_path, content):
    path = tmp_path / "app.log"
    if content is not None:
        path.write_bytes(content)
    tail = log_tail(path)
    assert tail.records == []
    assert not tail.truncated


def test_after_a_rotation_it_reads_on_into_the_previous_file(tmp_path):
    path = _write(tmp_path / "app.log", [_line(3, message="new")])
    _write(tmp_path / "app.log.1", [_line(1, message="old 1"), _line(2, message="old 2")])
    _write(tmp_path / "app.log.2", [_line(0, message="oldest")])
    tail = log_tail(path, limit=3)
    assert [r.message for r in tail.records] == ["new", "old 2", "old 1"]
    assert [p.name for p in tail.files] == ["app.log", "app.log.1", "app.log.2"]


def test_a_just_rotated_empty_file_shows_the_previous_one(tmp_path):
    path = _write(tmp_path / "app.log", [])
    _write(tmp_path / "app.log.1", [_line(1, message="before rotation")])
    assert [r.message for r in log_tail(path).records] == ["before rotation"]


def test_the_byte_budget_spans_files(tmp_path):
    path = _write(tmp_path / "app.log", [_line(n, message="x" * 100) for n in range(100)])
    _write(tmp_path / "app.log.1", [_line(n, message="old") for n in range(100)])
    tail = log_tail(path, limit=1000, max_bytes=path.stat().st_size + 10)
    assert len([r for r in tail.records if r.message == "old"]) == 0
    assert tail.truncated
