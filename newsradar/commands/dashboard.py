"""``newsradar dashboard``: the Streamlit dashboard over the published warehouse, and
``newsradar report``: a self-contained HTML report on one topic (charts as inline SVG)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from newsradar.errors import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "dashboard",
        help="serve the Streamlit dashboard on localhost",
        description="Serve the Streamlit dashboard over the published warehouse "
        "(read-only; a rebuilt warehouse is picked up on the next interaction).",
    )
    p.add_argument(
        "--data-dir",
        metavar="DIR",
        help="data folder holding newsradar.duckdb (default: $NEWSRADAR_DATA_DIR or ./data)",
    )
    p.add_argument("--port", type=int, default=8501, help="port on 127.0.0.1 (default: 8501)")
    p.add_argument("--address", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.set_defaults(func=run_dashboard)

    r = subparsers.add_parser(
        "report",
        help="write a self-contained HTML report on one topic",
        description="Write a self-contained HTML report on one topic: trend, spikes, "
        "outlets, share of voice, entities, articles on spike days, source health. "
        "Charts are inline SVG: the file opens offline and in mail clients.",
    )
    r.add_argument("--topic", required=True, metavar="ID", help="topic id (see `newsradar topics`)")
    r.add_argument("--days", type=int, default=30, help="length of the period in days (default: 30)")
    r.add_argument(
        "--until",
        metavar="YYYY-MM-DD",
        help="last day of the period (default: the latest day in the warehouse)",
    )
    r.add_argument("-o", "--output", required=True, metavar="FILE", help="HTML file to write")
    r.add_argument("--data-dir", metavar="DIR", help="data folder holding newsradar.duckdb")
    r.set_defaults(func=run_report)


def app_path() -> Path:
    """The Streamlit script inside the installed package."""
    import newsradar.dashboard

    return Path(newsradar.dashboard.__file__).with_name("app.py")


def streamlit_command(port: int, address: str = "127.0.0.1") -> list[str]:
    return [
        sys.executable, "-m", "streamlit", "run", str(app_path()),
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--server.address", address,
        "--server.port", str(port),
        "--server.fileWatcherType", "none",
    ]  # fmt: skip


def dashboard_env(data_dir: str | None) -> dict[str, str]:
    """Environment for the Streamlit process: the warehouse path resolved here, so the app and the
    command agree whatever the working directory."""
    from newsradar.settings import Paths

    paths = Paths.from_env(data_dir)
    env = dict(os.environ)
    env["NEWSRADAR_DATA_DIR"] = str(paths.data_dir)
    env["NEWSRADAR_WAREHOUSE"] = str(paths.warehouse_path)
    return env


def run_dashboard(args: argparse.Namespace) -> int:
    try:
        import streamlit  # noqa: F401
    except ImportError as exc:
        raise UserError(
            "the dashboard needs the 'dashboard' extra (streamlit, altair): "
            "install with `uv sync --extra dashboard`"
        ) from exc
    if not 0 < args.port < 65536:
        raise UserError(f"--port must be between 1 and 65535, not {args.port}")
    env = dashboard_env(args.data_dir)
    if not Path(env["NEWSRADAR_WAREHOUSE"]).is_file():
        print(
            f"newsradar: note: no warehouse yet at {env['NEWSRADAR_WAREHOUSE']}; the dashboard will say so "
            "until `newsradar build` publishes one",
            file=sys.stderr,
        )
    print(f"newsradar dashboard: http://{args.address}:{args.port}/  (Ctrl-C to stop)", file=sys.stderr)
    proc = subprocess.Popen(streamlit_command(args.port, args.address), env=env)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        return 130


def run_report(args: argparse.Namespace) -> int:
    from datetime import date

    from newsradar.report import write_report
    from newsradar.settings import Paths

    until = None
    if args.until:
        try:
            until = date.fromisoformat(args.until)
        except ValueError as exc:
            raise UserError(f"--until must be a date YYYY-MM-DD, not {args.until!r}") from exc
    summary = write_report(
        Paths.from_env(args.data_dir), args.topic, days=args.days, output=Path(args.output), until=until
    )
    print(summary.describe())
    return 0
