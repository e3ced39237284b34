"""Quality gates run after a warehouse build. They fail loudly (the task fails, with every problem
named) instead of letting a silent gap skew the trends:

- volume: a source that returned nothing (or almost nothing) on a crawl day where its trailing median
  of extracted articles (``source_health``) is substantial;
- freshness: the newest crawl day in ``source_health`` is older than expected.

Failing dbt tests are the third gate: cosmos runs each model's tests in its task, so a failing test
fails that task and the publish step never runs.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, timedelta


class QualityGateFailed(RuntimeError):
    """One or more gates failed; the message lists each problem."""


@dataclass(frozen=True)
class VolumeProblem:
    source_id: str
    day: str
    articles: int
    trailing_median: float
    trailing_days: int

    def text(self) -> str:
        return (
            f"source {self.source_id!r} extracted {self.articles} article(s) on {self.day}, "
            f"trailing median {self.trailing_median:g} over {self.trailing_days} crawl day(s)"
        )


def volume_problems(
    con, day: date | str, *, trailing_days: int = 14, min_median: float = 5.0, ratio: float = 0.1
) -> list[VolumeProblem]:
    """Sources whose articles on ``day`` fall below ``ratio`` x their trailing median (median >=
    ``min_median``). A source with history but no row at all for ``day`` counts as 0."""
    day = date.fromisoformat(str(day))
    start = day - timedelta(days=trailing_days)
    rows = con.execute(
        "select source_id, cast(day as date), coalesce(articles_extracted, 0) from source_health "
        "where cast(day as date) between ? and ?",
        [start, day],
    ).fetchall()
    history: dict[str, list[int]] = {}
    today: dict[str, int] = {}
    for source_id, d, n in rows:
        if d == day:
            today[source_id] = int(n)
        else:
            history.setdefault(source_id, []).append(int(n))
    problems = []
    for source_id, counts in sorted(history.items()):
        median = statistics.median(counts)
        got = today.get(source_id, 0)
        if median >= min_median and got < ratio * median:
            problems.append(VolumeProblem(source_id, day.isoformat(), got, float(median), len(counts)))
    return problems


def freshness_problem(con, expected_day: date | str, stale_after_days: int = 2) -> str | None:
    """A message if the newest crawl day in ``source_health`` is more than ``stale_after_days`` old."""
    expected = date.fromisoformat(str(expected_day))
    newest = con.execute("select max(cast(day as date)) from source_health").fetchone()[0]
    if newest is None:
        return "source_health is empty: no crawl has been recorded"
    if newest < expected - timedelta(days=stale_after_days):
        return (
            f"stale data: newest crawl day in source_health is {newest}, expected {expected} "
            f"(tolerance {stale_after_days} day(s))"
        )
    return None


def run_gates(
    con, days: list[str], *, trailing_days: int, min_median: float, ratio: float, stale_after_days: int
) -> dict:
    """Run every gate for the build's crawl days; raise ``QualityGateFailed`` listing all problems."""
    if not days:
        raise QualityGateFailed("no crawl day to check (the run has no triggering ingest event)")
    problems: list[str] = []
    gaps = []
    for d in days:
        found = volume_problems(con, d, trailing_days=trailing_days, min_median=min_median, ratio=ratio)
        gaps.extend(p.source_id + "/" + p.day for p in found)
        problems.extend(p.text() for p in found)
    stale = freshness_problem(con, max(days), stale_after_days)
    if stale:
        problems.append(stale)
    if problems:
        raise QualityGateFailed(f"{len(problems)} quality problem(s): " + "; ".join(problems))
    return {"days": days, "gaps": gaps, "stale": None}
