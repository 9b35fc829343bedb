"""The sandbox's listening socket, bound and listening before uvicorn starts.

Port 0 then gives a free port that is known at once, and a URL announced as soon as it is known can be
connected to at once: the connection waits in the backlog until uvicorn accepts it (without the
``listen`` here, a client quick off the mark was refused). Kept apart from the server so that
``okrt-tui demo`` binds without importing uvicorn (and ``monitor --serve`` binds its own server the
same way).
"""

from __future__ import annotations

import ipaddress
import socket


def bind(host: str, port: int) -> socket.socket:
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets that say so, and without it
    # Nagle's algorithm and delayed ACKs add 40 ms to every keep-alive request.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)  # uvicorn listens again with its own backlog
    except OSError:
        sock.close()
        raise
    return sock


def url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach ``host`` (anything else earns its server a warning)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
