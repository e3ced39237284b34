"""Real-browser tests: `newsradar dashboard` served by Streamlit and driven by Playwright with Debian's
headless Chromium (/usr/bin/chromium; Playwright downloads no browser), and the HTML report opened from
disk with the network disabled.

The dashboard runs over the warehouse written by tests/dashboard_warehouse.py, or over an existing data
folder named by NEWSRADAR_BROWSER_DATA_DIR (e.g. the demo's: `newsradar demo --data-dir tmp`). The
screenshot is saved to <tmp>/dashboard.png, and also to $NEWSRADAR_SCREENSHOT_DIR/dashboard.png when
that is set (how docs/img/dashboard.png is made by hand).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import dashboard_warehouse  # noqa: E402  (tests/ is on sys.path: tests/conftest.py)
import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} missing: apt-get install -y chromium"
    ),
]
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright (dev group) not installed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    home = tmp_path_factory.mktemp("chromium-home")
    old_home = os.environ.get("HOME")
    os.environ["HOME"] = str(home)  # Chromium writes its profile under HOME
    try:
        with playwright_api.sync_playwright() as pw:
            b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield b
            b.close()
    finally:
        if old_home is None:
            os.environ.pop("HOME", None)
        else:
            os.environ["HOME"] = old_home


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    given = os.environ.get("NEWSRADAR_BROWSER_DATA_DIR")
    if given:
        return Path(given)
    d = tmp_path_factory.mktemp("data")
    dashboard_warehouse.write_warehouse(d / "newsradar.duckdb")
    return d


@pytest.fixture(scope="module")
def dashboard_url(data_dir, tmp_path_factory):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSRADAR_")}
    env["HOME"] = str(tmp_path_factory.mktemp("streamlit-home"))
    log = tmp_path_factory.mktemp("logs") / "dashboard.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "newsradar.cli", "dashboard", "--data-dir", str(data_dir), "--port", str(port)],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"dashboard exited with {proc.returncode}:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"dashboard not healthy after 60 s:\n{log.read_text()}")
            time.sleep(0.3)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the CLI and the Streamlit server it started
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def wait_until_idle(page) -> None:
    """Charts drawn and no script run in progress."""
    page.wait_for_selector('[data-testid="stVegaLiteChart"] .marks', state="attached", timeout=60_000)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=60_000)


def test_dashboard_in_chromium(browser, dashboard_url, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(dashboard_url, wait_until="domcontentloaded")
    wait_until_idle(page)

    # the trend chart of the spiking topic is drawn: SVG marks, with lines and points
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    assert chart.locator(".marks").count() >= 1
    assert chart.locator(".mark-line path").count() >= 1
    assert chart.locator(".mark-symbol path").count() >= 10
    # the page opens on the topic with spikes: the peace talks, in the sample and in the demo
    assert (
        page.get_by_text(re.compile(r"peace talks: share of each outlet's articles per day", re.I)).count()
        == 1
    )
    assert page.locator('[data-testid="stException"]').count() == 0

    # the drill-down lists the articles behind the latest day, as links
    articles = page.locator(".st-key-drilldown_articles a[href^='http']")
    articles.first.wait_for(timeout=30_000)
    assert articles.count() >= 1

    shot = tmp_path / "dashboard.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 20_000
    if os.environ.get("NEWSRADAR_SCREENSHOT_DIR"):
        dest = Path(os.environ["NEWSRADAR_SCREENSHOT_DIR"])
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, dest / "dashboard.png")

    # clicking a point of the trend chart drills down to that day and outlet: pick the highest daily
    # point (the first symbol layer holds the daily shares; the highest has articles behind it)
    points = chart.locator(".mark-symbol").first.locator("path")
    tops = points.evaluate_all("els => els.map(e => e.getBoundingClientRect().top)")
    point = points.nth(tops.index(min(tops)))
    point.scroll_into_view_if_needed()
    point.click(force=True)
    caption = page.get_by_text("From the chart:")
    caption.wait_for(timeout=30_000)
    wait_until_idle(page)
    day = caption.inner_text().split("From the chart:")[1].strip().split(",")[0]
    heading = page.locator(".st-key-drilldown_articles strong").first
    heading.wait_for(timeout=30_000)
    assert day in heading.inner_text() and "all outlets" not in heading.inner_text()
    items = page.locator(".st-key-drilldown_articles li")
    assert items.count() >= 1
    assert all(day in t for t in items.all_inner_texts())

    # the entity timeline drills down too: its highest point lists the articles mentioning that entity
    page.get_by_role("tab", name="Entities").click()
    panel = page.locator('[role="tabpanel"]:visible')
    timeline = panel.locator('[data-testid="stVegaLiteChart"]').nth(1)
    timeline.locator(".mark-symbol path").first.wait_for(timeout=30_000)
    points = timeline.locator(".mark-symbol path")
    tops = points.evaluate_all("els => els.map(e => e.getBoundingClientRect().top)")
    points.nth(tops.index(min(tops))).click(force=True)
    entity_items = page.locator(".st-key-entity_articles li")
    entity_items.first.wait_for(timeout=30_000)
    wait_until_idle(page)
    assert "mentioning" in page.locator(".st-key-entity_articles strong").first.inner_text()
    assert entity_items.count() >= 1
    assert not errors, errors
    page.close()


def test_report_opens_offline_with_its_charts(browser, tmp_path, monkeypatch):
    from newsradar.report import write_report
    from newsradar.settings import Paths

    for var in ("NEWSRADAR_WAREHOUSE", "NEWSRADAR_DATA_DIR"):
        monkeypatch.delenv(var, raising=False)
    dashboard_warehouse.write_warehouse(tmp_path / "newsradar.duckdb")
    out = tmp_path / "report.html"
    write_report(Paths.from_env(tmp_path), "peace_talks", days=30, output=out)

    context = browser.new_context(offline=True, viewport={"width": 1000, "height": 1400})
    requested: list[str] = []
    context.route(
        "**/*",
        lambda route: (
            requested.append(route.request.url),
            route.continue_() if route.request.url.startswith("file:") else route.abort(),
        ),
    )
    page = context.new_page()
    page.goto(out.as_uri(), wait_until="load")
    figures = page.locator("figure.chart svg.marks")
    assert figures.count() == 4
    for i in range(4):
        box = figures.nth(i).bounding_box()
        assert box and box["width"] > 300 and box["height"] > 100
    assert page.locator("figure.chart svg .mark-symbol path").count() > 20  # points and spike markers
    assert page.locator("figure.chart svg .mark-line path").count() >= 2
    assert page.locator("figure.chart svg .mark-rect path").count() >= 3  # bars
    assert requested == [out.as_uri()]  # nothing but the file itself
    page.screenshot(path=str(tmp_path / "report.png"))
    context.close()
