"""Stage 1 of an import: download a feed URL into a temporary file.

This is the only part of the import engine that talks HTTP. The URL comes from a store
owner, so it is treated as hostile (SPEC section 9, "Fetching a user's URL"):

- http and https only, ports 80 and 443, no user:password in the URL;
- the host is resolved once, *every* address is checked against the IANA special-purpose
  ranges, and the connection goes to the address that was checked, so a DNS answer that
  changes between the check and the connection (DNS rebinding) cannot reach an internal host;
- redirects are followed here, at most five, each hop checked like the first URL, and a
  redirect's body is never read;
- proxy environment variables and ``.netrc`` play no part;
- the size cap applies to the decompressed bytes, and gzip/deflate is decoded with a bounded
  output per step, so a decompression bomb costs at most the cap on disk and 64 KiB in memory.

Hosts in ``MARKETPLACE_FETCH_ALLOWED_HOSTS`` ("host" or "host:port") may use any port (the
first form) or that port, and are exempt from the address check: the demo and the tests serve
feeds on loopback.

The modules, from the outside in:

- ``download``: `fetch_feed`, the caller's thread: deadline, cancel and heartbeat, undoing
  the compression (``marketplace/importing/compression.py``), size cap, HTML and empty bodies;
- ``transport``: the helper thread that resolves, connects, follows redirects and reads;
- ``urls``: checking and normalizing a URL, the allowlist, URLs as the logs show them;
- ``addresses``: the IP ranges a feed may not come from;
- ``errors``: `FetchError` and the messages for network failures.
"""

from __future__ import annotations

from marketplace.importing.fetching.addresses import is_blocked_address
from marketplace.importing.fetching.download import FetchedFeed, NotModified, fetch_feed, fetch_feed_if_changed
from marketplace.importing.fetching.errors import FetchError
from marketplace.importing.fetching.urls import validate_feed_url

__all__ = [
    "FetchError",
    "FetchedFeed",
    "NotModified",
    "fetch_feed",
    "fetch_feed_if_changed",
    "is_blocked_address",
    "validate_feed_url",
]
