"""The parent of `serve --processes N` / `run --processes N`: keeps its children running.

Each child is a command of this program (`serve`, or `worker` for `run`), started again when it
exits while the service runs: after 1 s, then 2, 4 and 8 s if it keeps exiting (a crash loop does
not spin), from 1 s again once a child had been running for a minute. SIGTERM or SIGINT is
passed on to every child as SIGTERM; the parent waits for them to stop (killing one that takes
longer than `stop_timeout`) and exits 0 when every child stopped cleanly (exit status 0, or
ended by that SIGTERM while it was still starting), 1 otherwise.

The children run in a process group of their own, so that Ctrl-C in a terminal reaches them once,
through the parent, and on Linux each gets SIGTERM if the parent dies, however it dies.
"""

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from entrypoints.embedded import dies_with_this_process

log = logging.getLogger("classconnect_stats")

# Seconds to wait before starting a child that exited again, doubling up to the last.
RESTART_DELAYS = (1.0, 2.0, 4.0, 8.0)
# A child that ran this long had been working: its next exit starts the delays over.
STABLE_AFTER = 60.0


@dataclass(frozen=True)
class Child:
    """What to keep running: `name` is how the log calls it ("API process")."""

    name: str
    command: Sequence[str]
    env: Mapping[str, str]


def restart_delay(failures: int, delays: Sequence[float] = RESTART_DELAYS) -> float:
    """Seconds before starting a child that exited `failures` times in a row (1 or more)."""
    return delays[min(failures, len(delays)) - 1]


def describe(status: int) -> str:
    if status < 0:
        try:
            return f"killed by {signal.Signals(-status).name}"
        except ValueError:
            return f"killed by signal {-status}"
    return f"status {status}"


class Supervisor:
    def __init__(
        self, children: Sequence[Child], *, stop_timeout: float,
        restart_delays: Sequence[float] = RESTART_DELAYS, stable_after: float = STABLE_AFTER,
    ) -> None:
        self._children = list(children)
        self._stop_timeout = stop_timeout
        self._delays = restart_delays
        self._stable_after = stable_after
        self._running: dict[int, asyncio.subprocess.Process] = {}  # slot -> process
        self._clean = True

    def pids(self) -> list[int]:
        """The children running now, in slot order."""
        return [p.pid for _, p in sorted(self._running.items()) if p.returncode is None]

    async def run(self, stopping: asyncio.Event) -> int:
        """Keep every child running until `stopping` is set, then stop them: 0 when every child
        stopped cleanly, else 1."""
        keepers = [
            asyncio.create_task(self._keep(slot, child, stopping), name=f"keep-{child.name}")
            for slot, child in enumerate(self._children)
        ]
        try:
            await asyncio.gather(*keepers)
        finally:
            for keeper in keepers:
                keeper.cancel()
            await asyncio.gather(*keepers, return_exceptions=True)
            await asyncio.gather(*(self._kill_now(p) for p in self._running.values()))
        return 0 if self._clean else 1

    async def _keep(self, slot: int, child: Child, stopping: asyncio.Event) -> None:
        failures = 0
        while not stopping.is_set():
            process = await asyncio.create_subprocess_exec(
                *child.command, env=dict(child.env), stdin=asyncio.subprocess.DEVNULL,
                preexec_fn=dies_with_this_process(), process_group=0,
            )
            self._running[slot] = process
            log.info("%s %d started", child.name, process.pid)
            started = time.monotonic()
            exited = asyncio.ensure_future(process.wait())
            stop = asyncio.ensure_future(stopping.wait())
            await asyncio.wait({exited, stop}, return_when=asyncio.FIRST_COMPLETED)
            stop.cancel()
            if stopping.is_set():
                await self._stop(child, process)
                return
            status = exited.result()
            if time.monotonic() - started >= self._stable_after:
                failures = 0
            failures += 1
            delay = restart_delay(failures, self._delays)
            log.warning("%s %d exited (%s); starting another in %.0f s",
                        child.name, process.pid, describe(status), delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), delay)

    async def _stop(self, child: Child, process: asyncio.subprocess.Process) -> None:
        if process.returncode is not None:  # it had exited on its own before the stop reached it
            log.warning("%s %d exited (%s) as the stop began",
                        child.name, process.pid, describe(process.returncode))
            return
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), self._stop_timeout)
        except TimeoutError:
            log.error("%s %d did not stop within %.0f s; killing it",
                      child.name, process.pid, self._stop_timeout)
            process.kill()
            await process.wait()
        status = process.returncode
        assert status is not None
        if status == 0:
            log.info("%s %d stopped", child.name, process.pid)
        elif status == -signal.SIGTERM:
            # It was still starting: the command handles SIGTERM once it runs, and has nothing
            # to finish before that.
            log.info("%s %d stopped while starting", child.name, process.pid)
        else:
            self._clean = False
            log.error("%s %d stopped with %s", child.name, process.pid, describe(status))

    async def _kill_now(self, process: asyncio.subprocess.Process) -> None:
        """Only when `run` itself is cancelled or fails: no child outlives it."""
        if process.returncode is None:
            self._clean = False
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()


def supervise(children: Sequence[Child], *, stop_timeout: float) -> int:
    """Run the children until SIGTERM or SIGINT; the exit status for the parent."""

    async def main() -> int:
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()

        def stop(received: signal.Signals) -> None:
            if not stopping.is_set():
                log.info("%s: stopping %d processes", received.name, len(children))
            stopping.set()

        for received in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(received, stop, received)
        return await Supervisor(children, stop_timeout=stop_timeout).run(stopping)

    return asyncio.run(main())
