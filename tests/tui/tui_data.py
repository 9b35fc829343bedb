"""Fixed data and a fake refresher for the dashboard's pilot and snapshot tests.

The fake serves Snapshots built here from fixed records, so states (loading, data, empty, error,
stale) can be shown on demand and snapshots are deterministic with the frozen clock. The tests that
exercise the real path run against the sandbox through the real Session (test_tui_sandbox.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

from msgspec.structs import replace
from textual import events

from okrt_tui.api.budget_status import BudgetStatus
from okrt_tui.api.errors import NotFound, OkrtError
from okrt_tui.api.models import Answer, KeyResult, Kpi, Okr, ReviewCycle, ReviewRef, ReviewSummary
from okrt_tui.sync.snapshot import Feed, KpiPoint, Snapshot


def epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(UTC).timestamp()


NOW = epoch("2026-05-06T12:00:00Z")


def frozen_clock() -> float:
    return NOW


def _kr(n: int, title: str, current, target, unit, progress, status, checkin_days_ago):
    last = None if checkin_days_ago is None else datetime.fromtimestamp(NOW - checkin_days_ago * 86400, UTC)
    return KeyResult(
        id=f"kr-{n}",
        title=title,
        start=0,
        current=current,
        target=target,
        unit=unit,
        progress=progress,
        status=status,
        last_checkin_at=None if last is None else last.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


OKRS = (
    Okr(
        id="okr-1",
        title="Improve onboarding conversion",
        type="org",
        owner="Alice Nguyen",
        progress=0.65,
        status="on_track",
        health_score=82,
        cycle="Q2 2026",
        updated_at="2026-05-05T09:00:00Z",
        key_results=(
            _kr(1, "Raise trial-to-paid conversion", 14.5, 20, "%", 0.725, "on_track", 2),
            _kr(2, "Cut onboarding time", 12, 8, "min", 0.5, "at_risk", 16),
            _kr(3, "Ship guided setup", 1, 1, "launch", 1.0, "on_track", 30),
        ),
    ),
    Okr(
        id="okr-2",
        title="Reduce churn in SMB segment",
        type="team",
        owner="Bruno Costa",
        progress=0.31,
        status="at_risk",
        health_score=58,
        cycle="Q2 2026",
        key_results=(_kr(4, "Monthly churn below 2%", 2.8, 2, "%", 0.3, "at_risk", 5),),
    ),
    Okr(
        id="okr-3",
        title="Launch the partner API",
        type="team",
        owner="Chen Wei",
        progress=0.12,
        status="off_track",
        health_score=34,
        cycle="Q2 2026",
        key_results=(),
    ),
    Okr(
        id="okr-4",
        title="Hire five senior engineers",
        type="individual",
        owner="Dana Okafor",
        progress=0.8,
        status="on_track",
        health_score=91,
        cycle="Q1 2026",
        key_results=(_kr(5, "Offers accepted", 4, 5, "hires", 0.8, "on_track", 1),),
    ),
    Okr(
        id="okr-5",
        title="Make support answers faster",
        type="team",
        owner="Eve Martin",
        progress=0.47,
        status="at_risk",
        health_score=63,
        cycle="Q1 2026",
        key_results=None,
    ),
    Okr(
        id="okr-6",
        title="Expand into the Nordics",
        type="org",
        owner="Farid Haddad",
        progress=0.05,
        status="off_track",
        health_score=12,
        cycle="Q3 2026",
    ),
)

KPIS = (
    Kpi(
        id="kpi-1",
        name="Weekly Active Users",
        current=3721,
        target=4500,
        unit="users",
        status="at_risk",
        last_updated="2026-05-06T09:00:00Z",
        direction="increase",
    ),
    Kpi(
        id="kpi-2",
        name="Support first response time",
        current=42,
        target=30,
        unit="min",
        status="off_track",
        last_updated="2026-05-04T12:00:00Z",
        direction="decrease",
    ),
    Kpi(
        id="kpi-3",
        name="Net revenue retention",
        current=104.5,
        target=110,
        unit="%",
        status="on_track",
        last_updated="2026-05-06T11:59:40Z",
        direction="increase",
    ),
    Kpi(
        id="kpi-4",
        name="Monthly recurring revenue",
        current=1_240_000,
        target=1_500_000,
        unit="USD",
        status="at_risk",
        last_updated="2026-04-20T12:00:00Z",
    ),
)

KPI_SEEN = {
    "kpi-1": tuple(
        KpiPoint(at=NOW - days * 86400, value=value)
        for days, value in ((40, 3100), (25, 3300), (12, 3500), (5, 3632), (1, 3721), (0, 3721))
    ),
    "kpi-2": (KpiPoint(NOW - 3 * 86400, 38.0), KpiPoint(NOW - 86400, 42.0)),
    "kpi-3": (KpiPoint(NOW - 60, 104.5),),
}

# okr-1 climbing, okr-2 slipping (its health down 16 since a week ago), okr-3 seen once.
OKR_PROGRESS_SEEN = {
    "okr-1": tuple(KpiPoint(NOW - d * 86400, v) for d, v in ((20, 0.4), (10, 0.5), (6, 0.58), (1, 0.65))),
    "okr-2": tuple(KpiPoint(NOW - d * 86400, v) for d, v in ((9, 0.36), (4, 0.33), (2, 0.31))),
    "okr-3": (KpiPoint(NOW - 86400, 0.12),),
}
OKR_HEALTH_SEEN = {
    "okr-1": (KpiPoint(NOW - 9 * 86400, 78.0), KpiPoint(NOW - 86400, 82.0)),
    "okr-2": (KpiPoint(NOW - 9 * 86400, 74.0), KpiPoint(NOW - 2 * 86400, 58.0)),
}

REVIEW_REFS = (
    ReviewRef(id="rev-1", employee="Sarah Chen", type="self", shared_at="2026-05-01T10:00:00Z"),
    ReviewRef(id="rev-2", employee="Tom Berg", type="manager", shared_at="2026-05-03T15:30:00Z"),
)

CYCLES = (
    ReviewCycle(
        id="rc-1",
        name="Q2 2026 Mid-Year Review",
        status="active",
        due_date="2026-05-20",
        reviewee_count=2,
        reviews=REVIEW_REFS,
    ),
    ReviewCycle(
        id="rc-2", name="Q1 2026 Check-in", status="active", due_date="2026-05-03", reviewee_count=14
    ),
    ReviewCycle(
        id="rc-3",
        name="2025 Annual Review",
        status="closed",
        due_date="2026-01-31",
        reviewee_count=40,
        reviews=(),
    ),
)

SUMMARY = ReviewSummary(
    review_id="rev-1",
    employee="Sarah Chen",
    cycle="Q2 2026 Mid-Year Review",
    type="self",
    status="shared",
    answers=(
        Answer(question="What went well this cycle?", answer="Shipped the onboarding redesign on time."),
        Answer(
            question="What are your growth areas?",
            answer="Delegation and prioritisation.\nI want to hand over the release train by Q3.",
        ),
    ),
    shared_at="2026-05-01T10:00:00Z",
)

HOSTILE_TITLE = "[bold red]pwned[/] [link=https://evil.example]click[/link] \x1b[2J\x1b]0;title\x07 ok"


def data_snapshot(**changes) -> Snapshot:
    base = Snapshot(
        workspace="Acme",
        okrs=Feed(items=OKRS, fetched_at=NOW - 12),
        kpis=Feed(items=KPIS, fetched_at=NOW - 12),
        cycles=Feed(items=CYCLES, fetched_at=NOW - 12),
        budget=BudgetStatus(used=7, limit=60, reset_in=43.0),
        kpi_seen=KPI_SEEN,
        okr_progress_seen=OKR_PROGRESS_SEEN,
        okr_health_seen=OKR_HEALTH_SEEN,
        remembered_reviews=(REVIEW_REFS[0],),
        taken_at=NOW,
    )
    return replace(base, **changes)


LOADING = Snapshot(
    workspace="Acme",
    okrs=Feed(loading=True),
    kpis=Feed(loading=True),
    cycles=Feed(loading=True),
    taken_at=NOW,
)


class FakeRefresher:
    """The Refresher's interface, serving fixed Snapshots; records what the app asked of it."""

    def __init__(
        self, snapshot: Snapshot | None = None, reviews: dict[str, ReviewSummary] | None = None
    ) -> None:
        self._snapshot = snapshot or data_snapshot()
        self.callbacks: list[Callable[[Snapshot], None]] = []
        self.refreshes: list[str | None] = []
        self.visible: list[str] = []
        self.fetched: list[str] = []
        self.reviews = {"rev-1": SUMMARY} if reviews is None else reviews
        self.review_error: OkrtError | None = None
        self.running = False

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    def subscribe(self, callback: Callable[[Snapshot], None]) -> None:
        self.callbacks.append(callback)

    def publish(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot
        for callback in self.callbacks:
            callback(snapshot)

    async def run(self) -> None:
        self.running = True
        try:
            await asyncio.Event().wait()
        finally:
            self.running = False

    def refresh_now(self, feed: str | None = None) -> None:
        self.refreshes.append(feed)

    def set_visible(self, feed: str) -> None:
        self.visible.append(feed)

    async def load_series(self, kind: str, entity: str, since: float | None = None) -> tuple[KpiPoint, ...]:
        return ()  # no local history: the screens draw what the snapshot holds

    async def fetch_review(self, review_id: str) -> ReviewSummary:
        self.fetched.append(review_id)
        if self.review_error is not None:
            raise self.review_error
        try:
            return self.reviews[review_id]
        except KeyError:
            raise NotFound(
                f"Review {review_id} does not exist or is not shared.", endpoint="/reviews/x/summary"
            ) from None


def screen_text(app) -> str:
    """What the terminal shows now, as plain text lines (modals included)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip).rstrip() for strip in strips)


async def wait_for(pilot, predicate, timeout: float = 5.0, message: str = "condition") -> None:
    """Let the app run until ``predicate()`` is true (no fixed sleeps)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {message}\n{screen_text(pilot.app)}")
        await pilot.pause(0.02)


async def choose_in_palette(pilot, query: str) -> None:
    """Types ``query`` into the command palette and presses enter once its first match shows it."""
    await pilot.press("ctrl+p", *query)
    await wait_for(pilot, lambda: query in screen_text(pilot.app), message=f"the palette to offer {query!r}")
    await pilot.press("enter")


async def show_all_cycles(pilot) -> None:
    """``v``, then "All cycles": the OKRs screen opens on the current cycle (Q2 2026 at ``NOW``)."""
    await pilot.press("v")
    await wait_for(pilot, lambda: "All cycles (" in screen_text(pilot.app), message="the cycle picker")
    await pilot.press("home", "down", "enter")  # the current cycle comes first, then all
    await wait_for(pilot, lambda: "All cycles:" in screen_text(pilot.app), message="every cycle shown")


def table_keys(app, selector: str = "#table") -> list[str]:
    return app.screen.query_one(selector).row_keys()


def key_event(key: str) -> events.Key:
    characters = {"slash": "/", "question_mark": "?", "space": " ", "tab": "\t", "enter": "\r"}
    if len(key) == 1:
        name = {" ": "space", "-": "minus", ":": "colon", '"': "quotation_mark", "'": "apostrophe"}
        name |= {".": "full_stop"}
        return events.Key(name.get(key, key), key)
    return events.Key(key, characters.get(key))


def send_at_once(app, keys: list[str]) -> None:
    """Queue every key before the app handles the first, as a terminal delivers typed-ahead keys."""
    for key in keys:
        event = key_event(key)
        event.set_sender(app)
        app._driver.send_message(event)
