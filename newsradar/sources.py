"""The sources registry: outlets are data (``sources.yaml``), validated at load.

A bad file fails with the file, the entry and the field named, e.g.
``sources.yaml: entry 3 (id 'tass_en'): field 'timezone': unknown time zone 'Europe/Mosow'``.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from newsradar.errors import UserError

SOURCE_ID_RE = re.compile(r"^[a-z0-9_]+$")


class SourcesError(UserError):
    """The sources file is missing, unreadable or invalid."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Pagination(_Strict):
    """How a listing page continues: a query parameter (``?page=N``) or a "next" link selector."""

    param: str | None = None
    start: int = 1
    next_selector: str | None = None
    max_pages: int = Field(default=5, ge=1, le=1000)

    @model_validator(mode="after")
    def _one_way(self) -> Pagination:
        if not self.param and not self.next_selector:
            raise ValueError("pagination needs 'param' or 'next_selector'")
        return self


class ListingPage(_Strict):
    url: str
    pagination: Pagination | None = None

    @field_validator("url")
    @classmethod
    def _http(cls, v: str) -> str:
        return _check_http_url(v)


class Discovery(_Strict):
    feeds: list[str] = []
    sitemaps: list[str] = []
    listing_pages: list[ListingPage] = []
    robots: bool = Field(default=True, description="read Sitemap: lines from robots.txt")
    autodiscover: bool = Field(
        default=True, description='follow <link rel="alternate"> feeds on the homepage'
    )

    @field_validator("feeds", "sitemaps")
    @classmethod
    def _http_list(cls, v: list[str]) -> list[str]:
        return [_check_http_url(u) for u in v]


class Overrides(_Strict):
    """Per-site quirks. Selectors are CSS (``::text`` allowed) or XPath when they start with ``/``."""

    title: str | None = None
    body: str | None = None
    section: str | None = None
    views: str | None = None
    views_regex: str = r"(\d[\d\s.,]*)"
    byline: str | None = None
    date: str | None = None
    date_formats: list[str] = []
    strip: list[str] = Field(default=[], description="selectors removed before body extraction")

    @field_validator("views_regex")
    @classmethod
    def _regex(cls, v: str) -> str:
        try:
            re.compile(v)
        except re.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from None
        return v


class Limits(_Strict):
    max_pages: int = Field(default=2000, ge=1)
    max_response_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    download_timeout: float = Field(default=30.0, gt=0)
    concurrency: int = Field(default=4, ge=1, le=64)
    download_delay: float = Field(default=0.25, ge=0)


class Source(_Strict):
    id: str
    name: str
    homepage: str
    languages: list[str] = Field(min_length=1)
    timezone: str
    country: str | None = None
    enabled: bool = True
    allowed_domains: list[str] = []
    discovery: Discovery = Discovery()
    article_url: str = Field(
        description="regular expression an article URL must match (searched, not anchored)"
    )
    exclude_url: str | None = None
    overrides: Overrides = Overrides()
    limits: Limits = Limits()
    notes: str | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not SOURCE_ID_RE.match(v):
            raise ValueError(f"{v!r} is not a valid id: only lowercase letters, digits and '_' ([a-z0-9_]+)")
        return v

    @field_validator("homepage")
    @classmethod
    def _homepage(cls, v: str) -> str:
        return _check_http_url(v)

    @field_validator("languages")
    @classmethod
    def _langs(cls, v: list[str]) -> list[str]:
        for lang in v:
            if not re.fullmatch(r"[a-z]{2,3}", lang):
                raise ValueError(f"{lang!r} is not an ISO 639 language code (e.g. 'en', 'ru')")
        return v

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r} (use an IANA name such as 'Asia/Baku')") from None
        return v

    @field_validator("article_url", "exclude_url")
    @classmethod
    def _pattern(cls, v: str | None) -> str | None:
        if v is None:
            return v
        try:
            re.compile(v)
        except re.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from None
        return v

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def domains(self) -> list[str]:
        """Hostnames the crawl may visit: ``allowed_domains`` or the homepage's host."""
        return list(self.allowed_domains) or [urlsplit(self.homepage).hostname or ""]

    def is_article_url(self, url: str) -> bool:
        if self.exclude_url and re.search(self.exclude_url, url):
            return False
        return re.search(self.article_url, url) is not None


def _check_http_url(v: str) -> str:
    parts = urlsplit(v)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{v!r} is not an absolute http(s) URL")
    return v


def _describe(loc: tuple) -> str:
    return ".".join(str(p) for p in loc)


def parse_sources(data: object, filename: str = "sources.yaml") -> list[Source]:
    """Validate already-parsed YAML data. Raises ``SourcesError`` naming file, entry and field."""
    if isinstance(data, dict) and "sources" in data:
        data = data["sources"]
    if not isinstance(data, list):
        raise SourcesError(f"{filename}: expected a list of sources (or a mapping with a 'sources' list)")
    sources: list[Source] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(data, start=1):
        ident = entry.get("id") if isinstance(entry, dict) else None
        where = f"{filename}: entry {i}" + (f" (id {ident!r})" if ident else "")
        if not isinstance(entry, dict):
            raise SourcesError(f"{where}: expected a mapping, got {type(entry).__name__}")
        try:
            src = Source.model_validate(entry)
        except ValidationError as exc:
            err = exc.errors()[0]
            field = _describe(err["loc"]) or "(entry)"
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = "unknown field"
            raise SourcesError(f"{where}: field {field!r}: {msg}") from None
        if src.id in seen:
            raise SourcesError(
                f"{where}: field 'id': duplicate id {src.id!r} (first used by entry {seen[src.id]})"
            )
        seen[src.id] = i
        sources.append(src)
    return sources


def load_sources(path: str | Path) -> list[Source]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourcesError(f"{path}: no such sources file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourcesError(f"{path}: cannot read: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        pos = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise SourcesError(f"{path}: invalid YAML{pos}: {getattr(exc, 'problem', exc)}") from None
    return parse_sources(data, str(path))


def select_sources(
    sources: list[Source], ids: list[str] | None, include_disabled: bool = False
) -> list[Source]:
    if not ids:
        return [s for s in sources if s.enabled or include_disabled]
    by_id = {s.id: s for s in sources}
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise SourcesError(f"unknown source id(s): {', '.join(unknown)} (see 'newsradar sources list')")
    return [by_id[i] for i in ids]
