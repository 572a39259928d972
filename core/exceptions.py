from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A business rule was broken; the message is safe to show to the user."""

    def __init__(self, message: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
