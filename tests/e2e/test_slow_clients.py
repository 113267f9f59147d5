"""A client that sends its request head too slowly is disconnected, and holds nothing meanwhile."""

import asyncio
import time
from pathlib import Path

import aiohttp
import pytest

from bench.processes import free_port, service
from tests.e2e.harness import wait_healthy

pytestmark = pytest.mark.e2e

TIMEOUT = 1.0


async def _trickle_until_closed(port: int, seconds: float) -> float | None:
    """Send a request head a byte every 0.2 s; when the server closes, how long it took."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.monotonic()
    head = b"GET /stats/health HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * 200
    try:
        for byte in head:
            if time.monotonic() - started > seconds:
                return None
            writer.write(bytes([byte]))
            await writer.drain()
            try:
                if await asyncio.wait_for(reader.read(1), 0.2) == b"":
                    return time.monotonic() - started
            except TimeoutError:
                continue
        return None
    except ConnectionError:
        return time.monotonic() - started
    finally:
        writer.close()


async def test_a_trickled_request_head_is_cut_off(tmp_path: Path) -> None:
    port = free_port()
    api = service(
        "api", ["run"],
        {"STATS_PORT": str(port), "STATS_STORAGE": "memory",
         "STATS_REQUEST_HEADER_TIMEOUT": str(TIMEOUT)},
        tmp_path,
    )
    try:
        async with aiohttp.ClientSession() as session:
            await wait_healthy(session, f"http://127.0.0.1:{port}")
            slow = [asyncio.create_task(_trickle_until_closed(port, 20 * TIMEOUT))
                    for _ in range(20)]
            # meanwhile an ordinary client is served
            async with session.get(f"http://127.0.0.1:{port}/stats/health") as reply:
                assert reply.status == 200
            closed_after = await asyncio.gather(*slow)
        assert all(t is not None for t in closed_after), closed_after
        assert max(t for t in closed_after if t is not None) < 10 * TIMEOUT
    finally:
        api.stop()
