"""Layered article extraction (see docs/extraction.md): ``extract_article(html, url, ...)``."""

from spiders.extract.core import EXTRACTOR_VERSION, extract_article
from spiders.extract.fingerprint import content_hash, hamming, simhash

__all__ = ["EXTRACTOR_VERSION", "content_hash", "extract_article", "hamming", "simhash"]
