"""The command line's writes: find the target, store the write in the outbox, deliver, say what happened.

``checkin`` and ``kpi-update`` (one write, or a CSV of many) and ``outbox`` share this. Nothing here
imports Textual. A target may be named by id or by name: an exact id, then an exact name (any case),
then a unique part of a name; the lists come from the local cache when it is fresh, else from the API,
else (offline) from the cache however old. A write is on disk before anything is sent, so an
interrupted command loses nothing: ``okrt-tui outbox flush`` sends what is left, once.
"""

from __future__ import annotations

import io
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

import msgspec

from okrt_tui.api.client import Fetched, OkrtClient
from okrt_tui.api.decode import check_id, decode_kpi_update, decode_kpis, decode_okrs
from okrt_tui.api.errors import ApiDataError, InvalidInput, OkrtError
from okrt_tui.api.models import OKR_STATUSES, Kpi, Okr
from okrt_tui.store.cache import Cache, decoded
from okrt_tui.store.db import Database
from okrt_tui.store.history import History, post_of
from okrt_tui.store.outbox import DELIVERED, FAILED, QUEUED, UNCONFIRMED, Entry, Outbox
from okrt_tui.sync.sender import Sender, confirm_from_lists
from okrt_tui.sync.snapshot import Outcome
from okrt_tui.views.names import choose
from okrt_tui.views.text import one_line
from okrt_tui.views.values import BadValue, parse_value

T = TypeVar("T")

FRESH = 300.0
"""A cached list younger than this (seconds) is used to find targets by name without a request."""


class Target(msgspec.Struct, frozen=True):
    id: str
    label: str
    current: float | int | None = None


class WriteError(InvalidInput):
    """The write cannot be made as asked (a bad value, a CSV that cannot be used; an unknown or ambiguous
    name is ``okrt_tui.views.names.UnknownName``); nothing was queued."""


# -- finding the target ----------------------------------------------------------------------------------


def _choose(arg: str, named: Sequence[tuple[str, str, Any]], what: str) -> Target:
    """``named``: (id, name, current) of every candidate."""
    ident, name, current = choose(arg, named, what)
    return Target(ident, name or ident, current)


def find_kpi(arg: str, kpis: Sequence[Kpi] | None) -> Target:
    if kpis is None:  # no list to look in (offline, nothing cached): the argument must be the id
        return Target(check_id(arg), arg)
    return _choose(arg, [(k.id, one_line(k.name), k.current) for k in kpis if k.id], "KPI")


def find_key_result(arg: str, okrs: Sequence[Okr] | None) -> Target:
    """Key results come only with the API's extension field: without it the argument is the id."""
    named = [
        (kr.id, one_line(kr.title), kr.current) for o in okrs or () for kr in o.key_results or () if kr.id
    ]
    if not named:
        return Target(check_id(arg), arg)
    return _choose(arg, named, "key result")


# -- one workspace's write path ----------------------------------------------------------------------------


class Writer:
    """The client, the outbox, the cache and the local history of one workspace, for one command."""

    def __init__(self, client: OkrtClient, database: Database, *, wait: bool = True) -> None:
        self.client = client
        self.outbox = Outbox(database)
        self.sender = Sender(client, self.outbox)
        self._cache = Cache(database)
        # A delivered KPI update goes in the KPI's history, marked as posted by this app (the
        # dashboard's chart marks it), as the dashboard's own writes do.
        self.history = History(database)
        self._wait = wait

    def close(self) -> None:
        """Stores what the history was given (a few milliseconds)."""
        self.history.close()

    async def kpis(self, *, fresh: bool = False) -> tuple[Kpi, ...] | None:
        return await self._list("kpis", self.client.list_kpis, decode_kpis, fresh)

    async def okrs(self, *, fresh: bool = False) -> tuple[Okr, ...] | None:
        return await self._list("okrs", self.client.list_okrs, decode_okrs, fresh)

    async def _list(
        self,
        feed: str,
        fetch: Callable[..., Awaitable[Fetched[T]]],
        decode: Callable[[bytes], T],
        fresh: bool,
    ) -> T | None:
        cached = self._cache.load(feed)
        if cached is not None and not fresh and time.time() - cached.fetched_at < FRESH:
            items = decoded(cached, decode)
            if items is not None:
                return items
        try:
            fetched = await fetch(wait=self._wait)
        except OkrtError:
            return decoded(cached, decode)  # offline: the cached list, however old
        self._cache.save(feed, fetched.raw, fetched.received_at)
        return fetched.data

    def queue(self, kind: str, rows: Iterable[tuple[Target, str, str | None, str | None]]) -> list[Entry]:
        """Stores the writes (target, JSON value, status, comment), all or none."""
        return self.outbox.add_many(
            [(kind, t.id, value, t.label, status, comment) for t, value, status, comment in rows],
            now=time.time(),
        )

    async def deliver(
        self, up_to: int, on_outcome: Callable[[Outcome], object] | None = None
    ) -> list[Outcome]:
        """Sends what is queued, in order, up to the write ``up_to``."""

        def settled(outcome: Outcome) -> None:
            if outcome.state == DELIVERED and outcome.entry.kind == "kpi_update" and outcome.record:
                try:
                    post = post_of(decode_kpi_update(outcome.record), time.time())
                except ApiDataError:
                    post = None
                if post is not None:
                    self.history.record_post(*post)
            if on_outcome is not None:
                on_outcome(outcome)

        return await self.sender.flush(wait=self._wait, up_to=up_to, on_outcome=settled)

    async def confirm_unconfirmed(self) -> list[Entry]:
        """Looks at fresh lists for unconfirmed writes that did land (costs a request per list)."""
        pending = [e for e in self.outbox.pending() if e.state == UNCONFIRMED]
        kinds = {e.kind for e in pending}
        kpis = await self.kpis(fresh=True) if "kpi_update" in kinds else None
        okrs = await self.okrs(fresh=True) if "checkin" in kinds else None
        return confirm_from_lists(self.outbox, time.time(), kpis=kpis, okrs=okrs)


