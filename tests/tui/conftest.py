"""Fixtures of the dashboard tests; the data and the fake refresher live in tui_data.py."""

from __future__ import annotations

import pytest
from tui_data import FakeRefresher


@pytest.fixture(autouse=True)
def _utc(utc_local_time: None) -> None:
    """Local times in detail views are deterministic: the dashboard's tests run in UTC."""


@pytest.fixture
def fake() -> FakeRefresher:
    return FakeRefresher()
