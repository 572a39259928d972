"""The writer's own failure, shared by both databases' strategies."""

from __future__ import annotations


class ConcurrentWriteError(Exception):
    """A product of the batch appeared between the read and the write; retry the batch."""
