"""Pure, safe discovery parsers: feeds, sitemaps, robots.txt, ``<link rel=alternate>``, listing links.

No I/O here: callers fetch, these functions parse. Every result carries absolute URLs and
timezone-aware UTC datetimes; bad input raises ``DiscoveryError`` with a ``kind``.
"""

from spiders.discovery.dates import parse_date
from spiders.discovery.errors import DiscoveryError
from spiders.discovery.feeds import FeedEntry, FeedResult, parse_feed
from spiders.discovery.html import alternate_feeds, listing_links, next_page_link
from spiders.discovery.safety import MAX_DECOMPRESSED_BYTES, gunzip_capped, maybe_gunzip
from spiders.discovery.sitemaps import Sitemap, SitemapEntry, parse_sitemap, sitemaps_from_robots

__all__ = [
    "MAX_DECOMPRESSED_BYTES",
    "DiscoveryError",
    "FeedEntry",
    "FeedResult",
    "Sitemap",
    "SitemapEntry",
    "alternate_feeds",
    "gunzip_capped",
    "listing_links",
    "maybe_gunzip",
    "next_page_link",
    "parse_date",
    "parse_feed",
    "parse_sitemap",
    "sitemaps_from_robots",
]
