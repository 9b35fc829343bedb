"""Fixtures for every test: isolated user directories, and the real sandbox on a free loopback port.

- Every test runs with ``XDG_CONFIG_HOME``, ``XDG_DATA_HOME``, ``XDG_STATE_HOME`` and ``XDG_CACHE_HOME``
  in its own temporary directory and without ``OKRT_API_KEY``, ``OKRT_BASE_URL`` or ``OKRT_PROFILE``,
  so no test reads or writes the real user's files or keys; ``TMPDIR`` too (the rate ledger's
  fallback lives there), so no two tests share one.
- ``sandbox``: a running ``SandboxServer(control=True)`` (default mode, extension fields on, no
  simulation), fresh for each test; use ``sandbox.base_url`` and ``sandbox.control``.
- ``strict_sandbox``: the same with ``strict=True``.
- The OS keyring is never touched: every test runs with keyring's fail backend (as on a headless
  machine), unless it takes ``test_keyring``: a ``keyring_backend.FileKeyring`` in a file of its own,
  for this process and (through ``PYTHON_KEYRING_BACKEND``) for the subprocesses it starts.

The keys are ``okrt_tui.sandbox.seed``'s constants (``ACME_ADMIN_KEY``, ``ACME_READ_KEY``,
``ACME_KPI_KEY``, ``ACME_NONE_KEY``, ``ACME_REVOKED_KEY``, ``GLOBEX_ADMIN_KEY``).
"""

from __future__ import annotations

import compileall
import os
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
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
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
def test_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The keyring is a JSON file (its path is yielded), here and in subprocesses."""
    import keyring
    from keyring.backends.fail import Keyring as Fail
    from keyring_backend import FileKeyring

    path = tmp_path / "keyring.json"
    tests = str(Path(__file__).parent)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [tests, os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring_backend.FileKeyring")
    monkeypatch.setenv("OKRT_TEST_KEYRING", str(path))
    keyring.set_keyring(FileKeyring(path))
    yield path
    keyring.set_keyring(Fail())


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(control=True) as server:
        yield server


@pytest.fixture
def strict_sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(strict=True, control=True) as server:
        yield server


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked ``slow`` (each waits half a minute or so on real time) spread evenly over the
    first half of the run, one every few dozen tests. xdist hands tests out in consecutive chunks
    (``--maxschedchunk`` keeps them small), so bunched together they all went to one worker, which was
    still on them two minutes after the others had finished; at the end, one of them would hold the run."""
    slow = [item for item in items if item.get_closest_marker("slow")]
    rest = [item for item in items if not item.get_closest_marker("slow")]
    gap = len(rest) // (2 * len(slow)) if slow else 0
    ordered: list[pytest.Item] = []
    for index, item in enumerate(slow):
        ordered.append(item)
        ordered.extend(rest[index * gap : (index + 1) * gap])
    ordered.extend(rest[len(slow) * gap :])
    items[:] = ordered


def pytest_configure(config: pytest.Config) -> None:
    """The package compiled once, before the workers start (xdist's workers carry ``workerinput``):
    with ``PYTHONDONTWRITEBYTECODE`` set, as on CI, each worker and each of the hundreds of
    ``okrt-tui`` processes the tests start would otherwise compile it from source again (~0.2 s each)."""
    if not hasattr(config, "workerinput"):
        compileall.compile_dir(Path(__file__).resolve().parents[1] / "okrt_tui", quiet=1)
