"""A request that has not arrived in full within the server's deadline (``request_timeout``, 10 s by
default, a fraction of a second here) loses its connection: half-sent requests cannot pile up (1,100
of them were still open after 23 s). The server's own time to answer is not counted.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from raw_http import connect, first_kpi, kpi_update_head, read_answer

from okrt_tui.sandbox.keys import ACME_ADMIN_KEY
from okrt_tui.sandbox.server import SandboxServer

HEADERS = {"Authorization": f"Bearer {ACME_ADMIN_KEY}"}
DEADLINE = 0.4  # the test sandboxes' request_timeout


@pytest.fixture
def quick() -> Iterator[SandboxServer]:
    """A sandbox whose requests must arrive within ``DEADLINE`` seconds."""
    with SandboxServer(control=True, request_timeout=DEADLINE) as server:
        yield server


def closed_within(sock: socket.socket, seconds: float) -> float:
    """How long until the server closed ``sock`` without a byte of answer; fails after ``seconds``."""
    start = time.monotonic()
    sock.settimeout(seconds)
    try:
        data = sock.recv(65536)
    except TimeoutError:
        pytest.fail(f"the connection was still open after {seconds} s")
    except ConnectionResetError:
        # Closed with bytes it had not read (a half-sent request): the kernel answers with a reset.
        # Closed all the same, and without a byte of answer.
        data = b""
    assert data == b"", data
    return time.monotonic() - start


@pytest.mark.parametrize(
    "sent",
    [
        b"",
        b"GET /api/v1/ok",
        b"GET /api/v1/okrs HTTP/1.1\r\nHost: sandbox\r\nAuthorization: Bea",
    ],
    ids=["nothing", "half-a-request-line", "half-the-headers"],
)
def test_a_request_that_stops_halfway_loses_its_connection(quick: SandboxServer, sent: bytes) -> None:
    with connect(quick) as sock:
        sock.sendall(sent)
        assert closed_within(sock, DEADLINE + 3) >= DEADLINE - 0.1


def test_a_body_that_stops_halfway_loses_its_connection(http: httpx.Client, quick: SandboxServer) -> None:
    # Made before connecting: the deadline runs from the connection, and a request for the KPI's id
    # made meanwhile (slow on a crowded machine) made the connection look closed too soon.
    half = kpi_update_head(first_kpi(http, quick), ACME_ADMIN_KEY, 100) + b'{"value":'
    with connect(quick) as sock:
        sock.sendall(half)
        assert closed_within(sock, DEADLINE + 3) >= DEADLINE - 0.1
    assert quick.control.writes() == []


def test_the_next_request_on_a_kept_alive_connection_has_the_same_deadline(quick: SandboxServer) -> None:
    request = f"GET /api/v1/okrs HTTP/1.1\r\nHost: sandbox\r\nAuthorization: Bearer {ACME_ADMIN_KEY}\r\n\r\n"
    with connect(quick) as sock:
        sock.sendall(request.encode())
        assert read_answer(sock)[0] == 200
        sock.sendall(request[:20].encode())
        closed_within(sock, DEADLINE + 3)


def test_a_request_sent_slowly_but_within_the_deadline_is_answered(quick: SandboxServer) -> None:
    request = f"GET /api/v1/okrs HTTP/1.1\r\nHost: sandbox\r\nAuthorization: Bearer {ACME_ADMIN_KEY}\r\n\r\n"
    with connect(quick) as sock:
        for piece in (request[:10], request[10:40], request[40:]):
            sock.sendall(piece.encode())
            time.sleep(DEADLINE / 5)
        assert read_answer(sock)[0] == 200


def test_an_answer_that_takes_longer_than_the_deadline_still_arrives(
    http: httpx.Client, quick: SandboxServer
) -> None:
    # The deadline is the client's, for sending its request; the server's own time is not counted.
    quick.control.fault("slow", match="reads", seconds=DEADLINE * 2)
    assert http.get(f"{quick.base_url}/okrs", headers=HEADERS).status_code == 200


def test_hundreds_of_stalled_connections_are_all_closed_and_the_server_still_answers(
    http: httpx.Client, quick: SandboxServer
) -> None:
    socks = [connect(quick) for _ in range(300)]
    try:
        for sock in socks:
            sock.sendall(b"GET /api/v1/okrs HTTP/1.1\r\nHost: sand")
        deadline = time.monotonic() + DEADLINE + 5
        for sock in socks:
            closed_within(sock, max(0.1, deadline - time.monotonic()))
    finally:
        for sock in socks:
            sock.close()
    assert http.get(f"{quick.base_url}/okrs", headers=HEADERS).status_code == 200
