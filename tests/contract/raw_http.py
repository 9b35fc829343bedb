"""Speaking HTTP/1.1 over a bare socket, for what a client library will not do: stop halfway, declare a
500 MB body and send none of it, read an answer while a request is unfinished."""

from __future__ import annotations

import socket

import httpx

from okrt_tui.sandbox.keys import ACME_ADMIN_KEY
from okrt_tui.sandbox.server import SandboxServer


def connect(server: SandboxServer, timeout: float = 5.0) -> socket.socket:
    port = int(server.root_url.rsplit(":", 1)[1])
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def read_answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One whole answer from ``sock``: its status, headers (lower-cased names) and body."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"the connection closed before a whole answer: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status, *lines = head.decode().split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    while len(body) < int(headers["content-length"]):
        chunk = sock.recv(65536)
        assert chunk, "the connection closed in the middle of an answer"
        body += chunk
    return int(status.split()[1]), headers, body


def kpi_update_head(kpi: str, key: str, length: int) -> bytes:
    return (
        f"POST /api/v1/kpis/{kpi}/updates HTTP/1.1\r\nHost: sandbox\r\nAuthorization: Bearer {key}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    ).encode()


def first_kpi(http: httpx.Client, server: SandboxServer) -> str:
    """The id of Acme's most recently updated KPI."""
    headers = {"Authorization": f"Bearer {ACME_ADMIN_KEY}"}
    return http.get(f"{server.base_url}/kpis", headers=headers).json()[0]["id"]
