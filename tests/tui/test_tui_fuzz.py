"""No key sequence stops the dashboard: batches of random keys, sent with no pause between them.

Keys typed ahead (over SSH, or a held key) reach the app faster than it lays screens out: ``ctrl+p``
and ``PageUp`` together stopped it once (a page move through the palette's list before it had a
height). Each batch starts from a screen, a dialog or the palette, then goes to the driver's queue
all at once, as a terminal would deliver it; afterwards the app must still run and still answer.
"""

from __future__ import annotations

import asyncio
import random
import string

import pytest
from textual.screen import ModalScreen
from textual.widgets import Input
from tui_data import FakeRefresher, frozen_clock, screen_text, send_at_once, wait_for

from okrt_tui.config import UiSettings
from okrt_tui.store.outbox import Entry
from okrt_tui.sync.snapshot import Outcome
from okrt_tui.tui.app import OkrtApp
from okrt_tui.tui.forms.write_form import WriteForm
from okrt_tui.tui.screens.kpis import KpisScreen
from okrt_tui.tui.screens.modals import ConfirmModal
from okrt_tui.tui.screens.okrs import OkrsScreen

# Every key the dashboard, its dialogs and the palette react to, and typing. ``q`` and ``ctrl+q``
# are left out: quitting is what they are for.
NAMED = [
    "up",
    "down",
    "left",
    "right",
    "home",
    "end",
    "pageup",
    "pagedown",
    "tab",
    "shift+tab",
    "escape",
    "enter",
    "backspace",
    "space",
    "ctrl+p",
    "f1",
    "question_mark",
    "slash",
    "ctrl+u",
    "ctrl+s",
    "ctrl+n",
]
TYPED = [c for c in string.ascii_letters + string.digits + "-:\"'. " if c not in "qQ"]

# Where a batch starts: every screen, the details, the dialogs and the palette.
STARTS = (
    (),
    ("2",),
    ("3",),
    ("enter",),
    ("2", "enter"),
    ("3", "enter"),
    ("3", "o"),
    ("question_mark",),
    ("ctrl+p",),
    ("slash",),
)


def batch(seed: int, size: int = 24) -> list[str]:
    rng = random.Random(seed)
    keys = list(STARTS[seed % len(STARTS)])
    for _ in range(size):
        keys.append(rng.choice(NAMED) if rng.random() < 0.5 else rng.choice(TYPED))
    return keys


async def back_to_a_list(pilot) -> None:
    """Escape out of whatever the batch left open (palette, dialog, detail, filter)."""
    app = pilot.app
    for _ in range(10):
        await pilot.pause()
        at_a_list = len(app.screen_stack) == 1 and not isinstance(app.screen, ModalScreen)
        if at_a_list and not isinstance(app.focused, Input):
            return
        await pilot.press("escape")
    raise AssertionError(f"escape does not lead back to a list\n{screen_text(app)}")


async def test_ctrl_p_and_a_page_key_at_once_open_the_palette():
    # As ``tmux send-keys C-p PageUp`` sends them: this stopped the app with a KeyError.
    app = OkrtApp(FakeRefresher(), clock=frozen_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        send_at_once(app, ["ctrl+p", "pageup", "pagedown"])
        await pilot.pause()
        assert app.is_running and app._exception is None
        assert app.screen.has_class("--textual-command-palette")
        await pilot.press(*"Show KPIs", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, KpisScreen), message="the KPIs")


@pytest.mark.slow
async def test_random_keys_sent_at_once_never_stop_the_app(tmp_path):
    app = OkrtApp(FakeRefresher(), settings=UiSettings(export_dir=tmp_path), clock=frozen_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        for seed in range(20):
            keys = batch(seed)
            send_at_once(app, keys)
            await pilot.pause()
            assert app.is_running and app._exception is None, f"seed {seed}: {keys}"
            await back_to_a_list(pilot)
            await pilot.press("2")
            assert isinstance(app.screen, KpisScreen), f"seed {seed}: {keys}\n{screen_text(app)}"
            await pilot.press("1")
            assert isinstance(app.screen, OkrsScreen), f"seed {seed}: {keys}\n{screen_text(app)}"


class FakeDeliveries:
    """The outbox's dashboard side, answering every write as recorded at once (the keys are the test)."""

    def __init__(self) -> None:
        self.submitted: list[tuple[str, str, str]] = []

    async def submit(self, kind, target_id, label, value, *, status=None, comment=None) -> Outcome:
        self.submitted.append((kind, target_id, value))
        entry = Entry(
            len(self.submitted),
            kind,
            target_id,
            label,
            value,
            status,
            comment,
            "delivered",
            0.0,
            0.0,
            1,
            0.0,
            None,
            None,
        )
        return Outcome(entry, "delivered", "recorded", record=None)

    async def run(self) -> None:
        await asyncio.Event().wait()

    def key_result_id(self, okr_id: str) -> str | None:
        return None

    def remember_key_result(self, okr_id: str, kr_id: str) -> None: ...

    def resend(self, entry_id: int) -> None: ...

    def drop(self, entry_id: int) -> None: ...

    def edit(self, entry_id: int, value: str, comment: str | None, status: str | None) -> None: ...


# Where a batch of the write keys starts: each form, the round, the outbox screen.
WRITE_STARTS = (("2", "u"), ("c",), ("enter", "c"), ("C",), ("4",), ("2", "enter", "u"))


@pytest.mark.slow
async def test_random_keys_sent_at_once_never_stop_the_forms_or_the_round():
    app = OkrtApp(FakeRefresher(), clock=frozen_clock, deliveries=FakeDeliveries())  # type: ignore[arg-type]
    reached = 0
    async with app.run_test(size=(80, 24)) as pilot:
        for seed in range(12):
            rng = random.Random(seed)
            keys = list(WRITE_STARTS[seed % len(WRITE_STARTS)])
            keys += [rng.choice(NAMED) if rng.random() < 0.5 else rng.choice(TYPED) for _ in range(24)]
            send_at_once(app, keys)
            await pilot.pause()
            assert app.is_running and app._exception is None, f"seed {seed}: {keys}"
            reached += any(isinstance(screen, WriteForm | ConfirmModal) for screen in app.screen_stack)
            for _ in range(20):  # out of the forms: escape, and yes to throwing away what was typed
                await pilot.pause()
                if len(app.screen_stack) == 1 and not isinstance(app.screen, ModalScreen):
                    break
                await pilot.press("y" if isinstance(app.screen, ConfirmModal) else "escape")
            await back_to_a_list(pilot)
            await pilot.press("2")
            assert isinstance(app.screen, KpisScreen), f"seed {seed}: {keys}\n{screen_text(app)}"
            await pilot.press("1")
            assert isinstance(app.screen, OkrsScreen), f"seed {seed}: {keys}\n{screen_text(app)}"
        # A batch that escapes out of its form is fine; one that never opened it would test nothing.
        assert reached >= 3, "the batches did not reach the forms: the test would prove nothing"
