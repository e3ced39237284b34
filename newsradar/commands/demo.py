"""``newsradar demo`` (generate, serve and crawl the demo newsroom) and ``newsradar demo-site serve``."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from newsradar.demo.generator import DEFAULT_DAYS, DEFAULT_PER_DAY, DEFAULT_SEED


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


def _port(value: str) -> int:
    n = _positive(value) if value != "0" else 0
    if n > 65535:
        raise argparse.ArgumentTypeError(f"not a TCP port: {n}")
    return n


def _size_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"generator seed (default {DEFAULT_SEED})")
    p.add_argument(
        "--days", type=_positive, default=DEFAULT_DAYS, help=f"days of articles (default {DEFAULT_DAYS})"
    )
    p.add_argument(
        "--per-day",
        type=_positive,
        default=DEFAULT_PER_DAY,
        help=f"articles per outlet per day, about (default {DEFAULT_PER_DAY})",
    )


def register(subparsers) -> None:
    demo = subparsers.add_parser(
        "demo",
        help="run the whole pipeline on a generated demo newsroom served on localhost",
        description="Generate the demo newsroom, serve it on 127.0.0.21-25, crawl it into the lake, "
        "summarise the lake (then build the warehouse, when that step is wired in).",
    )
    demo.add_argument("--data-dir", help="data folder (default: $NEWSRADAR_DATA_DIR or ./data)")
    _size_args(demo)
    demo.add_argument("--no-progress", action="store_true", help="no live progress display")
    demo.set_defaults(func=_run_demo)

    site = subparsers.add_parser("demo-site", help="serve the demo newsroom without crawling it")
    site_sub = site.add_subparsers(dest="demo_site_command", metavar="ACTION")
    serve = site_sub.add_parser("serve", help="serve the demo outlets until Ctrl-C")
    _size_args(serve)
    serve.add_argument(
        "--port", type=_port, default=0, help="TCP port on every outlet's address (default: ephemeral)"
    )
    serve.add_argument("--write-sources", metavar="FILE", help="write a sources.yaml pointing at the servers")
    serve.add_argument("--write-manifest", metavar="FILE", help="write the manifest (the generator's truth)")
    serve.set_defaults(func=_serve)
    site.set_defaults(func=lambda args: site.print_help() or 2)


def _run_demo(args) -> int:
    from rich.console import Console

    from newsradar.demo.pipeline import run_demo
    from newsradar.settings import Paths

    console = Console(width=None if sys.stdout.isatty() else 140)
    paths = Paths.from_env(args.data_dir)
    result = run_demo(
        paths,
        seed=args.seed,
        days=args.days,
        per_day=args.per_day,
        progress=not args.no_progress,
        console=console,
    )
    if result.lake.total == 0:
        console.print("[red]the crawl put no articles in the lake[/red]")
        return 1
    return 0


def _serve(args) -> int:
    from newsradar.demo.server import DemoNewsroom

    stop = threading.Event()
    with DemoNewsroom(seed=args.seed, days=args.days, per_day=args.per_day, port=args.port) as demo:
        if args.write_sources:
            print(f"sources: {demo.write_sources_yaml(args.write_sources)}")
        if args.write_manifest:
            print(f"manifest: {demo.write_manifest(args.write_manifest)}")
        manifest = demo.manifest
        n = sum(1 for a in manifest["pages"] if a["is_article"])
        print(
            f"Demo newsroom (seed {args.seed}): {n} articles, {demo.room.start_date} .. {demo.room.end_date}"
        )
        for o in manifest["outlets"]:
            print(f"  {o['name']:<18} {o['homepage']:<32} {'+'.join(o['languages']):<5} {o['markup']}")
        print("Serving; press Ctrl-C to stop.", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
    return 0
