"""A small localhost HTTP server for crawl tests: a dict of routes, a request log.

    routes = {"/feed.xml": Route(body=FEED, headers={"Content-Type": "application/rss+xml"}),
              "/slow": Route(body="late", delay=3.0),
              "/moved": Route(status=301, redirect="/new"),
              "/page.gz": Route(body=HTML, gzip=True)}
    with FixtureServer(routes, host="127.0.0.2") as srv:
        srv.url("/feed.xml"); srv.requests  # [(method, path, headers), ...]

A route is looked up by the full path with query string first, then by the path alone. Routes can
be changed while the server runs (``srv.routes[...] = ...``). Unknown paths are 404.
"""

from __future__ import annotations

import gzip as gziplib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Route:
    body: bytes | str = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = "text/html; charset=utf-8"
    delay: float = 0.0
    redirect: str | None = None  # Location header (relative or absolute)
    gzip: bool = False  # gzip the body and send Content-Encoding: gzip
    raw_gzip: bytes | None = None  # send these bytes as a gzip-encoded body (e.g. a bomb)
    statuses: list[int] | None = None  # successive statuses, the last one repeats (e.g. [429, 200])
    encoding: str = "utf-8"  # used when ``body`` is a str

    def payload(self) -> bytes:
        return self.body.encode(self.encoding) if isinstance(self.body, str) else self.body


@dataclass
class LoggedRequest:
    method: str
    path: str
    headers: dict[str, str]
    status: int
    time: float


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - silence stderr
        pass

    def do_HEAD(self):  # noqa: N802
        self._serve(head=True)

    def do_GET(self):  # noqa: N802
        self._serve(head=False)

    def _serve(self, head: bool) -> None:
        srv = self.server
        path = self.path
        route = srv.routes.get(path) or srv.routes.get(urlsplit(path).path)
        with srv.lock:
            n = srv.hits.get(path, 0)
            srv.hits[path] = n + 1
        if route is None:
            status, body, headers = 404, b"<html><body>not found</body></html>", {"Content-Type": "text/html"}
        else:
            if route.delay:
                time.sleep(route.delay)
            status = route.status
            if route.statuses:
                status = route.statuses[min(n, len(route.statuses) - 1)]
            headers = {}
            if route.content_type:
                headers["Content-Type"] = route.content_type
            headers.update(route.headers)
            if route.redirect:
                headers["Location"] = route.redirect
            body = route.payload()
            if route.raw_gzip is not None:
                body = route.raw_gzip
                headers["Content-Encoding"] = "gzip"
            elif route.gzip:
                body = gziplib.compress(body)
                headers["Content-Encoding"] = "gzip"
        with srv.lock:
            srv.log.append(LoggedRequest(self.command, path, dict(self.headers.items()), status, time.time()))
        try:
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, routes):
        super().__init__(addr, _Handler)
        self.routes: dict[str, Route] = routes
        self.log: list[LoggedRequest] = []
        self.hits: dict[str, int] = {}
        self.lock = threading.Lock()

    def handle_error(self, request, client_address):  # clients that hang up (size limits) are expected
        pass


class FixtureServer:
    def __init__(self, routes: dict[str, Route | str | bytes] | None = None, host: str = "127.0.0.1") -> None:
        self.host = host
        self._routes = {k: v if isinstance(v, Route) else Route(body=v) for k, v in (routes or {}).items()}
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> FixtureServer:
        self._server = _Server((self.host, 0), self._routes)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FixtureServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return self._server.server_address[1]

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base + path

    @property
    def routes(self) -> dict[str, Route]:
        return self._routes

    @property
    def requests(self) -> list[LoggedRequest]:
        assert self._server is not None
        with self._server.lock:
            return list(self._server.log)

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def clear_log(self) -> None:
        assert self._server is not None
        with self._server.lock:
            self._server.log.clear()
            self._server.hits.clear()
