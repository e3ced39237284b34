"""Retries with exponential backoff that honour ``Retry-After``, without blocking the reactor.

Replaces Scrapy's ``RetryMiddleware`` (same settings: ``RETRY_TIMES``, ``RETRY_HTTP_CODES``,
``RETRY_EXCEPTIONS``) and waits before handing the retry back to the scheduler:
``Retry-After`` (seconds or an HTTP date) when the server sends one, otherwise
``NEWSRADAR_RETRY_BACKOFF_BASE * 2 ** attempt``; never longer than ``NEWSRADAR_RETRY_MAX_WAIT``.
The wait is a Twisted ``deferLater`` awaited as a future: other requests go on meanwhile.
"""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.response import response_status_message
from twisted.internet import task

log = logging.getLogger(__name__)


def parse_retry_after(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header value (delta-seconds or HTTP-date), or ``None``."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1", "replace")
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("NEWSRADAR_RETRY_BACKOFF_BASE", 1.0)
        self.max_wait = settings.getfloat("NEWSRADAR_RETRY_MAX_WAIT", 60.0)

    def backoff(self, request, retry_after: float | None) -> float:
        attempt = request.meta.get("retry_times", 0)
        if retry_after is not None:
            wait = retry_after
        else:
            wait = self.base * (2**attempt) * (1 + 0.25 * random.random())
        return min(wait, self.max_wait)

    async def _sleep(self, seconds: float) -> None:
        if seconds <= 0:
            return
        from twisted.internet import reactor

        await maybe_deferred_to_future(task.deferLater(reactor, seconds))

    async def process_response(self, request, response):
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        new = self._retry(request, response_status_message(response.status))
        if new is None:
            return response
        wait = self.backoff(request, parse_retry_after(response.headers.get(b"Retry-After")))
        log.debug("retrying %s in %.2fs (HTTP %s)", request.url, wait, response.status)
        self.crawler.stats.inc_value("newsradar/retry_wait_ms", int(wait * 1000))
        await self._sleep(wait)
        return new

    async def process_exception(self, request, exception):
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry", False):
            return None
        new = self._retry(request, exception)
        if new is None:
            return None
        await self._sleep(self.backoff(request, None))
        return new
