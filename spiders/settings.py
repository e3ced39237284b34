"""Scrapy settings of the newsradar crawl: polite by default.

Per-source limits (``sources.yaml`` ``limits``) are applied by the spider's ``from_crawler`` at
``spider`` priority; ``run_crawl(settings=...)`` overrides them (``cmdline`` priority).
"""

from scrapy.settings import default_settings as _scrapy_defaults

BOT_NAME = "newsradar"
USER_AGENT = "newsradar/0.1 (+https://github.com/newsradar/newsradar)"

# Politeness
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 32
# Scrapy runs CONCURRENT_ITEMS asyncio worker tasks (plus a feeder task) for every response's output, and
# they live as long as the callback does: an article callback waiting for the extraction pool kept 16
# tasks, their coroutines and contexts alive per response (tens of KB each, thousands of responses).
# Our pipelines are synchronous, so more than one worker only costs memory and reactor CPU.
CONCURRENT_ITEMS = 1
# Backpressure, per spider: the engine stops taking requests from the scheduler while the responses a
# spider's callbacks are still processing exceed this many bytes (Scrapy counts at least 1 KB per
# response). Scrapy's default, 5 MB per spider, let several thousand small pages queue up for the pool
# when downloading outpaces extraction. The bound that holds across all spiders of a crawl is the
# extraction pool's backlog (NEWSRADAR_EXTRACT_BACKLOG, below); this one remains for large pages.
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 1_000_000
CONCURRENT_REQUESTS_PER_DOMAIN = 4  # overridden by source.limits.concurrency
DOWNLOAD_DELAY = 0.25  # overridden by source.limits.download_delay
DOWNLOAD_DELAY_JITTER = 0.5  # +-50% around DOWNLOAD_DELAY
COOKIES_ENABLED = False

# Limits
DOWNLOAD_TIMEOUT = 30  # source.limits.download_timeout
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024  # source.limits.max_response_bytes; also caps decompressed bodies
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
CLOSESPIDER_PAGECOUNT = 2000  # source.limits.max_pages
DEPTH_LIMIT = 0

# Components that do nothing for this crawl are left out of Scrapy's base lists rather than left to no-op
# on every request or response (each is a middleware call, an async-generator layer over every
# callback's output, or a signal handler, on the crawl's one busy thread). Out of the base lists, their
# modules are not even imported (Scrapy imports every listed component, disabled ones included):
# - DepthMiddleware: no depth limit and no depth priority.
# - MetaCopyDetectionMiddleware: a development aid (warns when a spider copies response.meta).
# - HttpAuth (no HTTP auth), Cookies (COOKIES_ENABLED = False; its module imports tldextract), HttpCache
#   (off), DownloaderStats (downloader/* stats, read by nobody: the fetch log counts every URL).
# - TelnetConsole, RemoteControl (no listening ports on crawl workers; remote_control imports aiohttp's
#   web server, a third of a second of start-up), FeedExporter (no FEEDS), MemoryDebugger (off),
#   SpiderState (no JOBDIR).
_UNUSED_COMPONENTS = {
    "scrapy.spidermiddlewares.depth.DepthMiddleware",
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware",
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware",
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware",
    "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware",
    "scrapy.downloadermiddlewares.stats.DownloaderStats",
    "scrapy.extensions.telnet.TelnetConsole",
    "scrapy.extensions.remote_control.RemoteControl",
    "scrapy.extensions.feedexport.FeedExporter",
    "scrapy.extensions.memdebug.MemoryDebugger",
    "scrapy.extensions.spiderstate.SpiderState",
}
SPIDER_MIDDLEWARES_BASE = {
    k: v for k, v in _scrapy_defaults.SPIDER_MIDDLEWARES_BASE.items() if k not in _UNUSED_COMPONENTS
}
DOWNLOADER_MIDDLEWARES_BASE = {
    k: v for k, v in _scrapy_defaults.DOWNLOADER_MIDDLEWARES_BASE.items() if k not in _UNUSED_COMPONENTS
}
EXTENSIONS_BASE = {k: v for k, v in _scrapy_defaults.EXTENSIONS_BASE.items() if k not in _UNUSED_COMPONENTS}

# Retries: 429 and 5xx with exponential backoff honouring Retry-After (spiders.middlewares.retry)
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_GIVE_UP_LOG_LEVEL = "INFO"  # the failure is counted in the fetch log, not an error of the run
NEWSRADAR_RETRY_BACKOFF_BASE = 1.0
NEWSRADAR_RETRY_MAX_WAIT = 60.0

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "spiders.middlewares.retry.BackoffRetryMiddleware": 550,
    # the same meta-refresh redirects, without decoding every HTML body (spiders.middlewares.metarefresh)
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "spiders.middlewares.metarefresh.MetaRefreshMiddleware": 580,
    # last before the download: article requests wait while the extraction pool's backlog is full
    "spiders.middlewares.backpressure.ExtractionBackpressureMiddleware": 950,
}
# Unfinished extraction jobs per pool worker above which article requests wait to be downloaded
# (spiders.middlewares.backpressure); 0 turns the wait off.
NEWSRADAR_EXTRACT_BACKLOG = 8

ITEM_PIPELINES = {
    "spiders.pipelines.validate.ValidatePipeline": 100,
    "spiders.pipelines.normalise.NormalisePipeline": 200,
    "spiders.pipelines.dedupe.DedupePipeline": 300,
    "spiders.pipelines.parquet.ArticleParquetPipeline": 800,
    "spiders.pipelines.fetch_log.FetchLogPipeline": 900,  # keep last
}

EXTENSIONS = {
    "spiders.extensions.warc.WarcWriterExtension": 500,
}
NEWSRADAR_WARC_ENABLED = True
# Rows per Parquet row group; the lake writer flushes to its hidden temporary file at this size
NEWSRADAR_LAKE_ROW_GROUP_SIZE = 1000
# Extraction runs in a process pool; 0 means os.cpu_count()
NEWSRADAR_EXTRACT_WORKERS = 0

REMOTE_CONTROL_ENABLED = False  # no extra listening port on crawl workers
# A development aid: before every callback, Scrapy checks (with a lookup in a cache of weak references
# that bound methods defeat) whether it is a generator that returns a value. Our callbacks never do.
WARN_ON_GENERATOR_RETURN_VALUE = False
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"
STATS_DUMP = False
