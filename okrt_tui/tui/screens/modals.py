"""Small dialogs: paste a review id, choose an export format, pick the cycle shown."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static

from okrt_tui.tui.resources import stylesheet
from okrt_tui.tui.widgets.text_box import TextBox

ResultT = TypeVar("ResultT")


class Dialog(ModalScreen[ResultT], Generic[ResultT]):
    """A modal that closes once: keys typed ahead (enter, then escape) can reach a dialog that is
    already closing, and Textual's ``dismiss`` pops whatever screen is on top, so a second one took
    the screen beneath with it (or stopped the app when none was left)."""

    def close(self, result: ResultT | None = None) -> None:
        if self.is_active:
            self.dismiss(result)


class ConfirmModal(Dialog[bool]):
    """``y`` / ``n``: a yes-or-no question before something cannot be undone."""

    CSS_PATH = str(stylesheet("dialogs.tcss"))
    HOLDS_KEYS = True  # the screen keys (1-4) do not switch screens under it
    BINDINGS = [  # noqa: RUF012
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No", id="okrt.back"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.question), classes="dialog-title", markup=False)
            yield Static("y yes · n no", classes="dialog-keys")

    def action_answer(self, answer: bool) -> None:
        self.close(answer)


class OpenReviewModal(Dialog[str | None]):
    """Dismisses with the pasted id (trimmed), or ``None`` on escape."""

    CSS_PATH = str(stylesheet("dialogs.tcss"))

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="okrt.back")]  # noqa: RUF012

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Open a shared review", classes="dialog-title")
            yield Static(
                "Paste the review's id from the web app. Drafts can't be opened (the API answers 404).",
                classes="dialog-help",
            )
            yield TextBox(placeholder="review id", id="review-id")
            yield Static("enter opens · escape cancels", classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if value:
            self.close(value)
        else:
            self.notify("Paste an id first, or press escape.", severity="warning")

    def action_cancel(self) -> None:
        self.close(None)


class ExportModal(Dialog[str | None]):
    """Dismisses with ``"md"`` or ``"json"``, or ``None`` on escape."""

    CSS_PATH = str(stylesheet("dialogs.tcss"))

    BINDINGS = [  # noqa: RUF012
        Binding("m", "choose('md')", "Markdown"),
        Binding("j", "choose('json')", "JSON"),
        Binding("escape", "cancel", "Cancel", id="okrt.back"),
    ]

    def __init__(self, directory: str) -> None:
        super().__init__()
        self.directory = directory

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Export the review", classes="dialog-title")
            yield Static(f"Into {self.directory}", classes="dialog-help", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Markdown (m)", id="md", variant="primary")
                yield Button("JSON (j)", id="json")
            yield Static("m Markdown · j JSON · escape cancels", classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#md", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.close(event.button.id)

    def action_choose(self, kind: str) -> None:
        self.close(kind)

    def action_cancel(self) -> None:
        self.close(None)


class ChoiceModal(Dialog[tuple[object] | None]):
    """Pick one of a few labelled choices (the cycle shown): dismisses with ``(choice,)``, or ``None``
    on escape (a choice may itself be ``None``, so it comes wrapped)."""

    CSS_PATH = str(stylesheet("dialogs.tcss"))

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="okrt.back")]  # noqa: RUF012

    def __init__(self, title: str, choices: Sequence[tuple[object, str]], selected: int = 0) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)
        self.selected = selected

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            options = OptionList(*(Text(label) for _, label in self.choices), id="choices")
            options.highlighted = self.selected
            yield options
            yield Static("enter shows · escape cancels", classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.close((self.choices[event.option_index][0],))

    def action_cancel(self) -> None:
        self.close(None)
