"""``newsradar eval extraction|dates CORPUS_DIR``: measure the crawl's extractor against a gold corpus,
beside live and published baselines, and fail (exit 1) below the floors pinned in eval_floors.toml."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from newsradar.errors import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "eval",
        help="evaluate extraction quality against a gold corpus (quality gate)",
        description=__doc__.splitlines()[0],
    )
    sub = p.add_subparsers(dest="eval_command", metavar="WHAT", required=True)
    for name, helptext in (
        ("extraction", "body text on an articles_zyte-style corpus (html/<id>.html + ground-truth.json)"),
        (
            "dates",
            "publication dates on a dates_mediacloud2020-style corpus (html/ + eval_mediacloud_2020.json)",
        ),
    ):
        q = sub.add_parser(name, help=helptext, description=helptext)
        q.add_argument("corpus", metavar="CORPUS_DIR", type=Path)
        q.add_argument("--out", metavar="FILE", type=Path, help="write per-page results here (JSON lines)")
        q.add_argument(
            "--floors",
            metavar="FILE",
            type=Path,
            default=Path("eval_floors.toml"),
            help="quality floors (default: eval_floors.toml)",
        )
        q.add_argument(
            "--lower-floor",
            action="store_true",
            help="accept a result below the floor and lower the floor in the floors file to it",
        )
        q.add_argument("--no-gate", action="store_true", help="report only; never fail on the floors")
        q.add_argument("--no-baseline", action="store_true", help="skip the live baseline (faster)")
        q.add_argument("--workers", type=int, default=2, help="processes (default: 2)")
        q.add_argument(
            "--limit", type=int, help="only the first N pages (for a quick look; the gate is skipped)"
        )
        q.add_argument("--json", action="store_true", help="print the summary as JSON instead of a table")
        q.set_defaults(func=run, eval_kind=name)


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"_tmp-{path.name}")
    with tmp.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
    tmp.replace(path)


def run(args: argparse.Namespace) -> int:
    from newsradar.evaluation import floors as fl

    if args.workers < 1:
        raise UserError("--workers must be at least 1")
    floors_all = fl.load_floors(args.floors) if not (args.no_gate or args.limit) else {}
    if args.eval_kind == "extraction":
        from newsradar.evaluation.extraction import OURS, format_report, run_extraction_eval

        report = run_extraction_eval(
            args.corpus, workers=args.workers, live_baseline=not args.no_baseline, limit=args.limit
        )
        ours = report.summaries[OURS]
        measured = {"f1": ours.f1, "precision": ours.precision, "recall": ours.recall}
        summary = {
            "corpus": str(args.corpus),
            "extractors": {k: v.as_dict() for k, v in report.summaries.items()},
            "published_baselines": {k: v.as_dict() for k, v in report.baselines.items()},
            "failures": report.failures,
        }
        table = format_report(report)
        section = "extraction"
    else:
        from newsradar.evaluation.dates import OURS, format_report, run_dates_eval

        report = run_dates_eval(
            args.corpus, workers=args.workers, live_baseline=not args.no_baseline, limit=args.limit
        )
        measured = {"accuracy": report.accuracy[OURS]}
        summary = {
            "corpus": str(args.corpus),
            "accuracy": {k: round(v, 4) for k, v in report.accuracy.items()},
            "pages": len(report.pages),
            "failures": report.failures,
        }
        table = format_report(report)
        section = "dates"
    if args.out:
        _write_jsonl(args.out, report.pages)
    checks = fl.check(measured, floors_all.get(section, {}))
    failed = [c for c in checks if not c.ok]
    summary["floors"] = {c.metric: {"value": round(c.value, 4), "floor": c.floor, "ok": c.ok} for c in checks}
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(table)
        for c in checks:
            print(
                f"floor {section}.{c.metric}: {c.value:.4f} {'>=' if c.ok else '<'} {c.floor:.3f} "
                f"{'ok' if c.ok else 'FAILED'}"
            )
        if args.limit or args.no_gate:
            print("quality gate skipped" + (" (--limit)" if args.limit else ""))
    if failed:
        if args.lower_floor:
            new = fl.lower_floors(args.floors, section, measured)
            print(
                f"lowered floors in {args.floors}: [{section}] "
                + ", ".join(f"{k} = {v:.3f}" for k, v in new.items()),
                file=sys.stderr,
            )
            return 0
        print(
            f"newsradar: quality gate failed: {', '.join(f'{section}.{c.metric}' for c in failed)} below the floor "
            f"in {args.floors} (use --lower-floor to accept and lower it)",
            file=sys.stderr,
        )
        return 1
    return 0
