"""FetchError, and the sentences a download failure is told to the store owner in.

``network_error`` turns whatever urllib3, ssl and the socket raised into one of a few
messages; the rest of the package raises FetchError with its own.
"""

from __future__ import annotations

import http
import http.client
import logging
import ssl

from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ProtocolError, ReadTimeoutError
from urllib3.exceptions import HTTPError as Urllib3HTTPError
from urllib3.exceptions import SSLError as Urllib3SSLError

from marketplace.importing.errors import ImportFailed

# One logger for the whole stage, as before it became a package: "marketplace.importing.fetching".
logger = logging.getLogger(__package__)


class FetchError(ImportFailed):
    """A download that failed, with a sentence a store owner can act on."""


def network_error(exc: BaseException, host: str, phase: str, timeout: float) -> FetchError:
    """Translate a low-level exception into a sentence for the store owner."""
    chain = _exception_chain(exc)
    seconds = format_seconds(timeout)
    verify = next((e for e in chain if isinstance(e, ssl.SSLCertVerificationError)), None)
    if verify is not None:
        reason = getattr(verify, "verify_message", None) or str(verify)
        return FetchError(f"The secure connection to {host} failed: its certificate could not be verified ({reason}).")
    if any(isinstance(e, ssl.SSLError | Urllib3SSLError) for e in chain):
        return FetchError(f"The secure connection (TLS) to {host} failed.")
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return FetchError(f"The server {host} refused the connection.")
    if isinstance(exc, NewConnectionError):
        cause = next((e for e in chain if isinstance(e, OSError) and e.strerror), None)
        detail = f" ({cause.strerror})" if cause is not None else ""
        return FetchError(f"Could not connect to {host}{detail}.")
    if isinstance(exc, ConnectTimeoutError | ReadTimeoutError) or any(isinstance(e, TimeoutError) for e in chain):
        if phase == "connect":
            return FetchError(f"The server {host} did not accept the connection within {seconds}.")
        if phase == "response":
            return FetchError(f"The server {host} did not answer within {seconds}.")
        return FetchError(f"The server {host} stopped sending data for more than {seconds}.")
    if isinstance(exc, ProtocolError) or any(isinstance(e, ConnectionError) for e in chain):
        return FetchError(f"The connection to {host} was interrupted before the download finished.")
    if any(isinstance(e, http.client.HTTPException | Urllib3HTTPError) for e in chain):
        return FetchError(f"The server {host} sent an invalid HTTP response.")
    if isinstance(exc, OSError):
        return FetchError(f"The download from {host} failed ({exc.strerror or exc}).")
    logger.error("Unexpected error while downloading a feed from %s", host, exc_info=exc)
    return FetchError("The download failed because of an unexpected error.")


def _exception_chain(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        nested = current.args[1] if len(current.args) > 1 and isinstance(current.args[1], BaseException) else None
        current = current.__cause__ or current.__context__ or nested
    return chain


def standard_reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def format_bytes(size: int) -> str:
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor:
            value = size / factor
            return f"{value:.0f} {unit}" if size % factor == 0 else f"{value:.1f} {unit}"
    return f"{size} bytes"


def format_seconds(seconds: float) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        minutes = int(seconds // 60)
        return "1 minute" if minutes == 1 else f"{minutes} minutes"
    return "1 second" if seconds == 1 else f"{seconds:g} seconds"
