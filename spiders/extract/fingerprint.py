"""Body fingerprints: ``content_hash`` (exact duplicates) and a 64-bit ``simhash`` of word
3-shingles (near duplicates: syndicated copies differ by a few bits)."""

from __future__ import annotations

import hashlib
import re
import unicodedata

import numpy as np

_WORD = re.compile(r"\w+", re.UNICODE)
_SPACE = re.compile(r"\s+")
_BITS = np.uint64(1) << np.arange(64, dtype=np.uint64)


def normalise_text(text: str) -> str:
    """NFKC, case-folded, whitespace collapsed: the text both fingerprints are computed on."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text or "").casefold()).strip()


def content_hash(text: str) -> str:
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def _hash64(shingle: str) -> int:
    return int.from_bytes(hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest(), "big")


def simhash(text: str, n: int = 3) -> int:
    """64-bit simhash (unsigned) of the word ``n``-shingles of ``text``; 0 for empty text."""
    words = _WORD.findall(normalise_text(text))
    if not words:
        return 0
    if len(words) < n:
        shingles = [" ".join(words)]
    else:
        shingles = [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]
    hashes = np.fromiter((_hash64(s) for s in shingles), dtype=np.uint64, count=len(shingles))
    bits = (hashes[:, None] & _BITS) != 0  # (shingles, 64)
    votes = bits.sum(axis=0) * 2 - len(shingles)  # +1 per set bit, -1 per clear bit
    value = 0
    for i in np.nonzero(votes > 0)[0]:
        value |= 1 << int(i)
    return value


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two simhashes."""
    return (int(a) ^ int(b)).bit_count()
