"""The Streamlit app's logic, driven by Streamlit's AppTest over a small warehouse
(tests/dashboard_warehouse.py): filters, drill-down fallback, ad-hoc queries good and bad, missing and
empty warehouses, a topic with no matches, hostile input, and a warehouse swapped while open."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import duckdb
import pytest

pytest.importorskip("streamlit")
import dashboard_warehouse  # noqa: E402  (tests/ is on sys.path: tests/conftest.py)
from streamlit.testing.v1 import AppTest  # noqa: E402

from newsradar.dashboard.app import format_query_error, md_escape, md_link  # noqa: E402

APP = str(Path(__file__).parents[2] / "dashboard" / "app.py")
TIMEOUT = 60


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    return dashboard_warehouse.write_warehouse(tmp_path_factory.mktemp("wh") / "newsradar.duckdb")


def sql_count(path: Path, sql: str, params: list | None = None) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return int(con.execute(sql, params or []).fetchall()[0][0])
    finally:
        con.close()


def start(monkeypatch, path: Path) -> AppTest:
    monkeypatch.setenv("NEWSRADAR_WAREHOUSE", str(path))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def charts(at: AppTest) -> list:
    return at.get("vega_lite_chart")


def drilldown_links(at: AppTest, heading: str = "") -> list[str]:
    """Article lines of the markdown blocks starting with ``**<heading>``."""
    text = "\n".join(m.value for m in at.markdown if m.value.startswith("**" + heading))
    return [line for line in text.splitlines() if line.startswith("- ")]


def test_app_renders_all_views(monkeypatch, warehouse):
    at = start(monkeypatch, warehouse.path)
    assert not at.error
    # the spiking topic is the one shown first
    assert at.selectbox(key="topic").value == "peace_talks"
    assert len(charts(at)) >= 7  # trend, outlets x3, co-occurrence, entities x2, health
    trend = charts(at)[0]
    assert list(trend.proto.selection_mode) == ["pick"]  # clickable points drive the drill-down
    assert json.loads(trend.proto.spec)["params"][0]["select"]["fields"] == ["date", "source_id"]
    # default window is the last 90 days = the whole sample
    expected = sql_count(warehouse.path, "select count(*) from article_topics where topic_id = 'peace_talks'")
    assert metric(at, "Matching articles") == str(expected)
    # the drill-down lists the latest day's articles with links
    assert at.selectbox(key="drill_day").value == warehouse.last_day.isoformat()
    links = drilldown_links(at, "Ukraine peace talks on")
    n = sql_count(
        warehouse.path,
        "select count(*) from article_topics where topic_id = 'peace_talks' and day = ?",
        [warehouse.last_day],
    )
    assert len(links) == n > 0
    assert all("](https://" in line for line in links)
    # source health warns about the gap
    assert any("crawl gap" in w.value for w in at.warning)


def test_drilldown_fallback_by_day_and_outlet(monkeypatch, warehouse):
    at = start(monkeypatch, warehouse.path)
    at.selectbox(key="drill_day").select("2026-11-08")
    at.selectbox(key="drill_source").select("vestnik")
    at.run()
    assert not at.exception
    links = drilldown_links(at, r"Ukraine peace talks on 2026\-11\-08")
    n = sql_count(
        warehouse.path,
        "select count(*) from article_topics where topic_id = 'peace_talks' "
        "and day = '2026-11-08' and source_id = 'vestnik'",
    )
    assert len(links) == n > 0
    assert all("vestnik.example/2026-11-08/" in line and "Вестник" in line for line in links)


def test_hostile_title_is_escaped_in_the_drilldown(monkeypatch, warehouse):
    at = start(monkeypatch, warehouse.path)
    at.selectbox(key="drill_day").select("2026-11-08")
    at.selectbox(key="drill_source").select("daily_planet")
    at.run()
    text = "\n".join(m.value for m in at.markdown)
    assert "<script>" not in text and "](javascript:" not in text
    assert r"\<script\>alert\(1\)\</script\>" in text


def test_filters_outlet_language_dates(monkeypatch, warehouse):
    at = start(monkeypatch, warehouse.path)
    at.multiselect(key="f_sources").select("vestnik").run()
    vestnik = sql_count(
        warehouse.path,
        "select count(*) from article_topics where topic_id = 'peace_talks' and source_id = 'vestnik'",
    )
    assert metric(at, "Matching articles") == str(vestnik)
    at.multiselect(key="f_sources").unselect("vestnik")
    at.multiselect(key="f_languages").select("ru").run()
    assert metric(at, "Matching articles") == str(vestnik)
    at.multiselect(key="f_languages").unselect("ru")
    at.date_input(key="f_dates").set_value((date(2026, 11, 8), date(2026, 11, 11))).run()
    assert not at.exception
    window = sql_count(
        warehouse.path,
        "select count(*) from article_topics where topic_id = 'peace_talks' "
        "and day between '2026-11-08' and '2026-11-11'",
    )
    assert metric(at, "Matching articles") == str(window)
    assert at.selectbox(key="drill_day").options == ["2026-11-11", "2026-11-10", "2026-11-09", "2026-11-08"]
    # topics filter restricts the topic picker
    at.multiselect(key="f_topics").select("energy").run()
    assert at.selectbox(key="topic").options == ["Energy prices"]


def test_topic_without_matches_says_so(monkeypatch, warehouse):
    at = start(monkeypatch, warehouse.path)
    at.selectbox(key="topic").select("space_race").run()
    assert not at.exception and not at.error
    assert any("No articles match the topic “Space race”" in i.value for i in at.info)


def test_adhoc_query_good(monkeypatch, warehouse):
    topics = pytest.importorskip("newsradar.topics")
    at = start(monkeypatch, warehouse.path)
    text = '"peace talks" OR переговор*'
    at.text_input(key="adhoc_query").input(text).run()
    assert not at.exception and not at.error
    assert topics.compile_query(text).clauses()
    # independent reference: the phrase, or a word starting with переговор, in title/subtitle/body
    con = duckdb.connect(str(warehouse.path), read_only=True)
    rows = con.execute("select lower(concat_ws(chr(10), title, subtitle, body)) from articles").fetchall()
    con.close()
    word = re.compile(r"(?<!\w)переговор")
    expected = sum(1 for (t,) in rows if "peace talks" in t or word.search(t))
    assert metric(at, "Matching articles") == str(expected)
    assert expected > 0
    # the day picker narrows the list
    at.selectbox(key="adhoc_day").select("2026-11-09").run()
    links = drilldown_links(at, r"Matching articles on 2026\-11\-09")
    assert links and all("2026-11-09" in line for line in links)


def test_adhoc_query_bad_shows_the_position(monkeypatch, warehouse):
    pytest.importorskip("newsradar.topics")
    at = start(monkeypatch, warehouse.path)
    at.text_input(key="adhoc_query").input('"peace talks" AND (переговор* OR').run()
    assert not at.exception
    assert len(at.error) == 1
    message = at.error[0].value
    assert message.startswith("Bad topic query:")
    assert "^" in message and "position" in message


def test_adhoc_query_no_match(monkeypatch, warehouse):
    pytest.importorskip("newsradar.topics")
    at = start(monkeypatch, warehouse.path)
    at.text_input(key="adhoc_query").input('"moon landing"').run()
    assert not at.exception and not at.error
    assert any("No articles match this query" in i.value for i in at.info)


@pytest.mark.parametrize(
    "evil",
    [
        "'; drop table articles; --",
        "x') or 1=1 --",
        '"\'); drop table articles; --"',
    ],
)
def test_adhoc_injection_attempts_do_nothing(monkeypatch, warehouse, evil):
    pytest.importorskip("newsradar.topics")
    at = start(monkeypatch, warehouse.path)
    at.text_input(key="adhoc_query").input(evil).run()
    assert not at.exception
    assert sql_count(warehouse.path, "select count(*) from articles") == warehouse.articles
    # whatever the parser made of it, it matched nothing in the sample
    assert not any(m.label == "Matching articles" and m.value != "0" for m in at.metric[3:])


def test_missing_warehouse(monkeypatch, tmp_path):
    at = start(monkeypatch, tmp_path / "nothing" / "newsradar.duckdb")
    assert len(at.warning) == 1 and "No warehouse at" in at.warning[0].value
    assert not at.error


def test_empty_warehouse(monkeypatch, tmp_path):
    facts = dashboard_warehouse.write_warehouse(tmp_path / "newsradar.duckdb", empty=True)
    at = start(monkeypatch, facts.path)
    assert any("warehouse is empty" in i.value for i in at.info)
    assert not at.error and not at.warning


def test_warehouse_without_tables(monkeypatch, tmp_path):
    path = tmp_path / "newsradar.duckdb"
    duckdb.connect(str(path)).close()
    at = start(monkeypatch, path)
    assert len(at.warning) == 1 and "lacks the tables articles" in at.warning[0].value


def test_corrupt_warehouse_file(monkeypatch, tmp_path):
    path = tmp_path / "newsradar.duckdb"
    path.write_bytes(b"this is not a duckdb file" * 100)
    at = start(monkeypatch, path)
    assert len(at.error) == 1 and "Cannot open the warehouse" in at.error[0].value


def test_warehouse_swapped_while_open(monkeypatch, tmp_path):
    helper = dashboard_warehouse
    facts = helper.write_warehouse(tmp_path / "newsradar.duckdb")
    at = start(monkeypatch, facts.path)
    assert metric(at, "Matching articles") != "0"
    helper.write_warehouse(facts.path, empty=True)  # a rebuild publishes a new file by rename
    at.run()
    assert not at.exception
    assert any("warehouse is empty" in i.value for i in at.info)


def test_markdown_helpers():
    assert md_escape("**bold** [x](y) <b>") == r"\*\*bold\*\* \[x\]\(y\) \<b\>"
    assert md_link("t", "javascript:alert(1)") == "t"
    assert md_link("a (b)", "https://x.example/p(1) q") == r"[a \(b\)](https://x.example/p%281%29%20q)"

    class Err(Exception):
        message = "unexpected )"
        position = 9

    assert format_query_error("foo AND )", Err()).endswith("~~~~\nfoo AND )\n         ^\n~~~~")
