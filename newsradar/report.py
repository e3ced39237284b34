"""``newsradar report``: a self-contained HTML report on one topic over the last N days.

Charts are the dashboard's Altair charts rendered to SVG offline with vl-convert and inlined, so the
file has no scripts and no external references: it opens offline, in any browser and in mail
clients. All text from the warehouse is HTML-escaped; links are kept only when they are http(s).
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd

from newsradar.errors import UserError
from newsradar.settings import Paths

log = logging.getLogger(__name__)

MAX_SPIKE_DAYS = 5
ARTICLES_PER_DAY = 10


@dataclass
class ReportSummary:
    output: Path
    topic_id: str
    start: date
    end: date
    matching_articles: int
    spike_days: list[date] = field(default_factory=list)
    charts: int = 0

    def describe(self) -> str:
        spikes = ", ".join(d.isoformat() for d in self.spike_days) or "none"
        return (
            f"wrote {self.output}: topic {self.topic_id}, {self.start}..{self.end}, "
            f"{self.matching_articles} matching articles, {self.charts} charts, spike days: {spikes}"
        )


def _svg(chart) -> str:
    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(chart.to_dict())
    # drop the XML prolog if any, so the SVG can sit inside HTML
    return svg[svg.index("<svg") :]


def _e(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return html.escape(str(value))


def _link(title: object, url: object) -> str:
    label = _e(title) or "(untitled)"
    url = str(url or "")
    if urlsplit(url).scheme.lower() in ("http", "https"):
        return f'<a href="{html.escape(url, quote=True)}">{label}</a>'
    return label


def _pct(x: float | None) -> str:
    return "–" if x is None or pd.isna(x) else f"{x:.1%}"


def _day(value: object) -> str:
    return pd.Timestamp(value).date().isoformat() if value is not None and not pd.isna(value) else ""


def _table(df: pd.DataFrame, columns: dict[str, str], formats: dict[str, callable] | None = None) -> str:
    formats = formats or {}
    head = "".join(f"<th>{_e(label)}</th>" for label in columns.values())
    rows = []
    for rec in df.to_dict("records"):
        cells = []
        for col in columns:
            fmt = formats.get(col)
            cells.append(f"<td>{fmt(rec[col]) if fmt else _e(rec[col])}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


CSS = """
body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; max-width: 960px;
       margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { margin-bottom: 0.2em; } .muted { color: #666; font-size: 0.9em; }
.kpis { display: flex; gap: 1.5em; flex-wrap: wrap; margin: 1em 0; }
.kpi { border: 1px solid #ddd; border-radius: 6px; padding: 0.6em 1em; min-width: 9em; }
.kpi b { display: block; font-size: 1.5em; }
figure.chart { margin: 1.2em 0; } figure.chart svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.92em; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 0.3em 0.7em; text-align: left; vertical-align: top; }
th { background: #f6f6f6; } code { background: #f3f3f3; padding: 0 0.3em; }
.note { background: #fff8e1; border-left: 4px solid #f0b400; padding: 0.5em 1em; }
"""


def build_report(
    con, topic_id: str, *, days: int = 30, until: date | None = None, warehouse: str = ""
) -> tuple[str, ReportSummary]:
    """Return the report HTML and its summary. ``con`` is a read-only warehouse connection."""
    from newsradar.dashboard import charts
    from newsradar.dashboard import queries as q

    if days < 1:
        raise UserError(f"--days must be at least 1, not {days}")
    missing = q.missing_tables(con)
    if missing:
        raise UserError(f"the warehouse {warehouse} lacks the tables {', '.join(missing)}: rebuild it")
    topics = q.run(con, "select topic_id, label, description, query from topics order by topic_id")
    if topic_id not in set(topics["topic_id"]):
        known = ", ".join(topics["topic_id"]) or "none"
        raise UserError(f"unknown topic {topic_id!r} (known topics: {known})")
    topic = topics[topics["topic_id"] == topic_id].iloc[0]
    label = str(topic["label"] or topic_id)
    if until is None:
        latest = con.execute("select max(day) from topic_daily_all").fetchall()[0][0]
        if latest is None:
            raise UserError(f"the warehouse {warehouse} has no dated articles yet: nothing to report")
        until = pd.Timestamp(latest).date()
    start = until - timedelta(days=days - 1)
    f = q.Filters(start=start, end=until)
    prev = q.Filters(start=start - timedelta(days=days), end=start - timedelta(days=1))

    overall = q.topic_trend_all(con, topic_id, f)
    per_outlet = q.topic_trend(con, topic_id, f)
    matching = int(overall["matching_articles"].sum()) if not overall.empty else 0
    total = int(overall["total_articles"].sum()) if not overall.empty else 0
    prev_all = q.topic_trend_all(con, topic_id, prev)
    prev_share = (
        prev_all["matching_articles"].sum() / prev_all["total_articles"].sum()
        if not prev_all.empty and prev_all["total_articles"].sum()
        else None
    )
    share = matching / total if total else None
    spike_days = (
        sorted(
            {
                pd.Timestamp(d).date()
                for d in overall.loc[overall["is_spike"].fillna(False).astype(bool), "day"]
            }
        )
        if matching
        else []
    )
    outlet_spikes = (
        per_outlet[per_outlet["is_spike"].fillna(False).astype(bool)] if matching else per_outlet[:0]
    )

    parts: list[str] = []
    n_charts = 0
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts.append(f"<h1>{_e(label)}</h1>")
    parts.append(
        f'<p class="muted">Topic <code>{_e(topic_id)}</code> · {start.isoformat()} to {until.isoformat()} '
        f"({days} days) · generated {generated} from {_e(warehouse)}</p>"
    )
    if topic["description"]:
        parts.append(f"<p>{_e(topic['description'])}</p>")
    parts.append(f'<p class="muted">Query: <code>{_e(topic["query"])}</code></p>')
    change = (
        ""
        if prev_share is None or share is None
        else f" ({(share - prev_share) * 100:+.1f} pts vs previous {days} days)"
    )
    parts.append(
        '<div class="kpis">'
        f'<div class="kpi"><b>{matching}</b>matching articles</div>'
        f'<div class="kpi"><b>{_pct(share)}</b>of all {total} dated articles{_e(change)}</div>'
        f'<div class="kpi"><b>{len(spike_days)}</b>spike days (all outlets)</div>'
        f'<div class="kpi"><b>{len(outlet_spikes)}</b>outlet spike days</div></div>'
    )

    if matching == 0:
        parts.append(f'<p class="note">No articles matched “{_e(label)}” between {start} and {until}.</p>')
    else:
        parts.append("<h2>Coverage over time</h2>")
        parts.append(
            _figure(
                _svg(
                    charts.overall_chart(overall, title=f"{label}: share of all articles per day", width=820)
                ),
                "Bars: daily share of all dated articles; line: 7-day rolling mean; "
                "black triangles: spikes against the trailing 28 days.",
            )
        )
        parts.append(
            _figure(
                _svg(
                    charts.trend_chart(
                        per_outlet, title=f"{label}: share per outlet", selectable=False, width=820
                    )
                ),
                "Each outlet's share of its own output: dots daily, line 7-day mean, black triangles spikes.",
            )
        )
        n_charts += 2

        comp = q.outlet_comparison(con, q.Filters(start=start, end=until, topics=(topic_id,)))
        parts.append("<h2>Outlets and share of voice</h2>")
        parts.append(
            _figure(
                _svg(charts.share_of_voice_bar(comp, title=f"{label}: share of voice", width=820)),
                "Each outlet's part of all matching articles in the period.",
            )
        )
        n_charts += 1
        parts.append(
            _table(
                comp,
                {
                    "source": "outlet",
                    "matching_articles": "matching",
                    "total_articles": "all articles",
                    "share": "share of output",
                    "share_of_voice": "share of voice",
                },
                {"share": _pct, "share_of_voice": _pct},
            )
        )

        if spike_days or not outlet_spikes.empty:
            parts.append("<h2>Spikes</h2>")
            spikes = outlet_spikes.sort_values(["day", "source"])
            parts.append(
                _table(
                    spikes,
                    {
                        "day": "day",
                        "source": "outlet",
                        "matching_articles": "matching",
                        "share": "share",
                        "spike_score": "spike score",
                    },
                    {"day": _day, "share": _pct, "spike_score": lambda v: f"{v:.1f}"},
                )
            )
            focus_days = spike_days or sorted({pd.Timestamp(d).date() for d in spikes["day"]})
            for d in focus_days[-MAX_SPIKE_DAYS:]:
                arts = q.topic_articles(con, topic_id, f, day=d, limit=ARTICLES_PER_DAY)
                parts.append(f"<h3>Articles on {d.isoformat()}</h3><ul>")
                parts.extend(f"<li>{_link(a.title, a.url)} · {_e(a.source)}</li>" for a in arts.itertuples())
                parts.append("</ul>")

        ents = q.top_entities(con, topic_id, f, limit=8)
        if not ents.empty:
            parts.append("<h2>People, places and organisations</h2>")
            parts.append(
                _figure(
                    _svg(charts.entity_bar_chart(ents, title=f"{label}: top entities", width=820)),
                    "Articles of the topic mentioning each entity in the period.",
                )
            )
            n_charts += 1

        co = q.cooccurrence(con, f)
        co = co[co["topic_a"] == topic_id].sort_values("articles_both", ascending=False)
        if not co.empty:
            parts.append("<h2>Co-occurring topics</h2>")
            parts.append(
                _table(
                    co,
                    {"topic_b": "topic", "articles_both": "shared articles", "jaccard": "Jaccard"},
                    {"jaccard": lambda v: f"{v:.3f}"},
                )
            )

    health = q.source_health_summary(con, f)
    parts.append("<h2>Source health</h2>")
    if health.empty:
        parts.append('<p class="note">No crawl records for this period: the denominators are unknown.</p>')
    else:
        gaps = int(health["gap_days"].sum())
        if gaps:
            parts.append(
                f'<p class="note">{gaps} outlet-day(s) with a crawl gap: shares on those days reflect '
                "missing data, not missing coverage.</p>"
            )
        parts.append(
            _table(
                health,
                {
                    "source": "outlet",
                    "days": "crawl days",
                    "pages_fetched": "pages",
                    "articles_extracted": "articles",
                    "failures": "failures",
                    "undated_articles": "undated",
                    "gap_days": "gap days",
                    "last_day": "last day",
                },
                {"last_day": _day},
            )
        )

    body = "\n".join(parts)
    doc = (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>newsradar report: {_e(label)} {start}..{until}</title><style>{CSS}</style></head>"
        f'<body>\n{body}\n<p class="muted">newsradar · numbers from the warehouse tables topic_daily, '
        "topic_daily_all, source_share_of_voice, entity_mentions, topic_cooccurrence, source_health.</p>"
        "</body></html>\n"
    )
    summary = ReportSummary(
        output=Path(),
        topic_id=topic_id,
        start=start,
        end=until,
        matching_articles=matching,
        spike_days=spike_days,
        charts=n_charts,
    )
    return doc, summary


def _figure(svg: str, caption: str) -> str:
    return f'<figure class="chart">{svg}<figcaption class="muted">{_e(caption)}</figcaption></figure>'


def write_report(
    paths: Paths, topic_id: str, *, days: int = 30, output: Path, until: date | None = None
) -> ReportSummary:
    """Write the report for ``topic_id`` to ``output`` (atomically) and return its summary."""
    try:
        import altair  # noqa: F401
        import vl_convert  # noqa: F401
    except ImportError as exc:
        raise UserError(
            "the report needs the 'dashboard' extra (altair, vl-convert-python): "
            "install with `uv sync --extra dashboard`"
        ) from exc
    from newsradar.dashboard import queries as q

    try:
        con = q.connect(paths)
    except q.WarehouseMissing as exc:
        raise UserError(
            f"no warehouse at {exc}: build one with `newsradar build` (or run `newsradar demo`)"
        ) from exc
    except q.WarehouseUnavailable as exc:
        raise UserError(f"cannot open the warehouse {paths.warehouse_path}: {exc}") from exc
    try:
        doc, summary = build_report(
            con, topic_id, days=days, until=until, warehouse=str(paths.warehouse_path)
        )
    finally:
        con.close()
    output = Path(output)
    if output.parent and not output.parent.exists():
        raise UserError(f"the folder of {output} does not exist")
    tmp = output.with_name(f".{output.name}.tmp")
    tmp.write_text(doc, encoding="utf-8")
    tmp.replace(output)
    summary.output = output
    log.info("report written: %s", summary.describe())
    return summary
