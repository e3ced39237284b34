"""Reading a gold corpus folder: shared by the extraction and date evaluations."""

from __future__ import annotations

import json
from pathlib import Path

from newsradar.errors import UserError


def load_gold_file(corpus: Path, filename: str, kind: str, shape: str) -> dict[str, dict]:
    """The JSON object in ``corpus/filename``; a clear ``UserError`` for a missing folder or file,
    invalid JSON or another shape (``kind`` names the corpus, ``shape`` the expected object)."""
    corpus = Path(corpus)
    if not corpus.is_dir():
        raise UserError(f"{corpus}: no such corpus folder")
    path = corpus / filename
    if not path.is_file():
        raise UserError(f"{corpus}: not {kind} corpus (no {filename})")
    try:
        gold = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: invalid JSON: {exc}") from None
    if not isinstance(gold, dict):
        raise UserError(f"{path}: expected an object {shape}")
    return gold
