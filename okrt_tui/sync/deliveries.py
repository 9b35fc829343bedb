"""The dashboard's side of the outbox: writes from the forms, sent at once or later by themselves.

Kept apart from ``sender`` so that the command line's writes load neither the refresher nor its lists.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import msgspec

from okrt_tui.api.clock import SYSTEM_CLOCK, Clock
from okrt_tui.api.decode import decode_checkin, decode_kpi_update
from okrt_tui.api.errors import ApiDataError
from okrt_tui.api.models import KeyResult, Kpi, KpiUpdateResult, Okr
from okrt_tui.store.outbox import CLAIMED, DELIVERED, FAILED, QUEUED, KeyResultIds, OutboxUnavailable
from okrt_tui.sync.refresher import Refresher
from okrt_tui.sync.sender import Sender, confirm_from_lists
from okrt_tui.sync.snapshot import OutboxView, Outcome

log = logging.getLogger(__name__)


class Deliveries:
    """The dashboard's side of the outbox: a write from a form is stored, sent at once when it can be,
    and otherwise sent by itself later (every ``retry`` seconds, and whenever a list was fetched, which
    shows the server is back); unconfirmed writes are settled by the lists the refresher fetches. The
    screens see what is left in ``Snapshot.outbox``; the row of a delivered write shows the server's
    answer at once, and its list is refreshed within the budget."""

    def __init__(
        self,
        sender: Sender,
        refresher: Refresher,
        key_results: KeyResultIds,
        *,
        clock: Clock = SYSTEM_CLOCK,
        retry: float = 30.0,
    ) -> None:
        self.sender = sender
        self.outbox = sender.outbox
        self._refresher = refresher
        self._clock = clock
        self._retry = retry
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()  # one flush at a time in this process (the outbox guards others)
        self._key_results = key_results
        refresher.on_fetched(self._fetched)
        self.publish()

    def publish(self) -> None:
        try:
            entries = tuple(self.outbox.pending(self._clock.now()))
        except OutboxUnavailable as exc:
            log.warning("%s", exc)  # the forms say it when a write is tried; the lists go on
            entries = ()
        self._refresher.publish(outbox=OutboxView(entries))

    async def submit(
        self,
        kind: str,
        target_id: str,
        label: str,
        value: str,
        *,
        status: str | None = None,
        comment: str | None = None,
    ) -> Outcome:
        """Stores the write, then sends what is queued up to it; its outcome (queued when an older
        write could not go first). A write the server refused is not kept: the form shows why."""
        entry = self.outbox.add(
            kind, target_id, value, label=label, status=status, comment=comment, now=self._clock.now()
        )
        async with self._lock:
            outcomes = await self.sender.flush(up_to=entry.id, on_outcome=self._show)
        mine = next((o for o in outcomes if o.entry.id == entry.id), None)
        if mine is None:
            reason = outcomes[-1].message if outcomes else "Older writes are being sent first."
            mine = Outcome(self.outbox.get(entry.id) or entry, QUEUED, reason)
        elif mine.state == FAILED:
            self.outbox.drop(entry.id)
        self.publish()
        return mine

    async def run(self) -> None:
        """Sends queued writes by themselves until cancelled."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._retry)
            self._wake.clear()
            try:
                # A read, not the recovery's write transaction: this runs after every good fetch, and
                # claiming recovers what killed processes left claimed.
                counts = self.outbox.counts()
                if not counts.get(QUEUED) and not counts.get(CLAIMED):
                    continue
                async with self._lock:
                    await self.sender.flush(on_outcome=self._show)
            except OutboxUnavailable as exc:
                log.warning("%s", exc)  # tried again at the next turn
            self.publish()

    def key_result_id(self, okr_id: str) -> str | None:
        return self._key_results.get(okr_id)

    def remember_key_result(self, okr_id: str, kr_id: str) -> None:
        self._key_results.remember(okr_id, kr_id, self._clock.now())

    def resend(self, entry_id: int) -> None:
        self.outbox.resend(entry_id, self._clock.now())
        self.publish()
        self._wake.set()

    def edit(self, entry_id: int, value: str, comment: str | None, status: str | None) -> None:
        """Changes a write that is still queued (``OutboxError`` once it has been claimed)."""
        self.outbox.edit(entry_id, value, comment, status, self._clock.now())
        self.publish()
        self._wake.set()

    def drop(self, entry_id: int) -> None:
        self.outbox.drop(entry_id)
        self.publish()

    def _fetched(self, feed: str, items: tuple[object, ...]) -> None:
        if feed in ("kpis", "okrs"):
            lists = {"kpis": items} if feed == "kpis" else {"okrs": items}
            if confirm_from_lists(self.outbox, self._clock.now(), **lists):  # type: ignore[arg-type]
                self.publish()
        self._wake.set()  # the server answers again: send what waits

    def _show(self, outcome: Outcome) -> None:
        """A delivered write's row shows the server's answer now (a KPI's series and the local history
        keep it, marked as posted by this app); its list refreshes soon."""
        if outcome.state != DELIVERED or outcome.record is None:
            return
        snapshot = self._refresher.snapshot
        if outcome.entry.kind == "kpi_update":
            try:
                update = decode_kpi_update(outcome.record)
            except ApiDataError:
                return
            self._refresher.record_kpi_update(update)
            if snapshot.kpis.items is not None:
                self._refresher.patch("kpis", with_kpi_update(snapshot.kpis.items, update))
                self._refresher.refresh_now("kpis")
        elif outcome.entry.kind == "checkin" and snapshot.okrs.items is not None:
            self._refresher.patch("okrs", with_checkin(snapshot.okrs.items, outcome.record))
            self._refresher.refresh_now("okrs")


def with_kpi_update(kpis: tuple[Kpi, ...], update: KpiUpdateResult) -> tuple[Kpi, ...]:
    """The KPI list with the value the server recorded (its ``new_value`` and ``created_at``)."""
    return tuple(
        msgspec.structs.replace(k, current=update.new_value, last_updated=update.created_at)
        if k.id == update.kpi_id
        else k
        for k in kpis
    )


def with_checkin(okrs: tuple[Okr, ...], record: bytes) -> tuple[Okr, ...]:
    """The objectives with a key result's check-in applied (when the API gives key results)."""
    try:
        checkin = decode_checkin(record)
    except ApiDataError:
        return okrs

    def key_results(okr: Okr) -> tuple[KeyResult, ...] | None:
        if okr.key_results is None:
            return None
        return tuple(
            msgspec.structs.replace(
                kr, current=checkin.value, status=checkin.status, last_checkin_at=checkin.created_at
            )
            if kr.id == checkin.kr_id
            else kr
            for kr in okr.key_results
        )

    return tuple(
        msgspec.structs.replace(o, key_results=key_results(o))
        if any(kr.id == checkin.kr_id for kr in o.key_results or ())
        else o
        for o in okrs
    )
