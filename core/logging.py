"""Every log line of an import carries its job id, taken from a context variable."""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Iterator
from contextlib import contextmanager

_current_job_id: contextvars.ContextVar[int | None] = contextvars.ContextVar("job_id", default=None)


class JobContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "job_id"):
            job_id = _current_job_id.get()
            record.job_id = job_id if job_id is not None else "-"
        return True


@contextmanager
def job_logging_context(job_id: int) -> Iterator[None]:
    token = _current_job_id.set(job_id)
    try:
        yield
    finally:
        _current_job_id.reset(token)
