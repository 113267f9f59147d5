"""The API's listening socket, bound before anything else starts.

Binding first means a port that is taken is one clear line and a non-zero exit before any
server (embedded PostgreSQL, the worker) has started, and "listening" is only logged once it is
true.
"""

import errno
import socket


class CannotListen(Exception):
    """The address cannot be listened on; the message is the line to show."""


def bind(host: str, port: int) -> socket.socket:
    try:
        family, _, _, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as e:
        raise CannotListen(f"cannot listen on {host}: {e.strerror}") from None
    try:
        return socket.create_server(address, family=family, backlog=1024)
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            raise CannotListen(f"port {port} is in use on {host}") from None
        if e.errno == errno.EACCES:
            raise CannotListen(f"not allowed to listen on port {port} of {host}") from None
        raise CannotListen(f"cannot listen on {host}:{port}: {e.strerror}") from None
