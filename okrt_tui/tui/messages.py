"""What screens tell the app (intents) and what the app tells screens (new data).

Screens never call the API: they post one of these and the app decides, fetching through the
refresher in a worker when a fetch is needed.
"""

from __future__ import annotations

from textual.message import Message

from okrt_tui.sync.snapshot import Snapshot


class SnapshotChanged(Message):
    """The refresher has a new picture of the workspace."""

    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


class OpenObjective(Message):
    def __init__(self, okr_id: str) -> None:
        super().__init__()
        self.okr_id = okr_id


class OpenKpi(Message):
    def __init__(self, kpi_id: str) -> None:
        super().__init__()
        self.kpi_id = kpi_id


class OpenCycle(Message):
    def __init__(self, cycle_id: str) -> None:
        super().__init__()
        self.cycle_id = cycle_id


class OpenReview(Message):
    """Fetch a shared review by id and show it (the id may be pasted, so it is untrusted)."""

    def __init__(self, review_id: str) -> None:
        super().__init__()
        self.review_id = review_id
