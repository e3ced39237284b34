"""End to end on a small demo newsroom: ``newsradar demo`` as a subprocess, then the lake checked
against the generator's manifest (found, extracted, titles, dates to the minute, key sentences,
no page furniture, robots.txt honoured)."""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys
from datetime import UTC

import pytest

from newsradar import lake

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

DAYS, PER_DAY, SEED = 8, 4, 5


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    data = tmp_path_factory.mktemp("demo-data")
    env = {**os.environ, "COLUMNS": "140"}
    for var in ("NEWSRADAR_LAKE_URI", "NEWSRADAR_RAW_URI", "NEWSRADAR_WAREHOUSE"):
        env.pop(var, None)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "newsradar.cli",
            "demo",
            "--data-dir",
            str(data),
            "--days",
            str(DAYS),
            "--per-day",
            str(PER_DAY),
            "--seed",
            str(SEED),
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        timeout=200,
        env=env,
    )
    manifest_file = data / "demo" / "manifest.json"
    manifest = json.loads(manifest_file.read_text()) if manifest_file.exists() else None
    return {"proc": proc, "data": data, "manifest": manifest}


def _fail_context(run) -> str:
    return f"exit {run['proc'].returncode}\nstdout:\n{run['proc'].stdout[-3000:]}\nstderr:\n{run['proc'].stderr[-3000:]}"


def test_demo_command_exits_0_with_parquet_for_every_outlet(demo_run):
    proc, data, manifest = demo_run["proc"], demo_run["data"], demo_run["manifest"]
    assert proc.returncode == 0, _fail_context(demo_run)
    assert manifest is not None and (data / "demo" / "sources.yaml").exists()
    for outlet in manifest["outlets"]:
        files = glob.glob(str(data / "lake" / "articles" / f"source={outlet['id']}" / "*" / "*.parquet"))
        assert files, f"no Parquet for {outlet['id']}"
    assert "articles in the lake" in proc.stdout
    run = json.loads((data / "demo" / "run.json").read_text())
    assert run["lake"]["total"] > 0 and run["disallowed_hits"] == {}


def test_lake_matches_manifest(demo_run):
    assert demo_run["proc"].returncode == 0, _fail_context(demo_run)
    manifest = demo_run["manifest"]
    table = lake.read_table(str(demo_run["data"] / "lake"), "articles").to_pylist()
    by_url = {}
    for row in table:
        by_url.setdefault(row["url"], row)
    truth = [a for a in manifest["pages"] if a["is_article"]]
    furniture = {o["id"]: o["furniture"] for o in manifest["outlets"]}
    assert len(truth) >= 100

    problems: dict[str, list[str]] = {
        k: [] for k in ("missing", "title", "date", "language", "keys", "furniture", "views")
    }
    good = 0
    for a in truth:
        row = by_url.get(a["url"])
        if row is None:
            problems["missing"].append(a["url"])
            continue
        ok = True
        if row["title"] != a["title"]:
            problems["title"].append(f"{a['url']}: {row['title']!r} != {a['title']!r}")
            ok = False
        pub = row["published_at"]
        got = pub.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:00Z") if pub else None
        if got != a["published_at"]:
            problems["date"].append(f"{a['url']}: {got} != {a['published_at']}")
            ok = False
        if row["language"] != a["language"]:
            problems["language"].append(f"{a['url']}: {row['language']} != {a['language']}")
            ok = False
        body = row["body"] or ""
        missing_keys = [k for k in a["key_sentences"] if k not in body]
        if missing_keys:
            problems["keys"].append(f"{a['url']}: {missing_keys[0]!r}")
            ok = False
        leaked = [f for f in furniture[a["outlet"]] if f in body]
        if leaked:
            problems["furniture"].append(f"{a['url']}: {leaked}")
            ok = False
        if a["views"] is not None and row["views"] != a["views"]:
            problems["views"].append(f"{a['url']}: {row['views']} != {a['views']}")
        good += ok
    summary = {k: len(v) for k, v in problems.items()}
    examples = {k: v[:3] for k, v in problems.items() if v}
    assert good >= 0.95 * len(truth), f"{good}/{len(truth)} correct; {summary}; {examples}"
    # views are printed by one outlet only; the per-site override must read them
    printed = [a for a in truth if a["views"] is not None and a["url"] in by_url]
    assert printed and len(problems["views"]) <= 0.05 * len(printed), examples.get("views")


def test_no_non_articles_or_robots_denied_pages_in_lake(demo_run):
    assert demo_run["proc"].returncode == 0, _fail_context(demo_run)
    manifest = demo_run["manifest"]
    data = demo_run["data"]
    urls = {r["url"] for r in lake.read_table(str(data / "lake"), "articles", columns=["url"]).to_pylist()}
    non_articles = {a["url"] for a in manifest["pages"] if not a["is_article"]}
    assert not urls & non_articles, sorted(urls & non_articles)[:5]
    disallowed = {u for o in manifest["outlets"] for u in o["disallowed_urls"]}
    assert not urls & disallowed
    log = lake.read_table(
        str(data / "lake"), "fetch_log", columns=["url", "outcome", "http_status"]
    ).to_pylist()
    for row in log:
        if row["url"] in disallowed:
            assert row["outcome"] == "robots_denied" and not row["http_status"], row


def test_demo_files_are_reproducible(demo_run, tmp_path):
    """The same seed and size give the same manifest (apart from the servers' ports)."""
    from newsradar.demo.generator import generate
    from newsradar.demo.manifest import build_manifest

    manifest = demo_run["manifest"]
    assert manifest is not None, _fail_context(demo_run)
    bases = {
        o["id"]: o["homepage"].split("/", 3)[0] + "//" + o["homepage"].split("/", 3)[2]
        for o in manifest["outlets"]
    }
    again = build_manifest(generate(seed=SEED, days=DAYS, per_day=PER_DAY), bases)
    assert again == manifest


def test_demo_site_serve_subprocess(tmp_path):
    """``newsradar demo-site serve`` prints the outlets' URLs, writes sources.yaml, stops on SIGTERM."""
    import signal
    import time
    import urllib.request

    from newsradar.sources import load_sources

    sources = tmp_path / "sources.yaml"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "newsradar.cli",
            "demo-site",
            "serve",
            "--days",
            "2",
            "--per-day",
            "2",
            "--write-sources",
            str(sources),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("Serving"):
                break
        assert any("Baku Chronicle" in ln and "http://127.0.0.21:" in ln for ln in lines), lines
        loaded = load_sources(sources)
        with urllib.request.urlopen(
            loaded[0].homepage.rstrip("/").rsplit("/en", 1)[0] + "/robots.txt", timeout=10
        ) as r:
            assert b"Disallow:" in r.read()
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
