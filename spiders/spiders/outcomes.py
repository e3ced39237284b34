"""Map a failed request (a Twisted ``Failure`` reaching the errback) to a fetch-log outcome."""

from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import defer
from twisted.internet import error as twerr

from spiders.discovery.errors import DiscoveryError


def status_outcome(status: int) -> str:
    if status == 404:
        return "http_404"
    if status == 429:
        return "http_429"
    if 500 <= status <= 599:
        return "http_5xx"
    if 400 <= status <= 499:
        return "http_4xx"
    return "other"


def classify(exc: BaseException) -> tuple[str, int | None, str]:
    """``(outcome, http_status, message)`` for an exception raised while fetching a URL."""
    msg = str(exc) or type(exc).__name__
    if isinstance(exc, HttpError):
        status = exc.response.status
        return status_outcome(status), status, f"HTTP {status}"
    if isinstance(exc, DiscoveryError):
        return exc.kind, None, msg
    if isinstance(exc, IgnoreRequest):
        low = msg.lower()
        if "robots.txt" in low:
            return "robots_denied", None, msg
        if "decompression" in low:
            return "decompression_bomb", None, msg
        if "redirect" in low:
            return "redirect_loop", None, msg
        if "offsite" in low or "filtered" in low:
            return "offsite", None, msg
        return "other", None, msg
    if isinstance(exc, DownloadTimeoutError | twerr.TimeoutError | twerr.TCPTimedOutError | TimeoutError):
        return "timeout", None, msg
    if isinstance(exc, CannotResolveHostError | twerr.DNSLookupError):
        return "dns", None, msg
    if isinstance(
        exc,
        DownloadConnectionRefusedError | twerr.ConnectionRefusedError | twerr.ConnectError | ConnectionError,
    ):
        return "connection", None, msg
    if isinstance(exc, DownloadCancelledError | defer.CancelledError):
        if "maxsize" in msg.lower() or "size" in msg.lower() or isinstance(exc, defer.CancelledError):
            return "too_large", None, msg
        return "other", None, msg
    if isinstance(exc, twerr.ConnectionLost | twerr.ConnectionDone):
        return "connection", None, msg
    return "other", None, f"{type(exc).__name__}: {msg}"
