"""`serve --processes 2`: two API processes on one port under a supervising parent. Which process
holds which socket is read from /proc (Linux): the children of the parent, the listening
sockets on the port, the connections each process has accepted."""

import asyncio
import os
import signal
import sys
import uuid
from pathlib import Path

import aiohttp
import pytest

from bench.processes import free_port
from tests.e2e.conftest import Stack
from tests.e2e.harness import eventually, wait_healthy
from tests.e2e.test_processes import BASE_TIME, post

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.integration,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SO_REUSEPORT, /proc: Linux"),
]
COURSE = "processes"
LISTEN, ESTABLISHED = "0A", "01"


def children_of(parent: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "
        if int(fields[1]) == parent and fields[0] != "Z":
            found.add(int(entry.name))
    return found


def sockets_on(port: int, state: str) -> set[int]:
    """Inodes of the TCP sockets whose local port is `port`, in `state`."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            next(lines)
            for line in lines:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == state:
                    inodes.add(int(fields[9]))
    return inodes


def socket_inodes(pid: int) -> set[int]:
    inodes = set()
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return set()
    for fd in fds:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes


def holding(parent: int, port: int, state: str) -> set[int]:
    """The children of `parent` holding a socket on `port` in `state`."""
    wanted = sockets_on(port, state)
    return {pid for pid in children_of(parent) if socket_inodes(pid) & wanted}


async def test_two_processes_share_the_port_hear_changes_are_replaced_and_stop(
    stack: Stack, http: aiohttp.ClientSession
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    parent = stack.service(f"api-{port}", "serve", "--port", str(port), "--processes", "2")
    stack.worker()
    await wait_healthy(http, base)

    async def listening() -> set[int]:
        return holding(parent.pid, port, LISTEN)

    first = await eventually(listening, lambda pids: len(pids) == 2)
    assert first == children_of(parent.pid)

    # Answers from both processes: connections kept open until each child holds one.
    count_path = f"course/{COURSE}/average?end_date=2026-12-31"
    await post_grade(http, base)
    sessions: list[aiohttp.ClientSession] = []

    async def grade_counts() -> list[int]:
        counts = []
        for session in sessions:
            async with session.get(f"{base}/stats/{count_path}") as r:
                assert r.status == 200
                body = await r.json()
                counts.append(sum(int(p["grade_count"]) for p in body["averages"]))
        return counts

    async def answering() -> set[int]:
        sessions.append(aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)))
        await grade_counts()  # each session keeps its connection open
        return holding(parent.pid, port, ESTABLISHED)

    try:
        assert await eventually(answering, lambda pids: pids == first, interval=0.05) == first
        # Every process keeps its answer (one grade) and hears that it changed.
        await eventually(grade_counts, lambda counts: set(counts) == {1})
        await post_grade(http, base)
        await eventually(grade_counts, lambda counts: set(counts) == {2})
    finally:
        await asyncio.gather(*(session.close() for session in sessions))

    # A child that dies is replaced, and the port answers all along.
    killed, kept = sorted(first)
    os.kill(killed, signal.SIGKILL)
    second = await eventually(listening, lambda pids: len(pids) == 2 and killed not in pids)
    assert kept in second
    await wait_healthy(http, base)
    assert f"API process {killed} exited (killed by SIGKILL)" in parent.log()

    parent.signal(signal.SIGTERM)
    assert await asyncio.to_thread(parent.wait, 30) == 0
    assert all(not Path(f"/proc/{pid}").exists() for pid in first | second)
    log = parent.log()
    for pid in second:
        assert f"API process {pid} stopped" in log


async def post_grade(http: aiohttp.ClientSession, base: str) -> None:
    body = {"student_id": str(uuid.uuid4()), "course_id": COURSE, "grade": 5,
            "event_id": str(uuid.uuid4()), "graded_at": BASE_TIME.isoformat()}
    status, answer = await post(http, base, "student/grade", body)
    assert status == 200, answer
