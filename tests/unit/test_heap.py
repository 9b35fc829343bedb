"""The dashboard's process keeps the collector off while it starts, and on for the rest of its life."""

from __future__ import annotations

import gc
import json
import weakref
from collections.abc import Iterator

import pytest
from processes import start_script

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


# The dashboard as ``okrt-tui`` runs it (headless, on the sandbox), in a fresh interpreter: whether the
# collector runs when the session opens, when the first objectives are shown, and after.
DASHBOARD = """
import gc, json, sys
from pathlib import Path
from okrt_tui import heap, session
from okrt_tui.launch import run_dashboard
from okrt_tui.paths import Dirs
from okrt_tui.sandbox.keys import ACME_ADMIN_KEY

seen = {}
opened = session.Session.open
def open_session(*args, **kwargs):
    seen["opening"] = gc.isenabled()
    return opened(*args, **kwargs)
session.Session.open = open_session
settled = heap.freeze_first_workspace
def freeze():
    seen["first shown"] = gc.isenabled()
    settled()
    seen["after"] = gc.isenabled()
    raise SystemExit
heap.freeze_first_workspace = freeze
try:
    run_dashboard(sys.argv[1], ACME_ADMIN_KEY, dirs=Dirs.for_root(Path(sys.argv[2])), headless=True)
except SystemExit:
    pass
print(json.dumps(seen))
"""


@pytest.mark.slow
def test_the_dashboard_starts_with_the_collector_off_and_runs_it_once_the_objectives_are_shown(
    sandbox, tmp_path
) -> None:
    process = start_script(DASHBOARD, sandbox.base_url, str(tmp_path))
    out, err = process.communicate(timeout=60)
    assert json.loads(out.strip().splitlines()[-1]) == {
        "opening": False,
        "first shown": False,
        "after": True,
    }, err


def test_the_forms_are_frozen_with_a_collection_first() -> None:
    class Cycle:
        def __init__(self) -> None:
            self.me = self

    garbage = weakref.ref(Cycle())  # in a cycle: collected, not frozen for the process's life
    frozen = gc.get_freeze_count()
    heap.freeze_forms()
    assert gc.get_freeze_count() > frozen
    assert garbage() is None
