from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from tests.httpserver import LoopbackHTTPServer, RequestHandler, Response

FEED_PATH = "/feed.csv"
BODY = b"id,title,price,availability\nsku-1,Lamp,19.99 EUR,in stock\nsku-2,Chair,49.00 EUR,in stock\n"
CHANGED_BODY = BODY + b"sku-3,Table,99.00 EUR,in stock\n"


class FeedEndpoint:
    """A feed on the loopback server whose body can change, with or without conditional support."""

    def __init__(self, server: LoopbackHTTPServer, *, conditional: bool = True, path: str = FEED_PATH) -> None:
        self.server = server
        self.path = path
        self.body = BODY
        self.conditional = conditional
        self.status = 200
        self.version = 1
        self._lock = threading.Lock()
        self.not_modified = 0
        server.handle(path, self._handle)

    @property
    def url(self) -> str:
        return self.server.url(self.path)

    @property
    def etag(self) -> str:
        return f'"v{self.version}"'

    def change(self, body: bytes) -> None:
        self.body = body
        self.version += 1

    def requests(self) -> list:
        return [r for r in self.server.requests if r.path == self.path]

    def _handle(self, request: RequestHandler) -> None:
        if self.status != 200:
            request.send_static(Response(self.status, {"Content-Type": "text/plain"}, b"broken"))
            return
        headers = {"Content-Type": "text/csv"}
        if self.conditional:
            headers["ETag"] = self.etag
            headers["Last-Modified"] = "Wed, 02 Dec 2026 10:00:00 GMT"
            if request.headers.get("If-None-Match") == self.etag:
                with self._lock:
                    self.not_modified += 1
                request.send_static(Response(304, {"ETag": self.etag}))
                return
        request.send_static(Response(200, headers, self.body))


@pytest.fixture
def feed_endpoint(feed_server) -> Callable[..., FeedEndpoint]:
    def make(**kwargs) -> FeedEndpoint:
        return FeedEndpoint(feed_server, **kwargs)

    return make
