"""The domain's errors: services raise them, each interface turns them into its own answer.

The API's status code for each is chosen once, in core.api.exception_handlers; the pages
show the message.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A business rule was broken; the message is safe to show to the user.

    `extra` holds details an interface may show beside the message (the API adds them to
    its error body).
    """

    def __init__(self, message: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class ConflictError(ApplicationError):
    """The request is at odds with the present state of things: an import of the same feed is
    already running, or a job's status does not allow what was asked."""
