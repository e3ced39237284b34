"""The ``newsradar`` command line. Each command group lives in ``newsradar.commands.<name>``
and exposes ``register(subparsers)``; this module only wires them together."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from newsradar.errors import UserError

COMMAND_MODULES = [
    "sources",
    "crawl",
    "extract",
    "demo",
    "build",
    "topics",
    "eval",
    "airflow",
    "dashboard",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsradar",
        description="newsradar: crawl news outlets into a Parquet lake, build coverage trends in DuckDB.",
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-vv for debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"newsradar.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"newsradar.commands.{name}":
                continue  # command group not built yet
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.WARNING - 10 * args.verbose
    logging.basicConfig(
        level=max(level, logging.DEBUG), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # output piped into `head` and closed early: not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except UserError as exc:
        print(f"newsradar: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
