from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # tests/ helpers (fixture_server) importable from any rootdir

from fixture_server import FixtureServer  # noqa: E402


@pytest.fixture
def fixture_server():
    """Factory: ``fixture_server(routes, host="127.0.0.1")`` starts a server stopped after the test."""
    started: list[FixtureServer] = []

    def start(routes=None, host: str = "127.0.0.1") -> FixtureServer:
        srv = FixtureServer(routes, host=host).start()
        started.append(srv)
        return srv

    yield start
    for srv in started:
        srv.stop()
