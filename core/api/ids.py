"""Database ids in URL paths and request bodies: 64-bit integers, never a 500."""

from __future__ import annotations

from rest_framework.exceptions import NotFound

from core.ids import MAX_DB_ID

__all__ = ["MAX_DB_ID", "parse_path_id"]


def parse_path_id(value: str, *, not_found: str) -> int:
    """The integer id of a path segment; anything else names no object (404 with `not_found`)."""
    if not value.isascii() or not value.isdigit() or len(value) > 19 or not 0 < int(value) <= MAX_DB_ID:
        raise NotFound(not_found)
    return int(value)
