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
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
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
    paint), then every later full collection skips them; the collector runs again from here."""
    gc.collect()
    gc.freeze()
    gc.enable()
