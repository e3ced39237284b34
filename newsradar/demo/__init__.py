"""The demo newsroom: a deterministic generator of fictional outlets (English and Russian, with
deliberately different markup), a manifest of its truth, and a localhost server.

    from newsradar.demo import DemoNewsroom
    with DemoNewsroom(seed=7, days=42, per_day=7) as demo:
        demo.sources, demo.manifest
"""

from newsradar.demo.generator import DEFAULT_DAYS, DEFAULT_END_DATE, DEFAULT_PER_DAY, DEFAULT_SEED, generate
from newsradar.demo.server import DemoNewsroom

__all__ = ["DEFAULT_DAYS", "DEFAULT_END_DATE", "DEFAULT_PER_DAY", "DEFAULT_SEED", "DemoNewsroom", "generate"]
