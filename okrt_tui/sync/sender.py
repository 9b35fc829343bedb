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

import logging
from collections.abc import Callable, Sequence

from okrt_tui.api.client import OkrtClient
from okrt_tui.api.clock import SYSTEM_CLOCK, Clock
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
from okrt_tui.api.models import Kpi, Okr
from okrt_tui.store.outbox import (
    CONFIRM_SLACK,
    DELIVERED,
    FAILED,
    QUEUED,
    UNCONFIRMED,
    Entry,
    Outbox,
    OutboxUnavailable,
)
from okrt_tui.sync.snapshot import Outcome
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
