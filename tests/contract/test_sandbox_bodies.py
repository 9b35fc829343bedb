"""A huge body costs the sandbox nothing: one over 1 MB is refused (400 ``bad_request``: the reference's
table has no 413) without being read, by its ``Content-Length`` before a byte of it arrives or,
chunked, as soon as 1 MB has arrived; the answer closes the connection. Before, a 500 MB body was
buffered whole (1 GB at peak) before the size was checked.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from raw_http import connect, first_kpi, kpi_update_head, read_answer

from okrt_tui.sandbox.app import MAX_BODY_BYTES
from okrt_tui.sandbox.keys import ACME_ADMIN_KEY, ACME_READ_KEY, ACME_REVOKED_KEY
from okrt_tui.sandbox.server import SandboxServer

HEADERS = {"Authorization": f"Bearer {ACME_ADMIN_KEY}", "Content-Type": "application/json"}
REPO = Path(__file__).resolve().parents[2]
MB = 2**20


def padded(size: int) -> bytes:
    """A valid KPI update of exactly ``size`` bytes."""
    head, tail = b'{"value": 7, "comment": "', b'"}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


class Offered:
    """A chunked body of ``megabytes`` MB that counts how much of it the client was asked for."""

    def __init__(self, megabytes: int) -> None:
        self.megabytes = megabytes
        self.taken = 0

    def __iter__(self) -> Iterator[bytes]:
        yield b'{"value": 7, "comment": "'
        for _ in range(self.megabytes):
            self.taken += MB
            yield b"x" * MB


def assert_too_large(response: httpx.Response) -> None:
    assert response.status_code == 400
    assert response.json() == {
        "error": "bad_request",
        "message": f"The request body is too large: at most {MAX_BODY_BYTES:,} bytes.",
    }
    assert response.headers["connection"] == "close"


def test_a_body_of_exactly_the_limit_is_taken_and_one_byte_more_is_not(
    http: httpx.Client, sandbox: SandboxServer
) -> None:
    url = f"{sandbox.base_url}/kpis/{first_kpi(http, sandbox)}/updates"
    assert http.post(url, headers=HEADERS, content=padded(MAX_BODY_BYTES)).status_code == 200
    assert_too_large(http.post(url, headers=HEADERS, content=padded(MAX_BODY_BYTES + 1)))
    assert len(sandbox.control.writes()) == 1


def test_a_chunked_body_is_read_no_further_than_the_limit(http: httpx.Client, sandbox: SandboxServer) -> None:
    body = Offered(64)
    with httpx.Client(timeout=30) as client:  # its own connection: the server closes it
        response = client.post(
            f"{sandbox.base_url}/kpis/{first_kpi(http, sandbox)}/updates", headers=HEADERS, content=body
        )
    assert_too_large(response)
    # 1 MB read, plus what the kernel's socket buffers held when the server closed (a few MB).
    assert body.taken < 16 * MB, f"the client was asked for {body.taken / MB:.0f} MB of a 64 MB body"
    assert sandbox.control.writes() == []


def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_sent(
    http: httpx.Client, sandbox: SandboxServer
) -> None:
    with connect(sandbox) as sock:
        sock.sendall(
            kpi_update_head(first_kpi(http, sandbox), ACME_ADMIN_KEY, 500 * MB)
        )  # and not a byte more
        status, headers, body = read_answer(sock)
        assert (status, headers["connection"], json.loads(body)["error"]) == (400, "close", "bad_request")
        assert sock.recv(100) == b""  # the connection is closed


@pytest.mark.parametrize(
    ("key", "target", "expected"),
    [
        (ACME_REVOKED_KEY, "kpi", 401),
        (ACME_READ_KEY, "kpi", 403),  # no kpis:write
        (ACME_ADMIN_KEY, "unknown", 404),
    ],
)
def test_a_body_too_large_is_still_a_400_last_of_all(
    http: httpx.Client, sandbox: SandboxServer, key: str, target: str, expected: int
) -> None:
    kpi = first_kpi(http, sandbox) if target == "kpi" else "00000000-0000-4000-8000-000000000000"
    with connect(sandbox) as sock:
        sock.sendall(kpi_update_head(kpi, key, 500 * MB))
        assert read_answer(sock)[0] == expected


def test_four_huge_bodies_at_once_do_not_grow_the_servers_memory(tmp_path: Path) -> None:
    """The sandbox in its own process (``serve_forever``): its peak resident memory (``VmHWM``) after four
    simultaneous 24 MB uploads, chunked, against before them. Buffered whole, they would add ~100 MB."""
    code = "from okrt_tui.sandbox.server import serve_forever; serve_forever(port=0)"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    )
    try:
        assert process.stdout is not None
        match = re.fullmatch(r"sandbox: (\S+)\n", process.stdout.readline())
        assert match
        base = match[1]

        def peak_kb() -> int:
            status = Path(f"/proc/{process.pid}/status").read_text()
            found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
            assert found
            return int(found[1])

        with httpx.Client(timeout=30) as client:
            url = f"{base}/kpis/{client.get(f'{base}/kpis', headers=HEADERS).json()[0]['id']}/updates"
            assert client.post(url, headers=HEADERS, content=padded(MAX_BODY_BYTES)).status_code == 200
        before = peak_kb()
        answers: list[int] = []

        def upload() -> None:
            with httpx.Client(timeout=30) as client:
                answers.append(client.post(url, headers=HEADERS, content=Offered(24)).status_code)

        threads = [threading.Thread(target=upload) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        grown = peak_kb() - before
    finally:
        process.terminate()
        process.wait(10)
    assert answers == [400] * 4
    assert grown < 16 * 1024, f"the server's peak memory grew by {grown / 1024:.0f} MB"
