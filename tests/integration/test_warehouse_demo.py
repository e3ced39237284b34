"""After ``newsradar demo`` (generate, serve, crawl, then after_crawl builds the warehouse), the
peace-talks trend equals the one computed independently from the generator's manifest, and the
designed surge is flagged as a spike."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter

import duckdb
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

DAYS, PER_DAY, SEED = 24, 5, 11


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    data = tmp_path_factory.mktemp("demo-wh")
    env = {**os.environ, "COLUMNS": "140"}
    for var in ("NEWSRADAR_LAKE_URI", "NEWSRADAR_RAW_URI", "NEWSRADAR_WAREHOUSE", "NEWSRADAR_DATA_DIR"):
        env.pop(var, None)
    proc = subprocess.run(
        [sys.executable, "-m", "newsradar.cli", "demo", "--data-dir", str(data), "--days", str(DAYS),
         "--per-day", str(PER_DAY), "--seed", str(SEED), "--no-progress"],
        capture_output=True, text=True, timeout=540, env=env,
    )  # fmt: skip
    assert proc.returncode == 0, f"stdout:\n{proc.stdout[-3000:]}\nstderr:\n{proc.stderr[-3000:]}"
    manifest = json.loads((data / "demo" / "manifest.json").read_text())
    return data, manifest, proc


def test_demo_prints_the_trend(demo):
    _, manifest, proc = demo
    assert "peace" in proc.stdout.lower() and "designed surge:" in proc.stdout


def test_trend_equals_manifest(demo):
    data, manifest, _ = demo
    trends = subprocess.run(
        [sys.executable, "-m", "newsradar.cli", "trends", "peace_talks", "--days", "400", "--format", "json",
         "--data-dir", str(data)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    got = {r["day"]: r for r in json.loads(trends.stdout)}
    # the articles the crawl stored (dated), deduplicated as the warehouse does (latest version per URL)
    with duckdb.connect(str(data / "newsradar.duckdb"), read_only=True) as con:
        stored = {
            u for (u,) in con.execute("select url from articles where published_at is not null").fetchall()
        }
    pages = [p for p in manifest["pages"] if p["is_article"]]
    found = [p for p in pages if p["url"] in stored]
    assert len(found) >= 0.9 * len(pages), f"the crawl stored {len(found)} of {len(pages)} manifest articles"
    matching, total = Counter(), Counter()
    for p in found:
        total[p["local_day"]] += 1
        matching[p["local_day"]] += "peace_talks" in p["topics"]
    assert set(got) == set(total)
    for day, row in got.items():
        assert (row["matching_articles"], row["total_articles"]) == (matching[day], total[day]), day
        assert row["share"] == pytest.approx(matching[day] / total[day])
    spikes = {d for d, r in got.items() if r["is_spike"]}
    surge = set(manifest["surge_days"])
    assert spikes & surge, f"no surge day flagged: spikes {sorted(spikes)}, surge {sorted(surge)}"
    assert spikes <= surge, f"spikes outside the surge: {sorted(spikes - surge)}"
