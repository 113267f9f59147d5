"""Redis client options under which a worker can always be cancelled.

redis-py's asyncio connection sends every command through `asyncio.wait_for` when
`socket_timeout` is set (its default is 5 s). Before Python 3.12 `wait_for` can swallow a
cancellation that arrives as the inner call completes, so a worker blocked on Redis may ignore
SIGTERM for good. With `socket_timeout=None` sends go straight to the stream writer and reads are
bounded by `XREADGROUP BLOCK` instead; a dead peer is detected by TCP keepalive rather than by a
read timeout.
"""

import socket
from typing import Any


def cancellable_connection_options() -> dict[str, Any]:
    keepalive: dict[int, int] = {}
    for name, value in (("TCP_KEEPIDLE", 10), ("TCP_KEEPINTVL", 5), ("TCP_KEEPCNT", 3)):
        option = getattr(socket, name, None)
        if option is not None:
            keepalive[option] = value
    return {
        "socket_timeout": None,
        "socket_connect_timeout": 5.0,
        "socket_keepalive": True,
        "socket_keepalive_options": keepalive,
        "health_check_interval": 30,
        "retry_on_timeout": False,
    }
