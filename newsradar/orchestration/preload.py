"""Modules a LocalExecutor worker imports once, so the process Airflow forks for every task starts warm.

Airflow 3 runs each task in a process forked from a long-lived executor worker; that process parses
the task's DAG file and imports what the task needs. Without this module, every task process of the
warehouse DAG imports astronomer-cosmos again (1-2 s of CPU on a small machine) and every crawl task
imports Scrapy and the extractor again (2-4 s). With

    AIRFLOW__SCHEDULER__MP_START_METHOD=forkserver
    AIRFLOW__SCHEDULER__MP_FORKSERVER_PRELOAD=newsradar.orchestration.preload

(``[scheduler] mp_start_method`` / ``mp_forkserver_preload``, Airflow >= 3.3; ``newsradar airflow``
sets both) the LocalExecutor's forkserver imports this module once and the workers it forks, and
the task processes they fork in turn, inherit everything copy-on-write.

Nothing here has side effects beyond imports: no Twisted reactor is installed (the crawl installs its
own in the process that crawls), no logging is configured, no file or connection is opened.
"""

from __future__ import annotations

import re

_DOTTED_CLASS = re.compile(r"^[A-Za-z_][\w.]*\.[A-Za-z_]\w*$")


def _import_task_runtime() -> None:
    import airflow.dag_processing.dagbag  # noqa: F401  (the task process parses its DAG file)
    import airflow.sdk  # noqa: F401
    import airflow.sdk.execution_time.supervisor  # noqa: F401
    import airflow.sdk.execution_time.task_runner  # noqa: F401
    from airflow.sdk.listener import get_listener_manager

    # Every task process calls this first; it loads the plugins (cached per process). cosmos' UI
    # plugin imports FastAPI and builds its models: about a second of CPU per task otherwise.
    get_listener_manager()


def _import_dag_modules() -> None:
    import cosmos  # noqa: F401
    import cosmos.operators.local  # noqa: F401
    import cosmos.operators.watcher  # noqa: F401

    import newsradar.orchestration.alerts  # noqa: F401
    import newsradar.orchestration.build  # noqa: F401
    import newsradar.orchestration.cosmos_group  # noqa: F401
    import newsradar.orchestration.ingest  # noqa: F401
    import newsradar.orchestration.quality  # noqa: F401
    import newsradar.orchestration.tasks  # noqa: F401
    import newsradar.warehouse  # noqa: F401


def _import_crawl() -> None:
    """The crawl's import closure, including the Scrapy components it loads by name at start-up."""
    import scrapy.crawler  # noqa: F401
    from scrapy.utils.misc import load_object

    import newsradar.crawl
    import spiders.extract  # noqa: F401
    import spiders.spiders.news  # noqa: F401

    settings = newsradar.crawl.scrapy_settings(None)
    names: set[str] = set()
    for key in settings.attributes:
        value = settings[key]
        if hasattr(value, "keys"):
            names.update(k for k in value.keys() if isinstance(k, str) and _DOTTED_CLASS.match(k))
            names.update(v for v in value.values() if isinstance(v, str) and _DOTTED_CLASS.match(v))
        elif key.endswith(("_CLASS", "_QUEUE")) or key == "SCHEDULER":
            if isinstance(value, str) and _DOTTED_CLASS.match(value):
                names.add(value)
    for name in sorted(names):
        try:
            load_object(name)
        except Exception:  # a setting that merely looks like a class path; the crawl loads what it needs
            continue
    from spiders.spiders import pool

    warm_extractor = getattr(pool, "preload", None)  # the extractor's one-time set-up (language model)
    if warm_extractor is not None:
        warm_extractor()


def preload() -> None:
    _import_task_runtime()
    _import_dag_modules()
    _import_crawl()


preload()