def value_of(text: str, target: Target) -> str:
    """The JSON number to send for ``text`` typed against ``target`` (``+5``: a change from its value)."""
    try:
        return parse_value(text, target.current).text
    except BadValue as exc:
        raise WriteError(f"{exc} Nothing was queued.") from None


def check_status(status: str | None) -> str | None:
    if status is not None and status not in OKR_STATUSES:
        raise WriteError(f"--status must be one of {', '.join(OKR_STATUSES)}, not {status!r}.")
    return status


# -- CSV files ---------------------------------------------------------------------------------------------


class CsvRow(msgspec.Struct, frozen=True):
    line: int
    target: str
    value: str
    comment: str | None
    status: str | None


def read_csv(text: str, *, statuses: bool) -> tuple[list[CsvRow], list[str]]:
    """Rows of a CSV with a header: ``id`` or ``name``, ``value``, ``comment``, and (check-ins) ``status``,
    and the problems of its rows, each naming its line and column (``resolve_rows`` adds the rest and
    refuses the file if there are any). A header that cannot be used is refused at once."""
    import csv  # only ``--from`` reads a CSV: one write from the arguments does not load it

    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [(h or "").strip().casefold() for h in reader.fieldnames or []]
    reader.fieldnames = header
    allowed = {"id", "name", "value", "comment"} | ({"status"} if statuses else set())
    problems = []
    if not header:
        raise WriteError("The CSV file is empty: its first line must name the columns (id or name, value).")
    unknown = [h for h in header if h not in allowed]
    if unknown:
        problems.append(
            f"line 1: unknown column {', '.join(map(repr, unknown))} (known: {', '.join(sorted(allowed))})"
        )
    if "value" not in header or not ({"id", "name"} & set(header)):
        problems.append("line 1: the columns must include value, and id or name")
    if problems:
        raise WriteError("The CSV file cannot be used: " + "; ".join(problems) + ". Nothing was queued.")
    rows = []
    for record in reader:
        line = reader.line_num
        if None in record:
            problems.append(f"line {line}: more cells than columns")
            continue
        target = (record.get("id") or record.get("name") or "").strip()
        if not target:
            problems.append(f"line {line}, column {'id' if 'id' in header else 'name'}: empty")
        value = (record.get("value") or "").strip()
        status = (record.get("status") or "").strip() or None
        if status is not None and status not in OKR_STATUSES:
            problems.append(f"line {line}, column status: {status!r} is not one of {', '.join(OKR_STATUSES)}")
        rows.append(CsvRow(line, target, value, (record.get("comment") or None), status))
    if not rows and not problems:
        raise WriteError("The CSV file has a header but no rows: nothing to send.")
    return rows, problems


def _problems(problems: list[str]) -> str:
    shown = problems[:20]
    more = f"; and {len(problems) - 20} more" if len(problems) > 20 else ""
    return f"The CSV file has {len(problems)} problem(s): {'; '.join(shown)}{more}. Nothing was queued."


def resolve_rows(
    rows: Sequence[CsvRow], problems: list[str], find: Callable[[str], Target]
) -> list[tuple[Target, str, str | None, str | None]]:
    """Every row's target and value, or one WriteError naming every bad line of the file (``problems``
    are those ``read_csv`` found): nothing is queued unless the whole file is right."""
    resolved = []
    problems = list(problems)
    for row in rows:
        if not row.target:
            continue
        try:
            target = find(row.target)
        except InvalidInput as exc:
            problems.append(f"line {row.line}: {str(exc).rstrip('.')}")
            continue
        try:
            value = parse_value(row.value, target.current).text
        except BadValue as exc:
            problems.append(f"line {row.line}, column value: {str(exc).rstrip('.')}")
            continue
        resolved.append((target, value, row.status, row.comment))
    if problems:
        problems.sort(key=lambda text: int(text.split()[1].rstrip(",:")))
        raise WriteError(_problems(problems))
    return resolved


def states(entries: Iterable[Entry]) -> dict[str, int]:
    counts = dict.fromkeys((DELIVERED, QUEUED, UNCONFIRMED, FAILED), 0)
    for entry in entries:
        counts[entry.state] = counts.get(entry.state, 0) + 1
    return counts
