"""One shared review: its question/answer pairs, readable and scrollable; export, copy, summarise.

Answers are other people's words: they are shown as literal text (wrapped), never rendered as
Markdown or markup. The summariser is the user's own command from config.toml; nothing runs unless
it is configured.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from okrt_tui.api.models import ReviewSummary
from okrt_tui.sync.snapshot import Snapshot
from okrt_tui.tui.resources import stylesheet
from okrt_tui.tui.screens.base import DataScreen
from okrt_tui.tui.screens.modals import ExportModal
from okrt_tui.tui.widgets.cells import Tones, label_text
from okrt_tui.views.markdown import export_filename, review_json, review_markdown
from okrt_tui.views.status import BAD, INFO, MUTED, review_type_label, status_label
from okrt_tui.views.text import DASH, cell, one_line, safe_text, truncate
from okrt_tui.views.times import local_datetime, relative_time

SUMMARIZE_TIMEOUT = 120.0
OUTPUT_LIMIT = 200_000  # characters of summariser output kept on screen
NOT_CONFIGURED = (
    "To summarise with x, set summarize_command under [review] in config.toml, e.g. "
    "summarize_command = \"llm -s 'Summarise this review'\" (the Markdown goes to its stdin)."
)
IN_THE_DEMO = (
    "The demo reads none of your files, so it has no summariser: config.toml's summarize_command "
    "is used on your own workspace (okrt-tui), and okrt-tui review ID --markdown pipes into any command."
)


def review_header(summary: ReviewSummary, now: float, tones: Tones) -> Text:
    text = Text()
    kind = review_type_label(summary.type)
    text.append(f"{cell(summary.employee)}", style="bold")
    text.append(f"  {kind} review\n", style=tones[MUTED])
    text.append("Cycle ", style=tones[MUTED])
    text.append(cell(summary.cycle))
    text.append("   ")
    text.append_text(label_text(status_label(summary.status), tones))
    if summary.shared_at:
        text.append("   Shared ", style=tones[MUTED])
        text.append(f"{relative_time(summary.shared_at, now)} ({local_datetime(summary.shared_at)})")
    text.append("\nReview id ", style=tones[MUTED])
    text.append(cell(summary.review_id))
    return text


def unique_path(directory: Path, name: str) -> Path:
    """``name`` in ``directory``, or ``name-2``, ``name-3``… so an export never overwrites another."""
    path = directory / name
    stem, suffix = path.stem, path.suffix
    number = 2
    while path.exists():
        path = directory / f"{stem}-{number}{suffix}"
        number += 1
    return path


class ReviewScreen(DataScreen):
    CSS_PATH = str(stylesheet("review.tcss"))
    FEED = "cycles"
    MODE = "reviews"
    NOUN = "review"
    BINDINGS = [  # noqa: RUF012 - Textual's idiom
        Binding("escape", "back", "Back", id="okrt.back"),
        Binding("e", "export", "Export", id="okrt.export"),
        Binding("y", "copy", "Copy", id="okrt.copy"),
        Binding("x", "summarize", "Summarise", id="okrt.summarize"),
        Binding("j", "scroll('down')", "Scroll down", show=False),
        Binding("k", "scroll('up')", "Scroll up", show=False),
        Binding("g,home", "scroll('home')", "Top", show=False),
        Binding("G,end", "scroll('end')", "Bottom", show=False),
    ]

    def __init__(self, summary: ReviewSummary) -> None:
        super().__init__()
        self.summary = summary
        self.markdown = review_markdown(summary)
        self.summarizing = False

    @property
    def HELP_NOTES(self) -> str:  # type: ignore[override]
        if self.okrt.settings.summarize_command:
            return f"x pipes the review's Markdown to: {one_line(self.okrt.settings.summarize_command)}"
        return self.no_summarizer

    @property
    def no_summarizer(self) -> str:
        """Why ``x`` has no command, and how to give it one."""
        return IN_THE_DEMO if self.okrt.settings.demo else NOT_CONFIGURED

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        with VerticalScroll(id="review"):
            yield Static(id="review-head", markup=False)
            yield Static(id="summary-output", markup=False, classes="-hidden")
            if not self.summary.answers:
                yield Static("This review has no answers.", classes="answer", markup=False)
            for number, pair in enumerate(self.summary.answers, start=1):
                question = safe_text(pair.question).strip() or f"Question {number}"
                yield Static(Text(question), classes="question", markup=False)
                yield Static(Text(safe_text(pair.answer).strip("\n") or DASH), classes="answer", markup=False)
        yield from self.compose_bottom()

    def on_mount(self) -> None:
        self.query_one("#review", VerticalScroll).focus()

    def draw(self, snapshot: Snapshot) -> None:
        head = review_header(self.summary, self.now, self.tones)
        if not self.okrt.settings.summarize_command:
            off = (
                "the demo has none"
                if self.okrt.settings.demo
                else "set summarize_command under [review] in config.toml"
            )
            head.append(f"\nx (summarise) is off: {off}.", self.tones[MUTED])
        self.query_one("#review-head", Static).update(head)

    def action_scroll(self, where: str) -> None:
        scroller = self.query_one("#review", VerticalScroll)
        {
            "down": scroller.scroll_down,
            "up": scroller.scroll_up,
            "home": scroller.scroll_home,
            "end": scroller.scroll_end,
        }[where]()

    # -- export and copy ----------------------------------------------------------------------------

    @property
    def export_dir(self) -> Path:
        return self.okrt.settings.export_dir or Path.cwd()

    def action_export(self) -> None:
        self.app.push_screen(ExportModal(str(self.export_dir)), self._export_chosen)

    def _export_chosen(self, kind: str | None) -> None:
        if kind in ("md", "json"):
            self.export(kind)

    def export(self, kind: str) -> Path | None:
        """Write the review as ``md`` or ``json`` into the export directory; returns the path."""
        body = self.markdown if kind == "md" else review_json(self.summary)
        directory = self.export_dir
        try:
            directory.mkdir(parents=True, exist_ok=True)
            path = unique_path(directory, export_filename(self.summary, kind))
            path.write_text(body, encoding="utf-8")
        except OSError as exc:
            self.notify(
                f"Could not write the export into {directory}: {exc.strerror or exc}. "
                "Set [review] export_dir in config.toml to a writable folder.",
                title="Export failed",
                severity="error",
                markup=False,
            )
            return None
        self.notify(f"Saved {path}", title="Exported", markup=False)
        return path

    def action_copy(self) -> None:
        self.copy_markdown(self.markdown, "the review")

    # -- summarise ----------------------------------------------------------------------------------

    def action_summarize(self) -> None:
        command = self.okrt.settings.summarize_command
        if not command:
            # Enabled all the same: a disabled key does nothing visible when pressed.
            self.notify(self.no_summarizer, title="No summariser", severity="warning", markup=False)
            return
        if self.summarizing:
            self.notify("The summariser is still running.", markup=False)
            return
        self._show_output(Text(f"Summarising with: {one_line(command)} …", style=self.tones[INFO]))
        self.summarize(command)

    def _show_output(self, text: Text) -> None:
        output = self.query_one("#summary-output", Static)
        output.remove_class("-hidden")
        output.update(text)

    @work(exclusive=True, group="summarize", exit_on_error=False)
    async def summarize(self, command: str) -> None:
        self.summarizing = True
        try:
            code, out, err = await run_summarizer(command, self.markdown, timeout=SUMMARIZE_TIMEOUT)
        except TimeoutError:
            self._failed(f"The summariser did not finish within {SUMMARIZE_TIMEOUT:.0f} s and was stopped.")
            return
        except OSError as exc:
            self._failed(f"The summariser could not start: {exc.strerror or exc}.")
            return
        finally:
            self.summarizing = False
        if code != 0:
            detail = safe_text(err).strip() or "(no message on stderr)"
            self._failed(f"The summariser exited with code {code}:\n{truncate(detail, 4000)}")
            return
        text = Text()
        text.append("Summary", style="bold")
        text.append(f"  from {one_line(command)}\n", style=self.tones[MUTED])
        text.append(safe_text(out[:OUTPUT_LIMIT]).strip() or "(the summariser printed nothing)")
        self._show_output(text)
        self.query_one("#review", VerticalScroll).scroll_home()

    def _failed(self, message: str) -> None:
        text = Text(message, style=self.tones[BAD])
        self._show_output(text)
        self.notify(message.splitlines()[0], title="Summariser failed", severity="error", markup=False)


async def run_summarizer(command: str, markdown: str, *, timeout: float) -> tuple[int, str, str]:
    """Run ``command`` through the shell with ``markdown`` on stdin; (exit code, stdout, stderr)."""
    process = await asyncio.create_subprocess_shell(
        command,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "NO_COLOR": "1"},
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(markdown.encode("utf-8")), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    return (
        process.returncode if process.returncode is not None else -1,
        out.decode("utf-8", errors="replace"),
        err.decode("utf-8", errors="replace"),
    )
