"""Serve the demo newsroom on localhost: one ``ThreadingHTTPServer`` per outlet, each on its own
loopback address (127.0.0.21, 127.0.0.22, ... - all of 127.0.0.0/8 is local on Linux), so every
outlet is its own host for robots.txt, politeness and per-domain concurrency.

    with DemoNewsroom(seed=7, days=42, per_day=7) as demo:
        demo.sources            # list[Source] pointing at the live servers
        demo.manifest           # the generator's truth (see newsradar.demo.manifest)
        demo.write_sources_yaml("sources.yaml")
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

from newsradar.demo.generator import (
    DEFAULT_DAYS,
    DEFAULT_END_DATE,
    DEFAULT_PER_DAY,
    DEFAULT_SEED,
    Newsroom,
    Outlet,
    generate,
)
from newsradar.demo.manifest import build_manifest
from newsradar.demo.render import Site
from newsradar.errors import UserError
from newsradar.sources import Source

log = logging.getLogger(__name__)

HOST_BASE = 20  # outlet i is served on 127.0.0.(HOST_BASE + i)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: Content-Length is always sent
    server_version = "newsradar-demo/1"
    site: Site  # set per server class
    lock: threading.Lock

    def _serve(self, with_body: bool) -> None:
        try:
            status, ctype, body = self.site.respond(self.path)
        except Exception:  # a bug in a template must not kill the server thread
            log.exception("demo server error on %s", self.path)
            status, ctype, body = 500, "text/plain; charset=utf-8", b"internal error\n"
        with self.lock:
            self.site.hits[self.path.split("?", 1)[0]] += 1
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        self._serve(True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(False)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        log.debug("%s %s", self.address_string(), format % args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


class DemoNewsroom:
    """Generate the newsroom and serve it until ``stop()`` (or the end of the ``with`` block)."""

    def __init__(
        self,
        seed: int = DEFAULT_SEED,
        days: int = DEFAULT_DAYS,
        per_day: int = DEFAULT_PER_DAY,
        *,
        end_date: date = DEFAULT_END_DATE,
        port: int = 0,
        host_base: int = HOST_BASE,
        room: Newsroom | None = None,
        preferred_ports: dict[str, int] | None = None,
    ):
        """``port`` 0 binds ephemeral ports. ``preferred_ports`` (outlet id -> port) are tried first and
        silently replaced by an ephemeral port when taken (see ``moved_ports``): a re-run of the demo
        keeps its URLs, so the lake does not get the same articles again under new URLs."""
        self.room = room or generate(seed=seed, days=days, per_day=per_day, end_date=end_date)
        self.port = port
        self.preferred_ports = dict(preferred_ports or {})
        self.moved_ports: dict[str, tuple[int, int]] = {}  # outlet id -> (wanted, got)
        self.host_base = host_base
        self.sites: dict[str, Site] = {}
        self._servers: list[_Server] = []
        self._threads: list[threading.Thread] = []

    # ------------------------------------------------------------ lifecycle

    def start(self) -> DemoNewsroom:
        try:
            for outlet in self.room.outlets:
                host = f"127.0.0.{self.host_base + outlet.host_index}"
                handler = type(f"Handler_{outlet.id}", (_Handler,), {"lock": threading.Lock()})
                wanted = self.preferred_ports.get(outlet.id) if not self.port else None
                server = None
                if wanted:
                    try:
                        server = _Server((host, wanted), handler)
                    except OSError:
                        server = None
                if server is None:
                    try:
                        server = _Server((host, self.port), handler)
                    except OSError as exc:
                        raise UserError(
                            f"cannot serve {outlet.name} on {host}:{self.port}: {exc.strerror or exc}"
                        ) from None
                    if wanted:
                        self.moved_ports[outlet.id] = (wanted, server.server_address[1])
                base = f"http://{host}:{server.server_address[1]}"
                site = Site(self.room, outlet, base)
                handler.site = site
                self.sites[outlet.id] = site
                self._servers.append(server)
                thread = threading.Thread(
                    target=server.serve_forever,
                    kwargs={"poll_interval": 0.2},
                    name=f"demo-{outlet.id}",
                    daemon=True,
                )
                thread.start()
                self._threads.append(thread)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        self._threads.clear()

    def __enter__(self) -> DemoNewsroom:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------ what callers use

    def base_url(self, outlet_id: str) -> str:
        return self.sites[outlet_id].base

    @property
    def sources(self) -> list[Source]:
        return [Source.model_validate(source_config(self.sites[o.id], o)) for o in self.room.outlets]

    @property
    def manifest(self) -> dict:
        return build_manifest(self.room, {oid: s.base for oid, s in self.sites.items()})

    def write_sources_yaml(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"sources": [s.model_dump(mode="json", exclude_defaults=True) for s in self.sources]}
        header = "# Generated by newsradar's demo newsroom; the servers live only while the demo runs.\n"
        path.write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path

    def write_manifest(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return path

    def hits(self, outlet_id: str) -> dict[str, int]:
        """Requests served per path for one outlet (query strings dropped)."""
        site = self.sites[outlet_id]
        return dict(site.hits)

    def disallowed_hits(self) -> dict[str, int]:
        """Requests that robots.txt forbade, per path (a polite crawler makes none)."""
        out = {}
        for oid, site in self.sites.items():
            rule = site.outlet.disallow
            for path, n in site.hits.items():
                if path.startswith(rule):
                    out[f"{oid}:{path}"] = n
        return out


def ports_from_sources_yaml(path: str | Path) -> dict[str, int]:
    """Outlet id -> port of a sources.yaml written by an earlier demo run (empty when unusable)."""
    from urllib.parse import urlsplit

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        out = {}
        for entry in data["sources"]:
            port = urlsplit(entry["homepage"]).port
            if port:
                out[entry["id"]] = port
        return out
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError):
        return {}


def source_config(site: Site, outlet: Outlet) -> dict:
    """The sources.yaml entry for one outlet, with the per-site overrides its markup needs."""
    base = site.base
    entry: dict = {
        "id": outlet.id,
        "name": outlet.name,
        "homepage": base + "/",
        "languages": list(outlet.languages),
        "timezone": outlet.timezone,
        "country": outlet.country,
        "notes": f"demo newsroom ({outlet.markup} markup; discovery: {outlet.discovery})",
    }
    n_pages = len(site.articles) + len(site.pages) + 100
    limits = {
        "max_pages": max(2000, 2 * n_pages),
        "concurrency": 8,
        "download_delay": 0.0,
        "download_timeout": 20,
    }
    if outlet.id == "baku_chronicle":
        entry["homepage"] = base + "/en/"
        listings = []
        for page in site.pages.values():
            if page.kind == "listing":
                listings.append(
                    {
                        "url": base + page.path,
                        "pagination": {
                            "param": "page",
                            "start": 1,
                            "max_pages": min(1000, site.listing_page_count(page)),
                        },
                    }
                )
        entry["discovery"] = {
            "sitemaps": [base + "/sitemap.xml"],
            "listing_pages": listings,
            "robots": True,
            "autodiscover": False,
        }
        entry["article_url"] = r"/(en/)?post/[a-z0-9-]+$"
        entry["overrides"] = {
            "title": "h1.post-title::text",
            "body": ".post-content",
            "section": ".post-category a::text",
            "views": ".post-views::text",
            "date": ".post-meta .post-date::text",
            "date_formats": ["%d %B %Y %H:%M"],
            # (the views counter is read by "views" before stripping, so it is not listed here: the
            # body selector already leaves it out)
            "strip": [".social-links", ".search-form", ".copyright", ".related-posts", ".post-tags"],
        }
    elif outlet.id == "meridian_post":
        entry["discovery"] = {
            "sitemaps": [base + "/sitemap_index.xml"],
            "robots": True,
            "autodiscover": False,
        }
        entry["article_url"] = r"/\d{4}/\d{2}/\d{2}/[a-z]+/[a-z0-9-]+$"
    elif outlet.id == "harbor_herald":
        entry["discovery"] = {"feeds": [base + "/feeds/all.rss"], "robots": True, "autodiscover": False}
        entry["article_url"] = r"/[a-z]+/\d{4}/[a-z]{3}/\d{2}/[a-z0-9-]+$"
    elif outlet.id == "nevsky_vestnik":
        entry["discovery"] = {"feeds": [base + "/atom.xml"], "robots": True, "autodiscover": False}
        entry["article_url"] = r"/news/\d+-[a-z0-9-]+$"
    elif outlet.id == "steppe_wire":
        # nothing configured: robots.txt Sitemap: lines and the homepage's JSON Feed are all there is;
        # the loose URL pattern also admits /about/... and /topics/... pages, which are not articles
        entry["discovery"] = {"robots": True, "autodiscover": True}
        entry["article_url"] = r"^https?://[^/]+/[a-z]+/[a-z0-9-]+$"
        entry["overrides"] = {"section": ".entry-section::text"}
    entry["limits"] = limits
    return entry


__all__ = ["DemoNewsroom", "ports_from_sources_yaml", "source_config"]
