"""The two ways an import ends early, whichever stage it was in.

Pure module: the decoding and mapping stages build on it, so it must not import Django.
Each stage raises its own subclass of `ImportFailed` (`FetchError`, `FeedDecodeError`,
`MappingError`, `ReaderFailed`) so its tests and callers can tell them apart, while the
pipeline needs only these two names to turn any of them into a job status.
"""

from __future__ import annotations


class ImportCancelled(Exception):
    """The job was cancelled, or is no longer this worker's, while the import ran.

    Raised during a download and between batches (the running batch is rolled back);
    the job ends cancelled.
    """


class ImportFailed(Exception):
    """The feed cannot be imported; the job fails with `message`, a sentence the store owner can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
