"""The key's safety and the budget under faults, over real sockets: what a listener, the sandbox or a
tiny hostile server on loopback saw, not what the client says it did."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from click.testing import CliRunner

from okrt_tui.api.budget import Budget
from okrt_tui.api.client import OkrtClient
from okrt_tui.api.clock import FakeClock
from okrt_tui.api.errors import InvalidInput, NetworkError, Unauthorized
from okrt_tui.cli import main
from okrt_tui.sandbox.keys import ACME_ADMIN_KEY
from okrt_tui.sandbox.server import SandboxServer


class Listener:
    """A TCP listener in a thread that counts connections and answers each like a plain-http server
    that did not understand the request (a TLS ClientHello is not HTTP)."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        self.sock.bind((host, 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.received = b""
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            with conn:
                conn.settimeout(2)
                try:
                    self.received += conn.recv(65536)
                    conn.sendall(
                        b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    )
                except OSError:
                    pass

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the accept (a close alone does not)
        self.sock.close()
        self._thread.join(timeout=5)


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


def own_address() -> str | None:
    """One of this machine's own non-loopback IPv4 addresses, if it has one."""
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        infos = []
    addresses = {info[4][0] for info in infos}
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing address
            addresses.add(probe.getsockname()[0])
        except OSError:
            pass
    return next((a for a in sorted(addresses) if not a.startswith("127.") and a != "0.0.0.0"), None)


def make_client(base: str, key: str = ACME_ADMIN_KEY, clock: FakeClock | None = None) -> OkrtClient:
    clock = clock or FakeClock(time.time())
    return OkrtClient(base, key, budget=Budget(None, clock=clock), clock=clock)


async def test_plain_http_to_a_host_other_than_this_computer_is_refused_before_connecting() -> None:
    address = own_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address to listen on")
    server = Listener(address)
    try:
        with pytest.raises(InvalidInput, match="https is required"):
            async with make_client(f"http://{address}:{server.port}/api/v1") as api:
                await api.list_kpis()
        time.sleep(0.2)  # a connection attempt would have been accepted by now
        assert server.accepted == 0 and server.received == b""
    finally:
        server.close()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "127.0.0.2"])
def test_plain_http_to_this_computer_is_allowed(host: str) -> None:
    assert make_client(f"http://{host}:8765/api/v1").base_url == f"http://{host}:8765/api/v1"


async def test_https_against_a_plain_http_server_fails_at_once_without_retrying(listener: Listener) -> None:
    clock = FakeClock(time.time())
    started = clock.now()
    async with make_client(f"https://127.0.0.1:{listener.port}/api/v1", clock=clock) as api:
        with pytest.raises(NetworkError) as error:
            await api.list_kpis()
    assert str(error.value).startswith("The server at 127.0.0.1 does not speak https")
    assert "nothing was sent" in str(error.value)
    assert listener.accepted == 1  # one attempt, no retry
    assert clock.now() == started  # and no backoff waited
    assert ACME_ADMIN_KEY.encode() not in listener.received  # the key never left in clear


async def test_a_key_without_the_okrt_prefix_is_refused_before_any_request(sandbox: SandboxServer) -> None:
    seen: list[httpx.Request] = []

    async def note(request: httpx.Request) -> None:
        seen.append(request)

    clock = FakeClock(time.time())
    api = OkrtClient(sandbox.base_url, "abc", budget=Budget(None, clock=clock), clock=clock)
    api._http.event_hooks["request"].append(note)
    async with api:
        with pytest.raises(Unauthorized) as error:
            await api.list_kpis()
    assert "keys start with okrt_" in str(error.value)
    assert error.value.exit_code == 3
    assert seen == []


def test_the_cli_says_https_is_required_with_exit_1() -> None:
    result = CliRunner().invoke(
        main, ["--base-url", "http://192.0.2.55/api/v1", "kpis"], env={"OKRT_API_KEY": ACME_ADMIN_KEY}
    )
    assert result.exit_code == 1
    assert "https is required" in result.stderr and ACME_ADMIN_KEY not in result.stderr


def test_the_cli_refuses_a_key_without_the_prefix_with_exit_3(sandbox: SandboxServer) -> None:
    result = CliRunner().invoke(main, ["--base-url", sandbox.base_url, "kpis"], env={"OKRT_API_KEY": "abc"})
    assert result.exit_code == 3
    assert "keys start with okrt_" in result.stderr
    assert sandbox.control.requests() == []
