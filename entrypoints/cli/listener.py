"""The API's listening socket, bound before anything else starts.

Binding first means a port that is taken is one clear line and a non-zero exit before any
server (embedded PostgreSQL, the worker) has started, and "listening" is only logged once it is
true.

With `--processes N` every API process listens on a socket of its own bound to the same port
with SO_REUSEPORT, and the kernel spreads new connections over them. The supervising parent
holds one more such socket, bound but not listening: it checks that the port is free before any
process starts and keeps it for the service while a process is being replaced (a socket that
does not listen is given no connections).
"""

import errno
import socket
import sys


class CannotListen(Exception):
    """The address cannot be listened on; the message is the line to show."""


def bind(host: str, port: int, *, shared: bool = False) -> socket.socket:
    """A listening socket on host:port; `shared`: with SO_REUSEPORT, for one of the processes
    of `--processes N`."""
    family, address = _address(host, port)
    try:
        return socket.create_server(address, family=family, backlog=1024, reuse_port=shared)
    except OSError as e:
        raise _cannot_listen(e, host, port) from None


def reserve(host: str, port: int) -> socket.socket:
    """A socket bound to host:port with SO_REUSEPORT that does not listen: the port stays the
    service's while its processes come and go, and they can each bind it too."""
    if not sys.platform.startswith("linux"):
        raise CannotListen("several API processes on one port need Linux (SO_REUSEPORT)")
    family, address = _address(host, port)
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)  # as create_server
        sock.bind(address)
    except OSError as e:
        sock.close()
        raise _cannot_listen(e, host, port) from None
    return sock


def _address(host: str, port: int) -> tuple[socket.AddressFamily, tuple[str, int]]:
    try:
        family, _, _, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as e:
        raise CannotListen(f"cannot listen on {host}: {e.strerror}") from None
    return family, address  # type: ignore[return-value]


def _cannot_listen(e: OSError, host: str, port: int) -> CannotListen:
    if e.errno == errno.EADDRINUSE:
        return CannotListen(f"port {port} is in use on {host}")
    if e.errno == errno.EACCES:
        return CannotListen(f"not allowed to listen on port {port} of {host}")
    return CannotListen(f"cannot listen on {host}:{port}: {e.strerror}")
