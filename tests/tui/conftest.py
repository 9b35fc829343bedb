"""Fixtures of the dashboard tests; the data and the fake refresher live in tui_data.py."""

from __future__ import annotations

import time

import pytest
from tui_data import FakeRefresher


@pytest.fixture(autouse=True)
def _utc_local_time(monkeypatch):
    """Local times in detail views are deterministic: the tests run in UTC."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def fake() -> FakeRefresher:
    return FakeRefresher()
