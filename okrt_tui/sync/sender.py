"""Delivers the outbox: one write at a time, in order, through the client and its budget.

A write is claimed (``Outbox.claim``), marked ``sending`` by the client's ``on_send`` hook right
before it goes on the wire, and then settled by what came back:

- the server's record: **delivered**;
- nothing reached the server, or the server said nothing was recorded (a refused connection, a 429,
  a 500: "safe to retry"): **queued** again, and the flush stops there (the rest waits its turn);
- sent, and no answer (a dropped connection, a read timeout, a 5xx other than 500 that a proxy may
  have sent after the API recorded it): **unconfirmed**, never sent again by itself;
- refused (a 4xx other than 429, or a value that cannot be sent): **failed**, with the server's reason.

Writes always go at interactive priority: a person is waiting for each, and background polling must
never hold one back. ``confirm_from_lists`` settles unconfirmed writes from fresh lists: a KPI whose
value and ``last_updated`` show the write landed, a key result (when the API gives key results) whose
value and last check-in do.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence

import msgspec

from okrt_tui.api.client import OkrtClient
from okrt_tui.api.clock import SYSTEM_CLOCK, Clock
from okrt_tui.api.decode import decode_checkin, decode_kpi_update
from okrt_tui.api.errors import (
    ApiDataError,
    ApiError,
    InvalidInput,
    NetworkError,
    OkrtError,
    RateLimited,
    ServerError,
    WriteUnconfirmed,
)
from okrt_tui.api.models import KeyResult, Kpi, Okr
from okrt_tui.store.outbox import (
    CONFIRM_SLACK,
    DELIVERED,
    FAILED,
    QUEUED,
    UNCONFIRMED,
    Entry,
    KeyResultIds,
    Outbox,
    OutboxUnavailable,
)
from okrt_tui.sync.refresher import Refresher
from okrt_tui.sync.snapshot import OutboxView, Outcome
from okrt_tui.views.times import parse_timestamp

log = logging.getLogger(__name__)


class Sender:
    def __init__(self, client: OkrtClient, outbox: Outbox, *, clock: Clock = SYSTEM_CLOCK) -> None:
        self._client = client
        self.outbox = outbox
        self._clock = clock

    async def flush(
        self,
        *,
        wait: bool = True,
        up_to: int | None = None,
        on_outcome: Callable[[Outcome], object] | None = None,
    ) -> list[Outcome]:
        """Sends queued writes in order until none is left or one cannot go now (it stays queued, and
        so do those after it). ``up_to``: only writes queued up to that id."""
        outcomes: list[Outcome] = []
        while (entry := self.outbox.claim(self._clock.now(), up_to=up_to)) is not None:
            outcome = await self.deliver(entry, wait=wait)
            outcomes.append(outcome)
            if on_outcome is not None:
                on_outcome(outcome)
            if outcome.state == QUEUED:
                break
        return outcomes

    async def deliver(self, entry: Entry, *, wait: bool = True) -> Outcome:
        """Sends one claimed write and settles it in the outbox."""
        went_out = False

        def sending(now_sending: bool) -> None:
            nonlocal went_out
            went_out = now_sending
            if now_sending:
                self.outbox.mark_sending(entry.id, self._clock.now())
            else:
                self.outbox.mark_unsent(entry.id, self._clock.now())

        try:
            if entry.kind == "kpi_update":
                update = await self._client.create_kpi_update(
                    entry.target_id, entry.number, comment=entry.comment, wait=wait, on_send=sending
                )
                record = update.raw
            else:
                checkin = await self._client.create_checkin(
                    entry.target_id,
                    entry.number,
                    status=entry.status,
                    comment=entry.comment,
                    wait=wait,
                    on_send=sending,
                )
                record = checkin.raw
        except OutboxUnavailable:
            raise  # the outbox's own file failed: nothing more can be recorded about this write
        except OkrtError as exc:
            return self._settle(entry, *_after(exc, went_out), error=exc)
        except BaseException:
            # Interrupted (Ctrl-C, the app closing): a write that never left goes back in the queue; one
            # that may have left stays "sending", and becomes unconfirmed once this process is gone.
            if not went_out:
                self.outbox.finish(entry.id, QUEUED, self._clock.now())
            raise
        return self._settle(entry, DELIVERED, _recorded(entry), record=record)

    def _settle(
        self,
        entry: Entry,
        state: str,
        message: str,
        *,
        error: OkrtError | None = None,
        record: bytes | None = None,
    ) -> Outcome:
        now = self._clock.now()
        reason = None if state == DELIVERED else message
        self.outbox.finish(entry.id, state, now, reason=reason, result=record)
        log.info("outbox: write %d (%s %s) %s", entry.id, entry.kind, entry.target_id, state)
        settled = self.outbox.get(entry.id) or entry
        return Outcome(settled, state, message, error, record)


def _after(error: OkrtError, went_out: bool) -> tuple[str, str]:
    """The state a write is left in after ``error``, and the sentence that says so."""
    text = str(error)
    if isinstance(error, WriteUnconfirmed):
        return UNCONFIRMED, text
    if isinstance(error, ApiDataError):
        # A 2xx whose record could not be read: the server recorded it.
        return DELIVERED, text
    if isinstance(error, RateLimited):
        return QUEUED, f"{text} It stays queued and is sent once the budget allows."
    if isinstance(error, ServerError):
        if error.status == 500 or not went_out:
            return QUEUED, f"{text} It stays queued and is sent again later."
        return UNCONFIRMED, (
            f"{text} The server may have recorded it before failing: it is kept as unconfirmed."
        )
    if isinstance(error, NetworkError):
        if error.sent:
            return UNCONFIRMED, text
        return QUEUED, f"{text} It stays queued and is sent once the server can be reached."
    if isinstance(error, ApiError | InvalidInput):
        return FAILED, text
    return (UNCONFIRMED if went_out else QUEUED), text


def _recorded(entry: Entry) -> str:
    what = "check-in" if entry.kind == "checkin" else "KPI update"
    return f"The {what} of {entry.target_label or entry.target_id} was recorded."


def confirm_from_lists(
    outbox: Outbox, now: float, *, kpis: Sequence[Kpi] | None = None, okrs: Sequence[Okr] | None = None
) -> list[Entry]:
    """Unconfirmed writes that fresh lists show as recorded are marked delivered; returns them."""
    kpi_by_id = {k.id: k for k in kpis or () if k.id}
    krs = {kr.id: kr for o in okrs or () for kr in o.key_results or () if kr.id}
    confirmed = []
    for entry in outbox.pending():
        if entry.state != UNCONFIRMED or entry.sent_at is None:
            continue
        if entry.kind == "kpi_update" and entry.target_id in kpi_by_id:
            kpi = kpi_by_id[entry.target_id]
            current, when = kpi.current, kpi.last_updated
        elif entry.kind == "checkin" and entry.target_id in krs:
            kr = krs[entry.target_id]
            current, when = kr.current, kr.last_checkin_at
        else:
            continue
        at = parse_timestamp(when)
        if current == entry.number and at is not None and at >= entry.sent_at - CONFIRM_SLACK:
            reason = "Confirmed by the server's data: the value and its time match this write."
            confirmed.append(outbox.confirm(entry.id, now, reason))
    return confirmed


# -- the dashboard's outbox -------------------------------------------------------------------------------


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
                if not any(e.state == QUEUED for e in self.outbox.pending(self._clock.now())):
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
        """A delivered write's row shows the server's answer now; its list refreshes soon."""
        if outcome.state != DELIVERED or outcome.record is None:
            return
        snapshot = self._refresher.snapshot
        if outcome.entry.kind == "kpi_update" and snapshot.kpis.items is not None:
            self._refresher.patch("kpis", with_kpi_update(snapshot.kpis.items, outcome.record))
            self._refresher.refresh_now("kpis")
        elif outcome.entry.kind == "checkin" and snapshot.okrs.items is not None:
            self._refresher.patch("okrs", with_checkin(snapshot.okrs.items, outcome.record))
            self._refresher.refresh_now("okrs")


def with_kpi_update(kpis: tuple[Kpi, ...], record: bytes) -> tuple[Kpi, ...]:
    """The KPI list with the value the server recorded (its ``new_value`` and ``created_at``)."""
    try:
        update = decode_kpi_update(record)
    except ApiDataError:
        return kpis
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
