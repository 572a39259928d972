"""Read the newest records of the application log without loading the file.

The admin's Application Logs page shows the latest lines of `settings.LOG_FILE`. The
file can be hundreds of megabytes, so it is read backwards in fixed-size blocks from the
end, up to a byte budget, and when the live file was just rotated (empty or short) the
reading carries on into `app.log.1`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

BLOCK_SIZE = 64 * 1024
# What one page view may read at most, over all files: a rare filter gives up rather than scan gigabytes.
DEFAULT_MAX_BYTES = 16 * 1024 * 1024
LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}

# The format of settings.LOGGING's "line" formatter:
# 2026-11-27 04:00:00,123 INFO [job=42] marketplace.x: message
_RECORD = re.compile(
    r"^(?P<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (?P<level>[A-Z]+) \[job=(?P<job>[^\]]*)\] "
    r"(?P<logger>[^:\s]+): ?(?P<message>.*)$"
)


@dataclass
class LogRecord:
    time: str
    level: str
    job: str
    logger: str
    message: str
    # Lines that belong to the record (a traceback), in file order.
    continuation: list[str] = field(default_factory=list)

    @property
    def level_number(self) -> int:
        return LEVELS.get(self.level, 0)


@dataclass
class LogTail:
    records: list[LogRecord]  # newest first
    files: list[Path]  # the log files that exist, newest first
    truncated: bool  # True when older records may exist that were not read (limit or byte budget)


def read_lines_backwards(path: Path, *, max_bytes: int, block_size: int = BLOCK_SIZE) -> Iterator[str]:
    """Yield the lines of a file from the last to the first, reading blocks from the end.

    Stops after max_bytes; a line cut by that limit is not yielded. Bytes that are not
    UTF-8 are replaced, never raised.
    """
    with open(path, "rb") as handle:
        position = handle.seek(0, os.SEEK_END)
        pending = b""  # the start of a line whose beginning is in an earlier block
        read = 0
        while position > 0 and read < max_bytes:
            size = min(block_size, position, max_bytes - read)
            position -= size
            handle.seek(position)
            block = handle.read(size) + pending
            read += size
            lines = block.split(b"\n")
            pending = lines.pop(0)
            for line in reversed(lines):
                if line.strip():
                    yield line.rstrip(b"\r").decode("utf-8", errors="replace")
        if position == 0 and pending.strip():
            yield pending.rstrip(b"\r").decode("utf-8", errors="replace")


def _log_files(path: Path) -> list[Path]:
    """The live file and its rotated predecessors (app.log.1, app.log.2...), newest first."""
    files = [path] if path.is_file() else []
    index = 1
    while (rotated := path.with_name(f"{path.name}.{index}")).is_file():
        files.append(rotated)
        index += 1
    return files


def _matches(record: LogRecord, *, min_level: int, job: str) -> bool:
    if min_level and record.level_number < min_level:
        return False
    return not job or record.job == job


def log_tail(
    path: Path,
    *,
    limit: int = 200,
    level: str = "",
    job: str = "",
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> LogTail:
    """The newest `limit` records (newest first) at or above `level`, of job `job` if given.

    Lines that do not start a record (a traceback's) are attached to the record above
    them. A missing or empty file gives no records, not an error.
    """
    min_level = LEVELS.get(level, 0)
    files = _log_files(path)
    records: list[LogRecord] = []
    budget = max_bytes
    for log_file in files:
        if budget <= 0:
            return LogTail(records, files, truncated=True)
        try:
            size = log_file.stat().st_size
            lines = read_lines_backwards(log_file, max_bytes=budget)
            continuation: list[str] = []
            for line in lines:
                match = _RECORD.match(line)
                if match is None:
                    continuation.append(line)
                    continue
                record = LogRecord(**match.groupdict(), continuation=continuation[::-1])
                continuation = []
                if _matches(record, min_level=min_level, job=job):
                    records.append(record)
                    if len(records) >= limit:
                        return LogTail(records, files, truncated=True)
        except FileNotFoundError:  # rotated away between the listing and the reading
            continue
        budget -= size
    return LogTail(records, files, truncated=budget < 0)
