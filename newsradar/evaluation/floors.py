"""Quality floors pinned in ``eval_floors.toml``: an evaluation below a floor fails; lowering a floor
needs an explicit flag (``--lower-floor``) and rewrites the file, so the change shows in review."""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from newsradar.errors import UserError

DEFAULT_FLOORS_FILE = "eval_floors.toml"
MARGIN = 0.005


@dataclass(frozen=True)
class FloorCheck:
    metric: str
    value: float
    floor: float | None

    @property
    def ok(self) -> bool:
        return self.floor is None or self.value + 1e-9 >= self.floor


def load_floors(path: str | Path) -> dict[str, dict[str, float]]:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: no such floors file") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: invalid TOML: {exc}") from None
    out: dict[str, dict[str, float]] = {}
    for section, values in data.items():
        if not isinstance(values, dict):
            raise UserError(f"{path}: [{section}] must be a table of metric = number")
        for key, val in values.items():
            if not isinstance(val, int | float) or isinstance(val, bool) or not 0 <= val <= 1:
                raise UserError(f"{path}: [{section}] {key}: expected a number between 0 and 1, got {val!r}")
        out[section] = {k: float(v) for k, v in values.items()}
    return out


def check(measured: dict[str, float], floors: dict[str, float]) -> list[FloorCheck]:
    return [FloorCheck(m, measured[m], floors.get(m)) for m in measured if m in floors]


def lowered(measured: float) -> float:
    """The floor pinned for a measured value: slightly below it, rounded down to 3 decimals."""
    return math.floor((measured - MARGIN) * 1000) / 1000


def lower_floors(path: str | Path, section: str, measured: dict[str, float]) -> dict[str, float]:
    """Lower the failing floors of ``section`` to the measured values (minus the margin) and rewrite
    the file. Floors that pass are kept: the flag never raises a floor by accident."""
    path = Path(path)
    floors = load_floors(path) if path.exists() else {}
    current = dict(floors.get(section, {}))
    for metric, value in measured.items():
        if metric in current and value < current[metric]:
            current[metric] = lowered(value)
    floors[section] = current
    write_floors(path, floors, note=f"[{section}] lowered with --lower-floor on {datetime.now(UTC):%Y-%m-%d}")
    return current


def write_floors(path: Path, floors: dict[str, dict[str, float]], note: str | None = None) -> None:
    lines = [
        "# Quality floors for `newsradar eval`: a run below any floor exits non-zero.",
        "# Pinned slightly below what the extractor measured (see docs/extraction.md).",
        "# Lower a floor only with `--lower-floor` (it rewrites this file) and explain why in the commit.",
    ]
    if note:
        lines.append(f"# {note}")
    for section, values in floors.items():
        lines.append("")
        lines.append(f"[{section}]")
        for key, val in values.items():
            lines.append(f"{key} = {val:.3f}")
    tmp = path.with_name(f"_tmp-{path.name}")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(path)
