"""Shared by the contract tests: one plain HTTP client per module, for speaking to the sandbox directly,
and one sandbox per module for tests that only count what reaches it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from okrt_tui.sandbox.server import SandboxServer


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with SandboxServer(control=True) as running:
        yield running
