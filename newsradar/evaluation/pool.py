"""A small process pool for evaluations: results in input order; ``workers=1`` runs in-process."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor


def run_pool(func: Callable, tasks: Iterable, *, workers: int = 2) -> list:
    tasks = list(tasks)
    workers = max(1, min(workers, os.cpu_count() or 1, len(tasks) or 1))
    if workers == 1:
        return [func(t) for t in tasks]
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        return list(pool.map(func, tasks, chunksize=max(1, len(tasks) // (workers * 8))))
