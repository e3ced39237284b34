"""The one exception discovery parsers raise."""

from __future__ import annotations

KINDS = frozenset({"parse_error", "xml_bomb", "decompression_bomb", "not_a_feed", "not_a_sitemap"})


class DiscoveryError(Exception):
    """A feed, sitemap or robots.txt could not be used.

    ``kind`` is one of ``parse_error`` (malformed and nothing recoverable), ``xml_bomb`` (entity
    declarations: billion laughs, external entities), ``decompression_bomb`` (gzip larger than the
    cap once decompressed), ``not_a_feed`` / ``not_a_sitemap`` (well-formed, but something else,
    e.g. an HTML page). ``line`` / ``column`` locate a syntax error when the parser knows them.
    """

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        url: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown DiscoveryError kind {kind!r}")
        self.kind = kind
        self.url = url
        self.line = line
        self.column = column
        where = f"{url}: " if url else ""
        pos = f" (line {line}, column {column})" if line is not None else ""
        super().__init__(f"{where}{message}{pos}")

    def __reduce__(self):  # picklable across process pools, keyword arguments included
        return (_rebuild, (self.kind, self.args[0], self.url, self.line, self.column))


def _rebuild(kind, full_message, url, line, column):
    err = DiscoveryError.__new__(DiscoveryError)
    Exception.__init__(err, full_message)
    err.kind, err.url, err.line, err.column = kind, url, line, column
    return err
