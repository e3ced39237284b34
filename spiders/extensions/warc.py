"""Write every response of a crawl to ``<raw>/source=<id>/crawl_date=<d>/<run_id>.warc.gz`` so that
extraction can be re-run offline. Written under ``_tmp-<run_id>.warc.gz.inprogress`` and renamed
when the spider closes; a killed run leaves only the hidden temporary file (removed next time).

The ``warcinfo`` record is written by warcio; the response records by ``response_record``: the same
bytes warcio writes (WARC/1.0 headers in warcio's order, SHA-1 block and payload digests, one gzip
member per record), built directly, which costs a third of warcio's per-record CPU (warcio's record
objects, digest wrappers and chunked gzip writes were most of the crawl's WARC cost). warcio reads
them back (tests check that, digests included).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import posixpath
import threading
import uuid
import zlib
from collections import deque
from datetime import UTC, datetime
from http import HTTPStatus

from scrapy import signals
from scrapy.exceptions import NotConfigured
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsradar.lake import TMP_PREFIX, filesystem

log = logging.getLogger(__name__)
_KNOWN_STATUS = {s.value for s in HTTPStatus}
QUEUE_SIZE = 256  # responses waiting for the writer thread; beyond this the crawl waits for the disk
# The writer thread wakes up this often and writes what came in meanwhile. Waking it for every response
# (a queue.Queue) cost the crawl's busy thread a cross-thread wake-up per page: in a VM, the largest
# single item of the crawl process's profile.
WRITE_INTERVAL = 0.05

# Hop-by-hop or body-encoding headers that no longer describe the (decoded) body we store.
_DROP_HEADERS = {b"content-encoding", b"transfer-encoding", b"content-length"}


def _sha1(*parts: bytes) -> bytes:
    h = hashlib.sha1()
    for part in parts:
        h.update(part)
    return b"sha1:" + base64.b32encode(h.digest())


def http_header_block(status: int, headers) -> bytes:
    """The HTTP status line and headers of a response record, as warcio writes them. ``headers``:
    ``(name, [values])`` pairs of bytes (Scrapy's ``Headers.items()``); body-encoding and hop-by-hop
    headers are left out (the body stored is the decoded one)."""
    reason = HTTPStatus(status).phrase if status in _KNOWN_STATUS else "Unknown"
    lines = [f"HTTP/1.1 {status} {reason}\r\n".encode("ascii")]
    for name, values in headers:
        if name.lower() in _DROP_HEADERS:
            continue
        for value in values:
            lines.append(b"%s: %s\r\n" % (name, value))
    lines.append(b"\r\n")
    block = b"".join(lines)
    if block.isascii():
        return block
    # non-ASCII header bytes: let warcio percent-encode them (RFC 8187), as it always did
    pairs = [
        (k.decode("latin-1"), v.decode("latin-1"))
        for k, vs in headers
        if k.lower() not in _DROP_HEADERS
        for v in vs
    ]
    return StatusAndHeaders(f"{status} {reason}", pairs, protocol="HTTP/1.1").to_ascii_bytes()


def response_record(url: str, status: int, headers, body: bytes, *, now: datetime | None = None,
                    record_id: str | None = None) -> bytes:  # fmt: skip
    """One gzip-compressed WARC ``response`` record of ``body`` fetched from ``url``."""
    http = http_header_block(status, headers)
    when = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    head = (
        b"WARC/1.0\r\n"
        b"WARC-Type: response\r\n"
        b"WARC-Record-ID: <urn:uuid:%s>\r\n"
        b"WARC-Target-URI: %s\r\n"
        b"WARC-Date: %s\r\n"
        b"WARC-Payload-Digest: %s\r\n"
        b"WARC-Block-Digest: %s\r\n"
        b"Content-Type: application/http; msgtype=response\r\n"
        b"Content-Length: %d\r\n"
        b"\r\n"
    ) % (
        (record_id or str(uuid.uuid4())).encode("ascii"),
        url.encode("utf-8"),
        when.encode("ascii"),
        _sha1(body),
        _sha1(http, body),
        len(http) + len(body),
    )
    gz = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS + 16)  # warcio's settings
    return gz.compress(b"".join((head, http, body, b"\r\n\r\n"))) + gz.flush()


def raw_partition(root: str, source_id: str, crawl_date) -> str:
    return posixpath.join(root, f"source={source_id}", f"crawl_date={crawl_date.isoformat()}")


class WarcWriterExtension:
    def __init__(self, crawler) -> None:
        if not crawler.settings.getbool("NEWSRADAR_WARC_ENABLED", True):
            raise NotConfigured
        self.crawler = crawler
        self.stream = None
        self.writer: WARCWriter | None = None
        self.records = 0
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.response_received, signal=signals.response_received)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider) -> None:
        self.fs, root = filesystem(spider.paths.raw_uri)
        self.part = raw_partition(root, spider.source.id, spider.crawl_date)
        self.fs.create_dir(self.part, recursive=True)
        for info in self.fs.get_file_info(_selector(self.part)):
            if info.base_name.startswith(TMP_PREFIX):
                log.info("removing stale temporary WARC %s", info.path)
                self.fs.delete_file(info.path)
        self.tmp = posixpath.join(self.part, f"{TMP_PREFIX}{spider.run_id}.warc.gz.inprogress")
        self.final = posixpath.join(self.part, f"{spider.run_id}.warc.gz")
        self.stream = self.fs.open_output_stream(self.tmp)
        self.writer = WARCWriter(self.stream, gzip=True)
        self.writer.write_record(
            self.writer.create_warcinfo_record(
                f"{spider.run_id}.warc.gz",
                {"software": "newsradar/0.1", "format": "WARC File Format 1.1", "source": spider.source.id},
            )
        )
        self.pending: deque = deque()  # appended by the reactor thread, emptied by the writer thread
        self.room = threading.Event()  # set by the writer after each round: the queue has room again
        self.closing = threading.Event()
        self.errors = 0
        self.thread = threading.Thread(target=self._write_loop, name=f"warc-{spider.source.id}", daemon=True)
        self.thread.start()

    def response_received(self, response, request, spider=None) -> None:
        """Queue the response for the writer thread (the record is built, digested and compressed
        there, off the reactor thread; a full queue makes the crawl wait for the disk, which bounds
        memory)."""
        if self.writer is None:
            return
        while len(self.pending) >= QUEUE_SIZE and self.thread.is_alive():
            self.room.clear()
            self.room.wait(WRITE_INTERVAL)
        self.pending.append((response.url, response.status, list(response.headers.items()), response.body))

    def _write_loop(self) -> None:
        while True:
            closing = self.closing.wait(WRITE_INTERVAL)
            while self.pending:
                url, status, headers, body = self.pending.popleft()
                try:
                    self.stream.write(response_record(url, status, headers, body))
                    self.records += 1
                except Exception as exc:  # a broken record must not stop the crawl
                    log.warning("WARC: cannot record %s: %s", url, exc)
                    self.errors += 1
            self.room.set()
            if closing:
                return

    def spider_closed(self, spider, reason=None) -> None:
        if self.stream is None:
            return
        self.closing.set()
        self.thread.join()
        self.stream.close()
        self.stream = self.writer = None
        if self.errors:
            self.crawler.stats.set_value("newsradar/warc_errors", self.errors)
        if self.records == 0:
            self.fs.delete_file(self.tmp)
            return
        self.fs.move(self.tmp, self.final)
        self.crawler.stats.set_value("newsradar/warc_records", self.records)


def _selector(path: str):
    import pyarrow.fs as pafs

    return pafs.FileSelector(path, allow_not_found=True)
