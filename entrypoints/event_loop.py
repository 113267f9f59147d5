"""The event loop of the long-running processes: uvloop (libuv) when it is installed, which
serves the same requests with less CPU than asyncio's own loop; `STATS_EVENT_LOOP=asyncio` keeps
the standard one (docs/configuration.md). And their garbage collector's settings
(`tune_garbage_collection`)."""

import asyncio
import gc
import os
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def new_event_loop() -> asyncio.AbstractEventLoop:
    if os.environ.get("STATS_EVENT_LOOP", "uvloop") != "asyncio":
        try:
            import uvloop
        except ImportError:
            pass
        else:
            return uvloop.new_event_loop()
    return asyncio.new_event_loop()


# Collect the youngest generation after this many more container objects than were freed
# (Python's default: 700). A request allocates hundreds that reference counting frees at once;
# with 700 a list read triggered a collection every request or two, and the older generations'
# collections, which walk every long-lived object, every few seconds: 12-13% of the API's time
# on the 228-row reads (gc.callbacks, 5 s of wrk on 1M grades), none of it after this.
GC_YOUNG_THRESHOLD = 10_000


def tune_garbage_collection() -> None:
    """Once a long-running process has built its long-lived objects: move them out of the
    collector's sight (gc.freeze: the collections left walk only what was made since) and
    collect less often. Cycles are still collected; reference counting frees the rest."""
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, oldest)


def run(main: Coroutine[Any, Any, T]) -> T:
    """asyncio.run on `new_event_loop()`."""
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        return runner.run(main)
