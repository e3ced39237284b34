"""Altair (Vega-Lite) charts shared by the dashboard and the HTML report.

Each function takes a DataFrame from ``newsradar.dashboard.queries`` and returns an Altair chart.
Charts that drill down carry a point selection named ``pick`` over the string fields ``date`` and
``source_id`` (strings, so the value Streamlit hands back does not depend on the browser's time zone).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

PICK = "pick"
SPIKE_COLOR = "black"  # spikes: black triangles, apart from any outlet colour
OUTLET_COLORS = alt.Scale(scheme="tableau10")


def _with_date(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out["day"] = pd.to_datetime(out["day"])
    out["date"] = out["day"].dt.strftime("%Y-%m-%d")
    return out


def trend_chart(
    df: pd.DataFrame,
    *,
    overall: pd.DataFrame | None = None,
    title: str = "",
    selectable: bool = True,
    height: int = 320,
    width: int | str = "container",
) -> alt.Chart:
    """Each outlet's share of coverage per day: daily points, the 7-day rolling mean as a line and
    spikes as black triangles. ``overall`` (``topic_daily_all`` rows) adds a dashed all-outlets line."""
    data = _with_date(df)
    base = alt.Chart(data).encode(
        x=alt.X("day:T", title="day"),
        color=alt.Color("source:N", title="outlet", scale=OUTLET_COLORS),
    )
    tooltip = [
        alt.Tooltip("date:N", title="day"),
        alt.Tooltip("source:N", title="outlet"),
        alt.Tooltip("matching_articles:Q", title="matching"),
        alt.Tooltip("total_articles:Q", title="all articles"),
        alt.Tooltip("share:Q", format=".1%"),
        alt.Tooltip("rolling_share_7d:Q", title="7-day mean", format=".1%"),
        alt.Tooltip("spike_score:Q", title="spike score", format=".2f"),
    ]
    line = base.mark_line(strokeWidth=2).encode(
        y=alt.Y(
            "rolling_share_7d:Q",
            title="share of the outlet's articles (7-day mean)",
            axis=alt.Axis(format="%"),
        )
    )
    points = base.mark_circle(size=45).encode(y="share:Q", tooltip=tooltip)
    if selectable:
        pick = alt.selection_point(name=PICK, fields=["date", "source_id"], on="click")
        points = points.add_params(pick).encode(opacity=alt.condition(pick, alt.value(0.85), alt.value(0.25)))
    else:
        points = points.encode(opacity=alt.value(0.4))
    spikes = (
        alt.Chart(data[data["is_spike"].fillna(False).astype(bool)])
        .mark_point(shape="triangle-up", size=150, filled=True, color=SPIKE_COLOR, opacity=0.9)
        .encode(x="day:T", y="share:Q", tooltip=tooltip)
    )
    layers = [line, points, spikes]
    if overall is not None and not overall.empty:
        all_data = _with_date(overall)
        layers.append(
            alt.Chart(all_data)
            .mark_line(strokeDash=[6, 3], color="black", strokeWidth=1.5)
            .encode(
                x="day:T",
                y="rolling_share_7d:Q",
                tooltip=[
                    alt.Tooltip("date:N", title="day"),
                    alt.Tooltip("rolling_share_7d:Q", title="all outlets, 7-day mean", format=".1%"),
                ],
            )
        )
    return alt.layer(*layers).properties(title=title, height=height, width=width)


def overall_chart(
    df: pd.DataFrame, *, title: str = "", height: int = 260, width: int | str = "container"
) -> alt.Chart:
    """All outlets together: daily share as bars, the 7-day mean as a line, spikes marked."""
    data = _with_date(df)
    bars = (
        alt.Chart(data)
        .mark_bar(opacity=0.35)
        .encode(
            x=alt.X("day:T", title="day"),
            y=alt.Y("share:Q", title="share of all articles", axis=alt.Axis(format="%")),
            tooltip=[
                alt.Tooltip("date:N", title="day"),
                "matching_articles:Q",
                "total_articles:Q",
                alt.Tooltip("share:Q", format=".1%"),
            ],
        )
    )
    line = alt.Chart(data).mark_line(strokeWidth=2.5).encode(x="day:T", y="rolling_share_7d:Q")
    spikes = (
        alt.Chart(data[data["is_spike"].fillna(False).astype(bool)])
        .mark_point(shape="triangle-up", size=150, filled=True, color=SPIKE_COLOR, opacity=0.9)
        .encode(x="day:T", y="share:Q")
    )
    return alt.layer(bars, line, spikes).properties(title=title, height=height, width=width)


def outlet_share_chart(
    df: pd.DataFrame, *, title: str = "", height: int = 280, width: int | str = "container"
) -> alt.Chart:
    """Per topic, each outlet's share of its own output over the period (grouped bars)."""
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=alt.X("topic:N", title=None, axis=alt.Axis(labelAngle=0)),
            xOffset="source:N",
            y=alt.Y("share:Q", title="share of the outlet's articles", axis=alt.Axis(format="%")),
            color=alt.Color("source:N", title="outlet", scale=OUTLET_COLORS),
            tooltip=[
                "topic:N",
                "source:N",
                "matching_articles:Q",
                "total_articles:Q",
                alt.Tooltip("share:Q", format=".1%"),
                alt.Tooltip("share_of_voice:Q", format=".1%"),
            ],
        )
        .properties(title=title, height=height, width=width)
    )


