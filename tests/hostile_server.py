"""A tiny HTTP server on loopback that answers whatever a test tells it, for the bodies the sandbox
cannot send (``"[" * 100000``, a number with 400 digits): one thread, one socket, no framework."""

from __future__ import annotations

import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType


class HostileServer:
    """``answers`` maps an API path (``/kpis``) to ``(status, body)``; unknown paths get ``[]``.

    A test may change ``answers`` while the server runs; ``hits`` counts the requests per path.
    """

    def __init__(self, answers: dict[str, tuple[int, bytes]]) -> None:
        self.answers = dict(answers)
        self.hits: Counter[str] = Counter()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.removeprefix("/api/v1")
                owner.hits[path] += 1
                status, body = owner.answers.get(path, (200, b"[]"))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: the test says what matters."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/v1"

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
