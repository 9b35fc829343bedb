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
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()  # this test process must get back what a test froze
    gc.set_threshold(*thresholds)
    gc.enable()


class Cycle:
    def __init__(self) -> None:
        self.me = self


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
    garbage = weakref.ref(Cycle())  # in a cycle: collected, not frozen for the process's life
    frozen = gc.get_freeze_count()
    heap.freeze_forms()
    assert gc.get_freeze_count() > frozen
    assert garbage() is None


# A command as the ``okrt-tui`` script runs it, in a fresh interpreter, the command swapped for one that
# says what it sees (a long one, such as ``outbox flush`` of a CSV's rows, must have the collector on).
COMMAND = """
import gc, json, sys
import okrt_tui.cli
seen = {}
def command(**kwargs):
    seen["running"] = gc.isenabled()
    seen["cli frozen"] = gc.get_freeze_count()
    seen["made"] = [[n] for n in range(100)]  # what a command keeps until the process ends
    raise SystemExit(3)
okrt_tui.cli.main = command
from okrt_tui.__main__ import run
import atexit
atexit.register(lambda: print(json.dumps({**seen, "at exit": gc.get_freeze_count() > seen["cli frozen"]})))
run()
"""


def test_a_command_runs_with_the_collector_on_and_its_modules_and_leftovers_frozen() -> None:
    process = start_script(COMMAND)
    out, err = process.communicate(timeout=60)
    seen = json.loads(out.strip().splitlines()[-1])
    assert process.returncode == 3, err  # the command's exit code is kept
    assert seen["running"] is True
    assert seen["cli frozen"] > 10_000  # the CLI's modules, out of the collector's sight
    assert seen["at exit"] is True  # what the command made too, so the exit's collections walk nothing


def test_a_full_collection_waits_for_a_moment_without_keys() -> None:
    heap.freeze_first_workspace()
    kept = Cycle()
    gc.collect(1)  # it lives through a younger collection, into the oldest generation
    garbage = weakref.ref(kept)
    del kept  # garbage now, in a cycle: only a full collection frees it
    for _ in range(heap.FULL_EVERY):
        gc.collect(0)
        gc.collect(1)  # as CPython's own, each one counts towards the next full collection
    assert gc.get_count()[2] >= heap.FULL_EVERY
    assert heap.collect_if_due(quiet=False) is False  # someone is typing: not now
    assert garbage() is not None
    assert heap.collect_if_due(quiet=True) is True
    assert garbage() is None
    assert heap.collect_if_due(quiet=True) is False  # nothing due after it


def test_a_form_paints_with_no_collection_and_the_one_due_runs_after() -> None:
    heap.hold()
    assert not gc.isenabled()  # the paint of the opening form: nothing collected in the middle of it
    garbage = weakref.ref(Cycle())
    heap.release()
    assert gc.isenabled()
    assert garbage() is None  # the collection that was due, right after the paint


def test_holding_leaves_a_collector_turned_off_by_the_start_off() -> None:
    with heap.starting_up():
        heap.hold()
        heap.release()
        assert not gc.isenabled()  # still starting: the start turns it on, not the form
    assert gc.isenabled()
