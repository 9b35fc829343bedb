"""The dashboard's process keeps the collector off while it starts, and on for the rest of its life."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from okrt_tui import heap


@pytest.fixture(autouse=True)
def _collector_restored() -> Iterator[None]:
    yield
    gc.unfreeze()  # this test process must get back what a test froze
    gc.enable()


def test_the_collector_is_off_while_starting_and_on_once_the_first_objectives_are_shown() -> None:
    with heap.starting_up():
        assert not gc.isenabled()
        heap.freeze_first_workspace()
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0
    assert gc.isenabled()


def test_the_collector_is_on_again_when_the_dashboard_ends_before_showing_anything() -> None:
    with pytest.raises(KeyboardInterrupt), heap.starting_up():
        raise KeyboardInterrupt
    assert gc.isenabled()
