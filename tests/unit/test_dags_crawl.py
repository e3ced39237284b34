"""The crawl task's forked crawl process (``newsradar.orchestration.crawl_child``): it crawls one outlet
of the demo newsroom into the lake like ``newsradar crawl`` does, and a crawl that overruns its timeout
is killed, with nothing left running."""

from __future__ import annotations

import os
import time
from datetime import date

import pyarrow.dataset as ds
import pytest

from newsradar.demo import DemoNewsroom
from newsradar.orchestration.crawl_child import run_crawl_forked
from newsradar.settings import Paths

DAY = date(2026, 3, 10)


@pytest.fixture(scope="module")
def newsroom():
    with DemoNewsroom(days=2, per_day=2, end_date=DAY) as demo:
        yield demo


def _my_process_group() -> set[int]:
    """Live processes of this process group: the crawl child and its extraction workers belong to it."""
    group = str(os.getpgrp())
    out = set()
    for proc in os.listdir("/proc"):
        if proc.isdigit():
            try:
                with open(f"/proc/{proc}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[2] == group and fields[0] != "Z":
                out.add(int(proc))
    return out


def test_forked_crawl_fills_the_partition(newsroom, tmp_path):
    source = newsroom.sources[0]
    paths = Paths.from_env(tmp_path)
    summary = run_crawl_forked(
        [source], paths, crawl_date=DAY, since=DAY, until=DAY, settings=None, timeout=120
    )
    counts = summary.sources[source.id]
    assert counts.pages_fetched > 0 and counts.articles > 0 and not counts.error
    part = tmp_path / "lake" / "articles" / f"source={source.id}" / f"crawl_date={DAY}"
    assert ds.dataset(str(part), format="parquet").count_rows() == counts.articles


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc to list child processes")
def test_a_crawl_over_its_timeout_is_killed(newsroom, tmp_path):
    before = _my_process_group()
    started = time.monotonic()
    with pytest.raises(TimeoutError, match="exceeded 1s"):
        run_crawl_forked(list(newsroom.sources), Paths.from_env(tmp_path), crawl_date=DAY, since=DAY, until=DAY,
                         settings={"DOWNLOAD_DELAY": 5}, timeout=1)  # fmt: skip
    assert time.monotonic() - started < 30
    time.sleep(0.5)
    assert _my_process_group() - before == set()  # the crawl and its extraction workers are gone
