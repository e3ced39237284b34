"""The quality gate on the real evaluation corpora (../shared/eval next to the repository): both
evaluations must stay at or above the floors pinned in eval_floors.toml. Skips cleanly when the
corpora are absent. The slowest test of the suite (about a minute or two on 2 cores)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsradar.cli import main

REPO = Path(__file__).resolve().parents[2]
EVAL = REPO / ".." / "shared" / "eval"
FLOORS = REPO / "eval_floors.toml"


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.parametrize(
    ("kind", "corpus", "marker"),
    [
        ("extraction", "articles_zyte", "ground-truth.json"),
        ("dates", "dates_mediacloud2020", "eval_mediacloud_2020.json"),
    ],
)
def test_quality_gate(kind, corpus, marker, capsys):
    path = EVAL / corpus
    if not (path / marker).is_file():
        pytest.skip(f"evaluation corpus {path} not present")
    rc = main(["eval", kind, str(path), "--floors", str(FLOORS), "--workers", "2", "--no-baseline", "--json"])
    summary = json.loads(capsys.readouterr().out)
    assert summary["floors"], "no floors pinned for this evaluation"
    assert rc == 0, f"{kind} below its floors: {summary['floors']}"
