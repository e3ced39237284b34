"""Damaged input never crashes a discovery parser: it parses, or raises DiscoveryError.

Deterministic mutations (truncation, byte flips, inserted markup, cut-outs) of the project's own
fixtures; a failure prints the seed-reproducible case.
"""

from __future__ import annotations

import logging
import random
from pathlib import Path

import pytest

from spiders.discovery import (
    DiscoveryError,
    alternate_feeds,
    listing_links,
    next_page_link,
    parse_feed,
    parse_sitemap,
    sitemaps_from_robots,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FILES = sorted(p for d in ("feeds", "sitemaps") for p in (FIXTURES / d).iterdir() if p.is_file())
INSERTS = [
    b"<",
    b"&",
    b"]]>",
    b"<![CDATA[",
    b"\x00",
    b"<!DOCTYPE x>",
    b"\xff\xfe",
    b'"',
    b"{",
    b"http://[::1",
    b'<a href="http://[x">',
    b"\x1f\x8b",
    b"<?xml version='1.0' encoding='bogus'?>",
    b"\xc3",
]


def mutate(rng: random.Random, body: bytes) -> bytes:
    op = rng.random()
    if op < 0.3:
        return body[: rng.randrange(len(body) + 1)]
    if op < 0.6:
        data = bytearray(body)
        for _ in range(rng.randrange(1, 30)):
            if data:
                data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    i, j = sorted((rng.randrange(len(body) + 1), rng.randrange(len(body) + 1)))
    if op < 0.8:
        return body[:i] + rng.choice(INSERTS) + body[i:]
    return body[:i] + body[j:]


@pytest.mark.parametrize("seed", range(4))
def test_mutated_inputs_never_crash(seed, caplog):
    caplog.set_level(logging.ERROR)  # recovery warnings are expected here
    rng = random.Random(seed)
    parsers = (
        parse_feed,
        parse_sitemap,
        alternate_feeds,
        listing_links,
        next_page_link,
        sitemaps_from_robots,
    )
    for case in range(120):
        path = rng.choice(FILES)
        body = mutate(rng, path.read_bytes())
        for parse in parsers:
            try:
                parse(body, "https://fuzz.example.com/x")
            except DiscoveryError:
                pass
            except Exception as exc:  # pragma: no cover - the failure message is the point
                pytest.fail(
                    f"{parse.__name__} crashed on seed {seed} case {case} ({path.name}): "
                    f"{type(exc).__name__}: {exc}"
                )
