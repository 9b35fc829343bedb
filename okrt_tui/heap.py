"""Keeping the garbage collector out of the dashboard's way: off while it starts, short passes after.

Start-up makes ~150k objects (the imported modules, then the first workspace's records, rows, cells and
drawn lines) and nearly all of them live as long as the process, so the collections they trigger on the
way find nothing to free: ~30 ms of the imports' CPU alone here. The collector is off from the start
of ``launch.run_dashboard`` until the first objectives are shown (``starting_up``).

After that, a full collection walks every object the collector tracks, and CPython starts one whenever
enough objects have piled up, so it lands in whatever callback is running: a keystroke, a refresh. So
what lives as long as the process is frozen (``gc.freeze``) out of its sight, and a full pass walks only
what came after. Frozen objects are still freed by reference counting when dropped (a refresh replaces
records and rows, none of them in a reference cycle); only garbage in cycles would never be collected,
hence a collection before the second freeze. Only the dashboard's process does this: a test process runs
many apps and must get each one back.

Every command's process (``okrt_tui.__main__.run``, the ``okrt-tui`` script) does the same in short: the
collector is off while the CLI's modules load, and what they made is frozen before the command runs;
and once the command is over, everything is frozen again, so that the interpreter's last collections,
as it exits, walk nothing. Those collections over a one-shot command's ~30k objects cost ~70 ms of a
~480 ms ``kpi-update`` here, and the ones during its imports ~30 ms more; they free nothing that the
process's end would not.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def starting_up() -> Iterator[None]:
    """The collector is off inside, until ``freeze_first_workspace`` (or the end, whichever is first).
    (The demo forks its sandbox before: a process forked inside would have to turn it back on.)"""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@contextmanager
def one_command() -> Iterator[None]:
    """Around a whole command's process, the imports of the CLI included (see above)."""
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()


def command_loaded() -> None:
    """Once the CLI's modules are imported, before the command runs (it may run for hours)."""
    gc.freeze()
    gc.enable()


def freeze_imports() -> None:
    """Once the dashboard's code is imported (measured: a full collection ~37 ms shorter)."""
    gc.freeze()


def freeze_forms() -> None:
    """Once the write forms are built, while idle (``OkrtApp``'s ``forms_built``): their widgets
    and what Textual made since the first workspace (~20k objects) live on too, and a full collection
    that walked them took ~8 ms of whatever keystroke it fell in, the one that opens a form among them;
    after this, well under 1 ms. One collection first, as above."""
    gc.collect()
    gc.freeze()


def freeze_first_workspace() -> None:
    """Once the first objectives are on screen: one collection (~10-15 ms for 500, after the first
    paint), then every later full collection skips them; the collector runs again from here, its full
    passes left for quiet moments (``collect_if_due``)."""
    gc.collect()
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_AT_LATEST)
    gc.enable()


FULL_EVERY = 10
"""A full collection once the middle generation has been collected this many times: CPython's default."""
FULL_AT_LATEST = 100
"""CPython's own full collection, once the app has found no quiet moment for ten times as long."""


def collect_if_due(*, quiet: bool) -> bool:
    """A full collection, when one is due and nobody is typing (``quiet``). What Textual keeps after the
    forms are frozen (drawn lines and their caches, ~15k objects after thirty forms opened) makes a full
    pass ~6 ms here; CPython starts one in whatever callback is running, and landing in the key that
    opens a form it took that key past 16 ms. The apps call this every second."""
    if quiet and gc.isenabled() and gc.get_count()[2] >= FULL_EVERY:
        gc.collect()
        return True
    return False


_held = False


def hold() -> None:
    """No collection until ``release``: around the paint of a form as it opens (the whole terminal
    repainted, ~9 ms at 160x48) and of a table whose rows in view all changed (a filter's keystroke),
    where a younger generation's collection (2-5 ms) falling in took the key past 16 ms. Nothing if
    the collector is off already (the dashboard's start)."""
    global _held
    if gc.isenabled():
        gc.disable()
        _held = True


def release() -> None:
    """After the paint, in a callback of its own: the collection that was due runs now."""
    global _held
    if _held:
        _held = False
        gc.enable()
        gc.collect(1)


def hold_through(after_paint: Callable[[Callable[[], None]], object]) -> None:
    """``hold`` now and ``release`` once the next paint is done (``after_paint``: a widget's
    ``call_after_refresh``), around a paint known to be long."""
    hold()
    after_paint(release)
