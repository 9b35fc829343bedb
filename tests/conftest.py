"""Fixtures for every test: isolated user directories, and the real sandbox on a free loopback port.

- Every test runs with ``XDG_CONFIG_HOME``, ``XDG_DATA_HOME``, ``XDG_STATE_HOME`` and ``XDG_CACHE_HOME``
  in its own temporary directory and without ``OKRT_API_KEY``, ``OKRT_BASE_URL`` or ``OKRT_PROFILE``,
  so no test reads or writes the real user's files or keys; ``TMPDIR`` too (the rate ledger's
  fallback lives there), so no two tests share one.
- ``sandbox``: a running ``SandboxServer(control=True)`` (default mode, extension fields on, no
  simulation), fresh for each test; use ``sandbox.base_url`` and ``sandbox.control``.
- ``strict_sandbox``: the same with ``strict=True``.

The keys are ``okrt_tui.sandbox.seed``'s constants (``ACME_ADMIN_KEY``, ``ACME_READ_KEY``,
``ACME_KPI_KEY``, ``ACME_NONE_KEY``, ``ACME_REVOKED_KEY``, ``GLOBEX_ADMIN_KEY``).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from okrt_tui.sandbox.server import SandboxServer


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        directory = tmp_path / "xdg" / name.removeprefix("XDG_").removesuffix("_HOME").lower()
        directory.mkdir(parents=True)
        monkeypatch.setenv(name, str(directory))
    for name in ("OKRT_API_KEY", "OKRT_BASE_URL", "OKRT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    temporary = tmp_path / "xdg" / "tmp"
    temporary.mkdir()
    monkeypatch.setenv("TMPDIR", str(temporary))
    monkeypatch.setattr(tempfile, "tempdir", None)  # gettempdir() reads TMPDIR again


@pytest.fixture
def utc_local_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local times (shown by the dashboard, the charts' axes) are UTC while a test runs."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(control=True) as server:
        yield server


@pytest.fixture
def strict_sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(strict=True, control=True) as server:
        yield server
