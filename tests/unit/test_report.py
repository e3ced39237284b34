"""``newsradar report``: a self-contained HTML report over a small warehouse (tests/dashboard_warehouse.py).
The offline browser check of the file is in tests/integration/test_dashboard_browser.py."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

pytest.importorskip("vl_convert")

import dashboard_warehouse  # noqa: E402  (tests/ is on sys.path: tests/conftest.py)

from newsradar.cli import build_parser, main  # noqa: E402
from newsradar.errors import UserError  # noqa: E402
from newsradar.report import _link, write_report  # noqa: E402
from newsradar.settings import Paths  # noqa: E402


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("data")
    dashboard_warehouse.write_warehouse(d / "newsradar.duckdb")
    return d


@pytest.fixture(autouse=True)
def _no_env_paths(monkeypatch):
    for var in ("NEWSRADAR_WAREHOUSE", "NEWSRADAR_DATA_DIR"):
        monkeypatch.delenv(var, raising=False)


def test_report_is_self_contained_with_charts_and_spikes(data_dir, tmp_path):
    out = tmp_path / "report.html"
    summary = write_report(Paths.from_env(data_dir), "peace_talks", days=30, output=out)
    html = out.read_text(encoding="utf-8")
    assert summary.start == date(2026, 10, 16) and summary.end == date(2026, 11, 14)
    assert summary.charts == 4
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 4
    assert html.count('class="marks"') == 4
    # nothing to fetch: no scripts, no external stylesheets, images or frames
    assert "<script" not in html.lower()
    assert not re.search(r"<(link|img|iframe|object|embed)\b", html, re.I)
    assert not re.search(r"\bsrc\s*=", html, re.I)
    assert not re.search(r"url\(\s*['\"]?https?:", html, re.I)
    # links only to the articles themselves
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert hrefs and all(
        h.startswith(("https://planet.example/", "https://star.example/", "https://vestnik.example/"))
        for h in hrefs
    )
    # the designed surge is reported, with numbers that agree with the warehouse
    assert summary.spike_days == [date(2026, 11, 8), date(2026, 11, 9), date(2026, 11, 10)]
    assert "Articles on 2026-11-08" in html
    assert f"<b>{summary.matching_articles}</b>matching articles" in html
    assert "Вестник" in html and "Volodymyr Zelensky" in html
    assert "1 outlet-day(s) with a crawl gap" in html  # evening_star, 2026-10-21
    assert "pts vs previous 30 days" in html


def test_report_period_and_gap_note(data_dir, tmp_path):
    out = tmp_path / "r.html"
    summary = write_report(
        Paths.from_env(data_dir), "elections", days=10, until=date(2026, 10, 25), output=out
    )
    html = out.read_text(encoding="utf-8")
    assert (summary.start, summary.end) == (date(2026, 10, 16), date(2026, 10, 25))
    assert "1 outlet-day(s) with a crawl gap" in html  # evening_star, 2026-10-21


def test_report_topic_without_matches(data_dir, tmp_path):
    out = tmp_path / "none.html"
    summary = write_report(Paths.from_env(data_dir), "space_race", days=30, output=out)
    html = out.read_text(encoding="utf-8")
    assert summary.matching_articles == 0 and summary.charts == 0
    assert "No articles matched “Space race”" in html
    assert "<h2>Source health</h2>" in html


def test_report_errors(data_dir, tmp_path):
    paths = Paths.from_env(data_dir)
    with pytest.raises(
        UserError, match=r"unknown topic 'nope' \(known topics: elections, energy, peace_talks"
    ):
        write_report(paths, "nope", output=tmp_path / "x.html")
    with pytest.raises(UserError, match="--days must be at least 1"):
        write_report(paths, "peace_talks", days=0, output=tmp_path / "x.html")
    with pytest.raises(UserError, match="no warehouse at"):
        write_report(Paths.from_env(tmp_path / "empty"), "peace_talks", output=tmp_path / "x.html")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "newsradar.duckdb").write_bytes(b"not a duckdb file" * 100)
    with pytest.raises(UserError, match="cannot open the warehouse"):
        write_report(Paths.from_env(tmp_path / "bad"), "peace_talks", output=tmp_path / "x.html")
    with pytest.raises(UserError, match="does not exist"):
        write_report(paths, "peace_talks", output=tmp_path / "missing" / "x.html")
    assert not list(tmp_path.glob("*.html")) and not list(tmp_path.glob(".*.tmp"))


def test_report_on_empty_warehouse(tmp_path):
    dashboard_warehouse.write_warehouse(tmp_path / "newsradar.duckdb", empty=True)
    with pytest.raises(UserError, match="unknown topic"):
        write_report(Paths.from_env(tmp_path), "peace_talks", output=tmp_path / "x.html")


def test_links_are_escaped_and_only_http():
    assert _link("<b>x</b>", "javascript:alert(1)") == "&lt;b&gt;x&lt;/b&gt;"
    assert (
        _link("a", 'https://x.example/"onmouseover="')
        == '<a href="https://x.example/&quot;onmouseover=&quot;">a</a>'
    )


def test_cli_report(data_dir, tmp_path, capsys):
    out = tmp_path / "cli.html"
    rc = main(
        ["report", "--topic", "peace_talks", "--days", "30", "-o", str(out), "--data-dir", str(data_dir)]
    )
    assert rc == 0
    assert out.is_file()
    assert "wrote" in capsys.readouterr().out
    rc = main(
        [
            "report",
            "--topic",
            "peace_talks",
            "--until",
            "yesterday",
            "-o",
            str(out),
            "--data-dir",
            str(data_dir),
        ]
    )
    assert rc == 2
    assert "--until must be a date" in capsys.readouterr().err


def test_cli_dashboard_command_line(tmp_path):
    from newsradar.commands.dashboard import app_path, dashboard_env, streamlit_command

    args = build_parser().parse_args(["dashboard", "--data-dir", str(tmp_path), "--port", "8765"])
    assert args.port == 8765 and args.func.__name__ == "run_dashboard"
    cmd = streamlit_command(8765)
    assert cmd[1:4] == ["-m", "streamlit", "run"] and Path(cmd[4]) == app_path() and app_path().is_file()
    for flag, value in (
        ("--server.headless", "true"),
        ("--browser.gatherUsageStats", "false"),
        ("--server.address", "127.0.0.1"),
        ("--server.port", "8765"),
    ):
        assert cmd[cmd.index(flag) + 1] == value
    env = dashboard_env(str(tmp_path))
    assert env["NEWSRADAR_WAREHOUSE"] == str((tmp_path / "newsradar.duckdb").resolve())
    assert main(["dashboard", "--port", "0"]) == 2