def share_of_voice_chart(
    df: pd.DataFrame, *, title: str = "", height: int = 260, width: int | str = "container"
) -> alt.Chart:
    """Each outlet's share of the topic's articles per day (stacked to 100%)."""
    data = _with_date(df)
    return (
        alt.Chart(data)
        .mark_area()
        .encode(
            x=alt.X("day:T", title="day"),
            y=alt.Y("share_of_voice:Q", stack="normalize", title="share of voice", axis=alt.Axis(format="%")),
            color=alt.Color("source:N", title="outlet", scale=OUTLET_COLORS),
            tooltip=[
                alt.Tooltip("date:N", title="day"),
                "source:N",
                "matching_articles:Q",
                alt.Tooltip("share_of_voice:Q", format=".1%"),
            ],
        )
        .properties(title=title, height=height, width=width)
    )


def share_of_voice_bar(
    df: pd.DataFrame, *, title: str = "", height: int | None = None, width: int | str = "container"
) -> alt.Chart:
    """One topic: each outlet's share of voice over the period (horizontal bars)."""
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y("source:N", title=None, sort="-x"),
            x=alt.X("share_of_voice:Q", title="share of voice", axis=alt.Axis(format="%")),
            color=alt.Color("source:N", legend=None, scale=OUTLET_COLORS),
            tooltip=["source:N", "matching_articles:Q", alt.Tooltip("share_of_voice:Q", format=".1%")],
        )
        .properties(title=title, height=alt.Step(24) if height is None else height, width=width)
    )


def cooccurrence_heatmap(
    df: pd.DataFrame, *, title: str = "", height: int = 320, width: int | str = "container"
) -> alt.Chart:
    base = alt.Chart(df).encode(
        x=alt.X("topic_a:N", title=None),
        y=alt.Y("topic_b:N", title=None),
    )
    rect = base.mark_rect().encode(
        color=alt.Color("jaccard:Q", scale=alt.Scale(scheme="blues"), title="Jaccard"),
        tooltip=["topic_a:N", "topic_b:N", "articles_both:Q", alt.Tooltip("jaccard:Q", format=".3f")],
    )
    text = base.mark_text(fontSize=11).encode(text="articles_both:Q")
    return alt.layer(rect, text).properties(title=title, height=height, width=width)


def entity_bar_chart(
    df: pd.DataFrame, *, title: str = "", height: int | None = None, width: int | str = "container"
) -> alt.Chart:
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y("entity_name:N", sort="-x", title=None),
            x=alt.X("articles:Q", title="articles"),
            color=alt.Color("entity_type:N", title="type"),
            tooltip=["entity_name:N", "entity_type:N", "articles:Q", "mentions:Q"],
        )
        .properties(title=title, height=alt.Step(24) if height is None else height, width=width)
    )


def entity_timeline_chart(
    df: pd.DataFrame,
    *,
    title: str = "",
    height: int = 260,
    width: int | str = "container",
    selectable: bool = True,
) -> alt.Chart:
    """Articles of a topic per day mentioning each entity; points carry a ``pick`` selection over
    ``date`` and ``entity_id`` (click one to list the articles)."""
    data = _with_date(df)
    base = alt.Chart(data).encode(
        x=alt.X("day:T", title="day"),
        y=alt.Y("articles:Q", title="articles of the topic mentioning it"),
        color=alt.Color("entity_name:N", title="entity"),
    )
    points = base.mark_circle(size=50, opacity=0.9).encode(
        tooltip=[alt.Tooltip("date:N", title="day"), "entity_name:N", "entity_type:N", "articles:Q"]
    )
    if selectable:
        points = points.add_params(alt.selection_point(name=PICK, fields=["date", "entity_id"], on="click"))
    return alt.layer(base.mark_line(), points).properties(title=title, height=height, width=width)


def health_chart(
    df: pd.DataFrame, *, title: str = "", height: int = 260, width: int | str = "container"
) -> alt.Chart:
    """Articles extracted per outlet and day; gap days (nothing fetched) as red crosses at zero."""
    data = _with_date(df)
    line = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("day:T", title="crawl day"),
            y=alt.Y("articles_extracted:Q", title="articles extracted"),
            color=alt.Color("source:N", title="outlet", scale=OUTLET_COLORS),
            tooltip=[
                alt.Tooltip("date:N", title="day"),
                "source:N",
                "pages_fetched:Q",
                "articles_extracted:Q",
                "failures:Q",
                "undated_articles:Q",
                "failures_by_kind:N",
            ],
        )
    )
    gaps = (
        alt.Chart(data[data["is_gap"].fillna(False).astype(bool)])
        .mark_point(shape="cross", size=140, color="#d62728", filled=True)
        .encode(
            x="day:T",
            y="articles_extracted:Q",
            tooltip=[alt.Tooltip("date:N", title="gap day"), "source:N", "failures_by_kind:N"],
        )
    )
    return alt.layer(line, gaps).properties(title=title, height=height, width=width)


def adhoc_chart(
    df: pd.DataFrame,
    *,
    title: str = "",
    height: int = 280,
    width: int | str = "container",
    selectable: bool = True,
) -> alt.Chart:
    """Ad-hoc query: matching share per outlet and day (no rolling mean: computed on the fly)."""
    data = _with_date(df)
    chart = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("day:T", title="day"),
            y=alt.Y("share:Q", title="share of the outlet's articles", axis=alt.Axis(format="%")),
            color=alt.Color("source:N", title="outlet", scale=OUTLET_COLORS),
            tooltip=[
                alt.Tooltip("date:N", title="day"),
                "source:N",
                "matching_articles:Q",
                "total_articles:Q",
                alt.Tooltip("share:Q", format=".1%"),
            ],
        )
    )
    if selectable:
        chart = chart.add_params(alt.selection_point(name=PICK, fields=["date", "source_id"], on="click"))
    return chart.properties(title=title, height=height, width=width)
