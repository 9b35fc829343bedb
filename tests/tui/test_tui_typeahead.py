"""Keys that arrive together (type-ahead, a paste, a slow moment) act in the order they were typed.

The tmux test ``test_letters_typed_right_after_the_slash_go_into_the_filter`` once ended with an empty
filter on a loaded machine: ``C-u`` and ``Alice`` reached the app together, the letters went into the box
and the ctrl+u, run only after it had bubbled up to the app, then deleted them with the rest.
"""

from __future__ import annotations

from textual import events
from tui_data import FakeRefresher, frozen_clock

from okrt_tui.tui.app import OkrtApp


def arrive_together(app: OkrtApp, *keys: str) -> None:
    """Every key queued at once, as a terminal hands over a burst: none waits for the one before."""
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


async def settle(pilot) -> None:
    for _ in range(5):
        await pilot.pause()


async def test_letters_typed_right_after_ctrl_u_stay_in_the_filter():
    app = OkrtApp(FakeRefresher(), clock=frozen_clock)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("slash", *"quit sorting")
        box = app.screen.filter_input
        assert box.value == "quit sorting"
        arrive_together(app, "ctrl+u", *"Alice")
        await settle(pilot)
        assert box.value == "Alice"


async def test_backspaces_and_letters_typed_together_edit_in_order():
    app = OkrtApp(FakeRefresher(), clock=frozen_clock)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("slash")
        arrive_together(app, *"bob", "backspace", "backspace", *"ill", "ctrl+w", *"ali")
        await settle(pilot)
        assert app.screen.filter_input.value == "ali"
