"""A small programmable HTTP server on loopback, for tests that need a real server.

    with LoopbackHTTPServer() as server:                 # 127.0.0.1, a free port
        server.route("/feed.csv", b"id,title\n1,A\n", headers={"Content-Type": "text/csv"})
        server.redirect("/old", "/feed.csv")
        server.handle("/slow", trickle(b"x" * 1024, interval=0.05, count=1000))
        fetch(server.url("/old"))
        assert server.paths == ["/old", "/feed.csv"]

Every request is recorded (method, path, headers), so a server that must *not* be contacted
serves as a canary: ``assert canary.requests == []``. ``LoopbackHTTPServer("::1")`` serves
IPv6; pass ``ssl_context`` to serve HTTPS (the SNI names clients sent are recorded).
Handlers that wait should wait on ``handler.server.stopping`` so that stop() is prompt.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Handler = Callable[["RequestHandler"], None]


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    client: str


@dataclass(frozen=True)
class Response:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


class RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    def send_static(self, response: Response) -> None:
        """Send a status, headers and body; Content-Length unless the headers set framing."""
        self.send_response(response.status)
        names = {name.lower() for name in response.headers}
        for name, value in response.headers.items():
            self.send_header(name, value)
        if "content-length" not in names and "transfer-encoding" not in names:
            self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def _dispatch(self) -> None:
        self.close_connection = True
        owner = self.server.owner
        owner.record(
            RecordedRequest(
                method=self.command,
                path=self.path,
                headers={name.lower(): value for name, value in self.headers.items()},
                client=self.client_address[0],
            )
        )
        route = owner.lookup(self.path)
        if route is None:
            self.send_static(Response(404, {"Content-Type": "text/plain"}, b"not found"))
        elif isinstance(route, Response):
            self.send_static(route)
        else:
            route(self)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: LoopbackHTTPServer
    stopping: threading.Event

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-body (a size cap, a cancel) is normal in these tests.
        pass


class _Server6(_Server):
    address_family = socket.AF_INET6


class LoopbackHTTPServer:
    def __init__(self, host: str = "127.0.0.1", *, ssl_context: ssl.SSLContext | None = None) -> None:
        self.host = host
        self.ssl_context = ssl_context
        self.sni_names: list[str | None] = []
        self._routes: dict[str, Response | Handler] = {}
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---

    def start(self) -> LoopbackHTTPServer:
        server_class = _Server6 if ":" in self.host else _Server
        httpd = server_class((self.host, 0), RequestHandler)
        httpd.owner = self
        httpd.stopping = threading.Event()
        if self.ssl_context is not None:
            self.ssl_context.sni_callback = self._record_sni
            # Handshake in the handler thread, so a client that rejects the certificate
            # cannot hold up the accept loop.
            httpd.socket = self.ssl_context.wrap_socket(httpd.socket, server_side=True, do_handshake_on_connect=False)
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None

    def __enter__(self) -> LoopbackHTTPServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- addresses ---

    @property
    def port(self) -> int:
        assert self._httpd is not None, "start() the server first"
        return self._httpd.server_address[1]

    @property
    def netloc(self) -> str:
        """``host:port`` as MARKETPLACE_FETCH_ALLOWED_HOSTS and the Host header spell it."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def url(self, path: str = "/", *, host: str | None = None) -> str:
        scheme = "https" if self.ssl_context is not None else "http"
        if host is None:
            return f"{scheme}://{self.netloc}{path}"
        return f"{scheme}://{host}:{self.port}{path}"

    # --- programming ---

    def route(self, path: str, body: bytes = b"", *, status: int = 200, headers: dict[str, str] | None = None) -> None:
        self._routes[path] = Response(status, dict(headers or {}), body)

    def handle(self, path: str, handler: Handler) -> None:
        self._routes[path] = handler

    def redirect(self, path: str, location: str, *, status: int = 302) -> None:
        self.route(path, b"", status=status, headers={"Location": location})

    def lookup(self, path: str) -> Response | Handler | None:
        return self._routes.get(path) or self._routes.get(path.partition("?")[0])

    # --- what happened ---

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def paths(self) -> list[str]:
        return [request.path for request in self.requests]

    def _record_sni(self, sslobj: Any, name: str | None, context: ssl.SSLContext) -> None:
        self.sni_names.append(name)


# --- handlers for slow and broken servers -------------------------------------------------------


def trickle(chunk: bytes, *, interval: float, count: int, headers: dict[str, str] | None = None) -> Handler:
    """Send ``count`` chunks ``interval`` seconds apart (Content-Length announces them all)."""

    def handler(request: RequestHandler) -> None:
        request.send_response(200)
        for name, value in (headers or {"Content-Type": "text/csv"}).items():
            request.send_header(name, value)
        request.send_header("Content-Length", str(len(chunk) * count))
        request.send_header("Connection", "close")
        request.end_headers()
        with contextlib.suppress(OSError):
            for _ in range(count):
                request.wfile.write(chunk)
                request.wfile.flush()
                if request.server.stopping.wait(interval):
                    return

    return handler


def stall(
    *, after_headers: bool, seconds: float = 30.0, status: int = 200, headers: dict[str, str] | None = None
) -> Handler:
    """Say nothing for ``seconds``: before the status line, or after the headers."""

    def handler(request: RequestHandler) -> None:
        if after_headers:
            request.send_response(status)
            for name, value in (headers or {"Content-Type": "text/csv", "Content-Length": "1000000"}).items():
                request.send_header(name, value)
            request.send_header("Connection", "close")
            request.end_headers()
            request.wfile.flush()
        request.server.stopping.wait(seconds)

    return handler


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` passes; return whether it held."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()
