"""The crawl's process pool (spiders.spiders.pool): jobs in order, errors where they belong, payloads
larger than a pipe buffer both ways, cancelled jobs, a dying worker, and a clean shutdown."""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from spiders.spiders import pool


def square(x: int) -> int:
    return x * x


def fail(message: str) -> None:
    raise ValueError(message)


def echo_len(data: bytes, times: int) -> tuple[int, bytes]:
    return len(data), data * times


def sleep_then(value, seconds: float):
    time.sleep(seconds)
    return value


def die() -> None:
    os._exit(3)


@pytest.fixture
def fresh_pool(monkeypatch):
    monkeypatch.setattr(pool, "_preloaded", True)  # these jobs need no extractor: skip its warm-up
    pool.shutdown()
    yield pool.get(2)
    pool.shutdown()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_jobs_results_and_errors(fresh_pool):
    async def main():
        assert await fresh_pool.run(square, 7) == 49
        assert await asyncio.gather(*[fresh_pool.run(square, i) for i in range(300)]) == [
            i * i for i in range(300)
        ]
        with pytest.raises(ValueError, match="bad page"):
            await fresh_pool.run(fail, "bad page")
        big = os.urandom(3_000_000)  # far more than a pipe buffer, in both directions
        results = await asyncio.gather(*[fresh_pool.run(echo_len, big, 2) for _ in range(3)])
        assert all(r == (3_000_000, big * 2) for r in results)
        job = asyncio.ensure_future(fresh_pool.run(sleep_then, "late", 0.3))
        await asyncio.sleep(0.05)
        job.cancel()  # its result is dropped when it comes; the next job is not confused with it
        assert await fresh_pool.run(square, 3) == 9
        assert await fresh_pool.run(sleep_then, "x", 0.01) == "x"

    asyncio.run(main())


def test_a_dead_worker_breaks_the_pool_and_shutdown_cleans_up(fresh_pool):
    pids = [w.process.pid for w in fresh_pool._workers]

    async def main():
        outcomes = await asyncio.gather(
            *[fresh_pool.run(sleep_then, i, 0.2) for i in range(3)],
            fresh_pool.run(die),
            return_exceptions=True,
        )
        assert any(isinstance(o, pool.BrokenPool) for o in outcomes)
        assert all(isinstance(o, int | pool.BrokenPool) for o in outcomes)
        with pytest.raises(pool.BrokenPool, match="died"):
            await fresh_pool.run(square, 2)

    asyncio.run(main())
    pool.shutdown()
    assert not any(_alive(pid) for pid in pids)
    # a new pool after a broken one works
    assert asyncio.run(_one(pool.get(1))) == 16


async def _one(p):
    return await p.run(square, 4)


def test_shutdown_stops_idle_workers_at_once(fresh_pool):
    pids = [w.process.pid for w in fresh_pool._workers]
    assert asyncio.run(_one(fresh_pool)) == 16
    started = time.monotonic()
    pool.shutdown()
    assert time.monotonic() - started < 5
    assert not any(_alive(pid) for pid in pids)


def test_room_waits_for_the_backlog_to_fall_below_the_limit(fresh_pool):
    async def main():
        await fresh_pool.room(4)  # an idle pool has room at once
        jobs = [asyncio.ensure_future(fresh_pool.run(sleep_then, i, 0.15)) for i in range(8)]
        await asyncio.sleep(0)
        assert fresh_pool.backlog == 8
        # three callers wait; each is let through only once fewer than 4 jobs are unfinished
        seen = []

        async def caller(n):
            await fresh_pool.room(4)
            seen.append((n, fresh_pool.backlog))

        waiters = [asyncio.ensure_future(caller(n)) for n in range(3)]
        await asyncio.sleep(0.05)
        assert seen == []  # nothing finished yet
        await asyncio.gather(*waiters)
        assert [n for n, _ in seen] == [0, 1, 2]  # in order
        assert all(backlog < 4 for _, backlog in seen)
        assert await asyncio.gather(*jobs) == list(range(8))
        assert fresh_pool.backlog == 0

    asyncio.run(main())


def test_room_never_hangs_on_cancelled_jobs_or_a_broken_pool(fresh_pool):
    async def main():
        jobs = [asyncio.ensure_future(fresh_pool.run(sleep_then, i, 0.3)) for i in range(6)]
        await asyncio.sleep(0)
        waiter = asyncio.ensure_future(fresh_pool.room(5))
        for job in jobs[4:]:  # two jobs still waiting in the pool are cancelled: the backlog falls to 4
            job.cancel()
        await asyncio.wait_for(waiter, 5)
        # a broken pool releases every waiter (their jobs then fail with BrokenPool)
        more = [asyncio.ensure_future(fresh_pool.run(sleep_then, i, 0.2)) for i in range(6)]
        await asyncio.sleep(0)
        blocked = asyncio.ensure_future(fresh_pool.room(2))
        await asyncio.sleep(0.01)
        assert not blocked.done()
        fresh_pool.run(die)
        await asyncio.wait_for(blocked, 5)
        await asyncio.gather(*jobs[:4], *more, return_exceptions=True)

    asyncio.run(main())


def test_room_lets_waiters_through_when_callers_let_in_bring_no_job(fresh_pool):
    # A caller let through usually brings a job (its page); one whose download failed brings none. The
    # callers behind it must not wait for a job that will never finish.
    async def main():
        jobs = [asyncio.ensure_future(fresh_pool.run(sleep_then, i, 0.1)) for i in range(2)]
        await asyncio.sleep(0)
        waiters = [asyncio.ensure_future(fresh_pool.room(2)) for _ in range(4)]
        await asyncio.gather(*jobs)
        # the first two were let through (counted as jobs to come) and bring none
        await asyncio.wait_for(asyncio.gather(*waiters[:2]), 2)
        await asyncio.wait_for(asyncio.gather(*waiters[2:]), 3)
        assert fresh_pool.backlog == 0

    asyncio.run(main())
