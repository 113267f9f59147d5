"""The parent of `--processes N` (entrypoints.cli.supervisor) over small Python children that
write a file named by their pid once their SIGTERM handling is in place."""

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from entrypoints.cli.supervisor import Child, Supervisor, describe, restart_delay

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

# argv: the directory for the ready files, then what to do on SIGTERM (or "crash": exit 3 at once)
CHILD = """
import os, signal, sys, time
ready, mode = sys.argv[1], sys.argv[2]
if mode == "clean":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
elif mode == "unclean":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
elif mode == "ignore":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
open(os.path.join(ready, str(os.getpid())), "w").close()
if mode == "crash":
    sys.exit(3)
while True:
    time.sleep(1)
"""


def child(ready: Path, mode: str) -> Child:
    return Child("test process", [sys.executable, "-c", CHILD, str(ready), mode], dict(os.environ))


def started(ready: Path) -> set[int]:
    return {int(p.name) for p in ready.iterdir()}


async def until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met"
        await asyncio.sleep(0.02)


def alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists() if sys.platform.startswith("linux") else True


@contextlib.asynccontextmanager
async def supervising(
    supervisor: Supervisor,
) -> AsyncIterator[tuple[asyncio.Event, "asyncio.Task[int]"]]:
    stopping = asyncio.Event()
    running = asyncio.create_task(supervisor.run(stopping))
    try:
        yield stopping, running
    finally:
        stopping.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(running, 30)


def test_delays_double_up_to_the_last() -> None:
    assert [restart_delay(n) for n in (1, 2, 3, 4, 5, 50)] == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_an_exit_status_says_how_the_child_ended() -> None:
    assert describe(3) == "status 3"
    assert describe(-signal.SIGKILL) == "killed by SIGKILL"


async def test_a_child_that_dies_is_replaced_and_sigterm_stops_them_all(tmp_path: Path) -> None:
    supervisor = Supervisor([child(tmp_path, "clean")] * 2, stop_timeout=20,
                            restart_delays=(0.0,))
    async with supervising(supervisor) as (stopping, running):
        await until(lambda: len(started(tmp_path)) == 2)
        first = started(tmp_path)
        assert set(supervisor.pids()) == first
        killed = min(first)
        os.kill(killed, signal.SIGKILL)
        await until(lambda: len(started(tmp_path)) == 3)
        replaced = set(supervisor.pids())
        assert len(replaced) == 2 and killed not in replaced and first - {killed} < replaced
        stopping.set()
        assert await running == 0
    assert not any(alive(pid) for pid in started(tmp_path))


async def test_a_crash_loop_waits_before_each_new_start(tmp_path: Path) -> None:
    # The second start comes at once, the third only after an hour: the stop comes first.
    supervisor = Supervisor([child(tmp_path, "crash")], stop_timeout=20,
                            restart_delays=(0.0, 3600.0))
    async with supervising(supervisor) as (stopping, running):
        await until(lambda: len(started(tmp_path)) == 2)
        await until(lambda: not supervisor.pids())
        stopping.set()
        assert await running == 0  # a child that had exited was not stopped uncleanly
    assert len(started(tmp_path)) == 2


async def test_a_child_that_stops_with_an_error_makes_the_exit_status_1(tmp_path: Path) -> None:
    supervisor = Supervisor([child(tmp_path, "clean"), child(tmp_path, "unclean")],
                            stop_timeout=20)
    async with supervising(supervisor) as (stopping, running):
        await until(lambda: len(started(tmp_path)) == 2)
        stopping.set()
        assert await running == 1


async def test_a_child_that_does_not_stop_is_killed(tmp_path: Path) -> None:
    supervisor = Supervisor([child(tmp_path, "ignore")], stop_timeout=0.2)
    async with supervising(supervisor) as (stopping, running):
        await until(lambda: len(started(tmp_path)) == 1)
        stopping.set()
        assert await running == 1
    assert not any(alive(pid) for pid in started(tmp_path))


async def test_sigterm_before_a_child_handles_it_is_a_clean_stop(tmp_path: Path) -> None:
    # The default action of SIGTERM: what a command still starting does with it.
    supervisor = Supervisor([child(tmp_path, "default")], stop_timeout=20)
    async with supervising(supervisor) as (stopping, running):
        await until(lambda: len(started(tmp_path)) == 1)
        stopping.set()
        assert await running == 0
