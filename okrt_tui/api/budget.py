"""The rate budget of one API key: never a 61st request in a server window, whoever sends it.

The server allows 60 requests per key in fixed windows that reset at the start of each UTC minute,
and the budget is shared by everything that uses the key: every coroutine of this process, every other
okrt-tui process (through a small file-locked ledger), and, as far as the server's headers tell, other
clients of the key (a Slack bot, a cron job).

How a request is let through (``Budget.acquire``):

* The ledger keeps the local wall-clock time of every request let through in the last few minutes,
  the estimated skew of the server's clock (``server = local + skew``, learnt from the ``Date`` header)
  and any pause the server imposed with a 429. Times are stored as local times, so a later, better
  skew re-places every earlier request at once, in every process.
* With a known skew, a request at estimated server time ``t`` might land in any server window that
  ``[t - margin, t + margin]`` touches; the margin (2 s) covers the ``Date`` header's one-second
  resolution, the tolerance before the skew is corrected again (1 s) and the trip to the server. A
  request goes only if every window it might land in holds fewer than ``limit`` requests that might be
  in it. If 61 requests ever landed in one server window, the last of them to be let through would have
  seen the other 60 as possibly in that window and waited: so none is ever the 61st, whatever the
  order and whichever process sends it. The price is a request near a boundary counting in both
  windows, and a full window ending ``margin`` seconds late.
* With no known skew (a fresh ledger, before the first answer, or a skew unconfirmed for an hour) the
  rule is a moving window instead: at most ``limit`` requests in any ``60 + margin`` seconds, which no
  fixed window can break whatever the clocks say.
* ``X-RateLimit-Remaining``/``-Reset`` reveal requests that other clients of the key made; they can
  raise a window's count, never lower it below what the ledger holds.
* Background polls (``Priority.POLL``) may only fill ``poll_share`` of each window, counting every
  request in it, so a person's request always finds room; in this process, a waiting interactive
  request overtakes waiting polls.
* After a 429, ``pause`` writes the time the server named; every process waits until then.

A ledger that cannot be parsed (someone edited it, a disk error) is logged and rebuilt as if the
current window were full: the safe guess costs at most a minute, the unsafe one a 429, and a request
that waits for it says why (``on_wait``).

A ledger that cannot be used at all (a directory in its place, a file or lock of another user, mode
000, a state directory that cannot be made) must not break the limit either, so no process falls back
to counting only its own requests. Every process of the user knows a second, fixed place for the
ledger of this base URL and key (``fallback_path``: a private 0700 folder in the system's temporary
directory, made only when a file fails), and once that folder exists every read-decide-write holds
its lock first, so all processes of the key take turns on one lock whatever state the first file is
in. (The first process to fail cannot race one still using the file: a file unusable for one process
of the user is unusable for all, and what each knew is merged.) A process that cannot use the first file
keeps the ledger in the second, bringing along what it last knew of the first; while the second
holds recent requests, every process uses it (merging in the first file, when it can read it), so
the processes never count in two places at once; once it has been idle for ``KEEP`` seconds, they
return to the first. If neither can be used, nothing is sent at all (``LedgerUnavailable``): without
a shared ledger there is no way to know what the other processes send. The user is told once, with
the file and the fix (``watch_problem``).
The ledger never holds the key: its file is named by a hash of the base URL and key, and it holds
only numbers.
"""

from __future__ import annotations

import asyncio
import getpass
import itertools
import json
import logging
import math
import os
import stat
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from email.utils import parsedate_to_datetime
from enum import IntEnum
from pathlib import Path
from typing import Literal, TypeVar

import filelock
import msgspec
from msgspec.structs import replace

from okrt_tui.api.budget_status import BudgetStatus
from okrt_tui.api.clock import SYSTEM_CLOCK, Clock
from okrt_tui.api.errors import LedgerUnavailable, RateLimited

log = logging.getLogger(__name__)

T = TypeVar("T")

WINDOW = 60.0
"""Seconds in one server rate window (the UTC minute)."""
MARGIN = 2.0
"""How far, in seconds, the server may see a request from where the ledger places it."""
SKEW_TOLERANCE = 1.0
"""A new ``Date`` reading replaces the stored skew only when it disagrees by more than this."""
SKEW_TTL = 3600.0
"""A skew not confirmed for this long is treated as unknown (the local clock may have been reset)."""
KEEP = 180.0
"""Sends older than this are pruned from the ledger: they can no longer share a window with a new one."""
MAX_NAP = 10.0
"""A waiting request looks at the ledger again at least this often (another process may change it)."""
LOCK_TIMEOUT = 5.0
STUCK_TIMEOUT = 0.05
"""The wait for a lock found held past ``LOCK_TIMEOUT`` before, until it is had again: the wait blocks the
thread (the dashboard's event loop), 5 s at each request while another program held it."""
LEDGER_VERSION = 1


class Priority(IntEnum):
    """Who is asking: a person (goes first, may use the whole window) or background polling."""

    INTERACTIVE = 0
    POLL = 1


class Wait(msgspec.Struct, frozen=True):
    """A wait about to begin, for whoever should say so (the CLI prints it on stderr at once)."""

    seconds: float
    why: str  # completes "waiting N s ...": "for the next rate window", "because ..."


class _Unusable(Exception):
    """One of the ledger's two places failed (``which``), on ``action``, with ``error``."""

    def __init__(self, which: Literal["primary", "fallback"], action: str, error: OSError | str) -> None:
        super().__init__(which, action)
        self.which, self.action, self.error = which, action, error


class _Ledger(msgspec.Struct):
    """What every process using the key agrees on. Local epoch seconds throughout."""

    sends: list[float] = msgspec.field(default_factory=list)
    skew: float | None = None  # server clock minus local clock; None: not known yet
    skew_at: float = 0.0  # when a Date header last confirmed it
    paused_until: float = 0.0
    #: server window index -> requests other clients of the key made in it (from the server's headers)
    others: dict[int, int] = msgspec.field(default_factory=dict)

    def copy(self) -> _Ledger:
        return replace(self, sends=list(self.sends), others=dict(self.others))

    def merge(self, other: _Ledger) -> None:
        """Adds what ``other`` knows: its sends (one send seen in both counts once), the longer pause,
        the larger counts of other clients, and its skew if this one has none or an older one."""
        mine = Counter(round(t, 4) for t in self.sends)
        theirs = Counter(round(t, 4) for t in other.sends)
        self.sends = sorted((mine | theirs).elements())
        self.paused_until = max(self.paused_until, other.paused_until)
        for w, n in other.others.items():
            self.others[w] = max(n, self.others.get(w, 0))
        if other.skew is not None and (self.skew is None or other.skew_at > self.skew_at):
            self.skew, self.skew_at = other.skew, other.skew_at

    def live(self, now: float) -> bool:
        """Whether it still holds something that matters (a recent send, a pause not over)."""
        return self.paused_until > now or any(s > now - KEEP for s in self.sends)

    def to_json(self) -> bytes:
        body = {
            "version": LEDGER_VERSION,
            "sends": [round(t, 4) for t in self.sends],
            "skew": self.skew,
            "skew_at": self.skew_at,
            "paused_until": self.paused_until,
            "others": {str(w): n for w, n in self.others.items()},
        }
        return json.dumps(body, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> _Ledger:
        """Parses a ledger file; ``ValueError`` when it is not one this version wrote."""
        body = json.loads(raw)
        if not isinstance(body, dict) or body.get("version") != LEDGER_VERSION:
            raise ValueError("not a version-1 ledger")
        sends = [float(t) for t in body["sends"]]
        skew = body.get("skew")
        ledger = cls(
            sends=sends,
            skew=None if skew is None else float(skew),
            skew_at=float(body.get("skew_at", 0.0)),
            paused_until=float(body.get("paused_until", 0.0)),
            others={int(w): int(n) for w, n in dict(body.get("others", {})).items()},
        )
        if not all(math.isfinite(t) for t in [*ledger.sends, ledger.skew_at, ledger.paused_until]):
            raise ValueError("non-finite time in the ledger")
        if ledger.skew is not None and not math.isfinite(ledger.skew):
            raise ValueError("non-finite skew in the ledger")
        return ledger


def _window(t: float) -> int:
    return math.floor(t / WINDOW)


class Budget:
    """The rate budget of one key on one server; see the module's docstring for the rules.

    ``ledger_path`` None keeps the ledger in this process only (tests, one-shot tools); otherwise the
    file (``Dirs.ledger_file(base_url, key)``) is shared, with ``<ledger>.lock`` beside it, and
    ``fallback_path`` (by default ``fallback_ledger(ledger_path)``) is where every process keeps it
    when that file cannot be used. ``on_wait`` is told of each wait of a second or more as it begins.
    """

    def __init__(
        self,
        ledger_path: Path | None,
        *,
        fallback_path: Path | None = None,
        limit: int = 60,
        poll_share: float = 0.5,
        clock: Clock = SYSTEM_CLOCK,
        margin: float = MARGIN,
        on_wait: Callable[[Wait], object] | None = None,
    ) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        if not 0 < poll_share <= 1:
            raise ValueError("poll_share must be more than 0 and at most 1")
        if not 0 <= margin < WINDOW / 2:
            raise ValueError("margin must be between 0 and 30 seconds")
        self.limit = limit
        self.poll_share = poll_share
        self.poll_limit = max(1, math.floor(limit * poll_share))
        self.margin = margin
        self.on_wait = on_wait
        self._clock = clock
        self._path = ledger_path
        self._fallback = (fallback_path or fallback_ledger(ledger_path)) if ledger_path is not None else None
        self._locks: dict[Path, filelock.FileLock] = {}
        self._stuck: set[Path] = set()  # locks that stayed held (``STUCK_TIMEOUT``)
        self._memory = _Ledger()  # the ledger as last seen; the whole ledger when there is no file
        self._active: Path | None = ledger_path  # where the ledger was last kept
        self._primary_failure: str | None = None  # why the ledger file cannot be used, once it cannot
        self._fallback_failure: str | None = None
        self._carry_memory = False  # bring what this process knew into the fallback at its next write
        self._rebuilt_until = 0.0  # a corrupt ledger was rebuilt as a full window: waits say so until then
        self._problem: str | None = None
        self._problem_watchers: list[Callable[[str], object]] = []
        self._tickets = itertools.count()
        self._waiting: set[tuple[int, int]] = set()
        self._wakeups: list[asyncio.Future[None]] = []

    def __repr__(self) -> str:
        where = self._path.name if self._path else "memory"
        return f"Budget({where}, limit={self.limit}, poll_limit={self.poll_limit})"

    @property
    def problem(self) -> str | None:
        """What is wrong with the ledger's files and how to fix it, once something is."""
        return self._problem

    def watch_problem(self, callback: Callable[[str], object]) -> None:
        """``callback(text)`` once, when the ledger's files turn out unusable (at once if they did)."""
        if self._problem is not None:
            callback(self._problem)
        else:
            self._problem_watchers.append(callback)

    # -- asking for room ----------------------------------------------------------------------------

    async def acquire(
        self, priority: Priority = Priority.INTERACTIVE, *, wait: bool = True, max_wait: float | None = None
    ) -> float:
        """Returns when one request may be sent now, having counted it; returns the time it was counted
        at, for ``give_back``.

        ``wait=False`` raises ``RateLimited`` at once instead of waiting, with ``retry_after`` the
        seconds until the budget frees up; so does a wait that would end more than ``max_wait`` seconds
        from now. ``LedgerUnavailable`` when no shared ledger can be had (see the module's docstring).
        """
        priority = Priority(priority)
        cap = self.limit if priority is Priority.INTERACTIVE else self.poll_limit
        deadline = None if max_wait is None else self._clock.now() + max(0.0, max_wait)
        ticket = (int(priority), next(self._tickets))
        self._waiting.add(ticket)
        announced = False
        try:
            while True:
                if min(self._waiting) == ticket:
                    taken, delay = self._try_take(cap)
                    if delay <= 0:
                        return taken
                    now = self._clock.now()
                    if not wait:
                        raise self._exhausted(priority, delay)
                    if deadline is not None and now + delay > deadline + 0.001:
                        raise self._exhausted(priority, delay, capped=True)
                    if not announced and delay >= 1:
                        announced = True
                        self._announce(Wait(seconds=delay, why=self._why(priority, now)))
                    await self._clock.sleep(min(delay, MAX_NAP))
                elif not wait:
                    # Someone ahead in this process waits for the same room: there is none to take.
                    raise self._exhausted(priority, max(self._peek(cap), 1.0))
                else:
                    await self._until_head_changes()
        finally:
            self._waiting.discard(ticket)
            self._wake_waiters()

    def give_back(self, taken: float) -> None:
        """Uncounts the send counted at ``taken``: it provably never reached the server (the connection
        was refused, or failed before the request was written), so it cannot be in any server window."""

        def change(ledger: _Ledger, now: float) -> tuple[None, bool]:
            if not ledger.sends:
                return None, False
            nearest = min(ledger.sends, key=lambda s: abs(s - taken))
            if abs(nearest - taken) > 0.001:  # gone already (pruned, or the ledger was rebuilt)
                return None, False
            ledger.sends.remove(nearest)
            return None, True

        self._transact(change, need_shared=False)
        self._wake_waiters()

    def _announce(self, wait: Wait) -> None:
        log.info("waiting %.0f s %s", wait.seconds, wait.why)
        if self.on_wait is not None:
            self.on_wait(wait)

    def _why(self, priority: Priority, now: float) -> str:
        if self._memory.paused_until > now:
            return "because the API asked to pause after too many requests with this key (429)"
        if now < self._rebuilt_until:
            return (
                f"for the next rate window: the rate ledger {self._active} could not be read (corrupt), "
                "so it was rebuilt as if this minute were full"
            )
        if priority is Priority.POLL:
            return "for room in background refreshing's share of the rate window"
        return "for the next rate window"

    def _exhausted(self, priority: Priority, delay: float, *, capped: bool = False) -> RateLimited:
        seconds = max(1, math.ceil(delay))
        now = self._clock.now()
        if self._memory.paused_until > now:
            what = "The API asked okrt-tui to pause after too many requests with this key"
        elif now < self._rebuilt_until:
            what = (
                f"The rate ledger {self._active} could not be read (corrupt) and was rebuilt as if this "
                "minute were full"
            )
        elif priority is Priority.POLL:
            what = f"Background refreshing has used its share ({self.poll_limit}) of this key's minute"
        else:
            what = f"This key's rate budget ({self.limit} requests a minute) is used up"
        beyond = " That is later than okrt-tui waits for it; try again then." if capped else ""
        return RateLimited(f"{what}; it frees up in {seconds} s.{beyond}", retry_after=float(seconds))

    async def _until_head_changes(self) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._wakeups.append(future)
        try:
            await future
        finally:
            if future in self._wakeups:
                self._wakeups.remove(future)

    def _wake_waiters(self) -> None:
        wakeups, self._wakeups = self._wakeups, []
        for future in wakeups:
            if not future.done():
                future.set_result(None)

    def _try_take(self, cap: int) -> tuple[float, float]:
        """``(now, 0)`` having counted one send if there is room now; else ``(now, seconds to wait)``
        with nothing written."""

        def change(ledger: _Ledger, now: float) -> tuple[tuple[float, float], bool]:
            delay = self._delay(ledger, now, cap)
            if delay <= 0:
                ledger.sends.append(now)
            return (now, delay), delay <= 0

        return self._transact(change, need_shared=True)

    def _peek(self, cap: int) -> float:
        now = self._clock.now()
        return self._delay(self._memory, now, cap)

    def _delay(self, ledger: _Ledger, now: float, cap: int) -> float:
        """Seconds until a request of this ``cap`` may go (0: now)."""
        if ledger.paused_until > now:
            return ledger.paused_until - now
        skew = self._skew(ledger, now)
        if skew is None:
            return self._moving_delay(ledger, now, cap)
        t = now + skew
        delay = 0.0
        for w in range(_window(t - self.margin), _window(t + self.margin) + 1):
            if self._might_be_in(ledger, w, skew) + ledger.others.get(w, 0) >= cap:
                delay = max(delay, (w + 1) * WINDOW + self.margin - t)
        return delay

    def _moving_delay(self, ledger: _Ledger, now: float, cap: int) -> float:
        span = WINDOW + self.margin
        recent = sorted(s for s in ledger.sends if s > now - span)
        # Without a skew, other clients' counts cannot be placed: count the largest as if it were now.
        others = max(ledger.others.values(), default=0)
        excess = len(recent) + others - cap
        if excess < 0:
            return 0.0
        if excess < len(recent):
            return max(recent[excess] + span - now, 0.001)
        return span  # others alone fill it: look again once a whole window has surely passed

    def _might_be_in(self, ledger: _Ledger, w: int, skew: float) -> int:
        lo, hi = w * WINDOW - self.margin, (w + 1) * WINDOW + self.margin
        return sum(1 for s in ledger.sends if lo <= s + skew < hi)

    def _skew(self, ledger: _Ledger, now: float) -> float | None:
        if ledger.skew is None or abs(now - ledger.skew_at) > SKEW_TTL:
            return None
        return ledger.skew

    # -- what the server says -----------------------------------------------------------------------

    def observe(
        self,
        *,
        date: str | None,
        remaining: int | None,
        reset: float | None,
        sent_at: float | None = None,
    ) -> None:
        """Learns from one answer: the server's ``Date`` (clock skew) and its rate headers.

        ``sent_at`` (when the request left, on this clock) narrows the skew estimate; without it the
        answer is assumed to be immediate.
        """
        server_date = _parse_http_date(date)

        def change(ledger: _Ledger, now: float) -> tuple[None, bool]:
            changed = False
            if server_date is not None:
                changed |= self._learn_skew(ledger, server_date, now, now if sent_at is None else sent_at)
            skew = self._skew(ledger, now)
            if remaining is not None and skew is not None:
                changed |= self._learn_count(ledger, remaining, reset, now + skew, skew)
            return None, changed

        self._transact(change, need_shared=False)

    def _learn_skew(self, ledger: _Ledger, server_date: float, now: float, sent_at: float) -> bool:
        # The server wrote Date (whole seconds, rounded down) between our send and our receipt.
        low, high = server_date - now, server_date + 1 - min(sent_at, now)
        estimate, half = (low + high) / 2, (high - low) / 2
        known = self._skew(ledger, now)
        if known is not None and abs(estimate - known) <= max(SKEW_TOLERANCE, half):
            if now - ledger.skew_at < WINDOW:
                return False  # still right, and confirmed recently enough: spare the write
            ledger.skew_at = now
            return True
        if known is None or abs(estimate - known) > 2 * SKEW_TOLERANCE:
            log.info("server clock is %+.1f s from the local clock", estimate)
        ledger.skew, ledger.skew_at = estimate, now
        return True

    def _learn_count(
        self, ledger: _Ledger, remaining: int, reset: float | None, t: float, skew: float
    ) -> bool:
        if reset is None:
            w = _window(t)
        else:
            # Epoch seconds per INTERFACE.md; a small number is read as seconds from now (some APIs).
            reset_at = reset if reset > 1e9 else t + reset
            w = round(reset_at / WINDOW) - 1
        used = max(0, self.limit - max(0, remaining))
        others = used - self._might_be_in(ledger, w, skew)
        if others > ledger.others.get(w, 0):
            ledger.others[w] = others
            return True
        return False

    def pause(self, retry_after: float) -> None:
        """After a 429: nothing with this key is sent, by any process, for ``retry_after`` seconds."""

        def change(ledger: _Ledger, now: float) -> tuple[bool, bool]:
            until = now + max(0.0, retry_after)
            if until <= ledger.paused_until:
                return False, False
            ledger.paused_until = until
            return True, True

        if self._transact(change, need_shared=False):
            log.info("paused by the server for %.0f s", retry_after)

    # -- what the status bar shows ------------------------------------------------------------------

    def status(self) -> BudgetStatus:
        """Requests in the current (estimated server) window, the limit, and the waits ahead."""
        now = self._clock.now()
        ledger = self._peek_file(now)
        skew = self._skew(ledger, now) or 0.0
        t = now + skew
        w = _window(t)
        used = sum(1 for s in ledger.sends if _window(s + skew) == w) + ledger.others.get(w, 0)
        return BudgetStatus(
            used=min(used, self.limit),
            limit=self.limit,
            reset_in=(w + 1) * WINDOW - t,
            paused_for=max(0.0, ledger.paused_until - now),
        )

    # -- the ledger's files ---------------------------------------------------------------------------

    def _transact(self, change: Callable[[_Ledger, float], tuple[T, bool]], *, need_shared: bool) -> T:
        """One read-decide-write of the shared ledger: ``change(ledger, now)`` returns its result and
        whether it changed the ledger. When neither place for the ledger can be used, a ``need_shared``
        caller (one about to send) gets ``LedgerUnavailable``; others work on this process's memory."""
        while self._path is not None:
            if self._primary_failure is not None and self._fallback_failure is not None:
                if need_shared:
                    raise LedgerUnavailable(self._problem or "The rate ledger cannot be used.")
                break
            try:
                return self._transact_files(change)
            except _Unusable as failure:
                self._failed(failure)
        now = self._clock.now()
        self._prune(self._memory, now)
        return change(self._memory, now)[0]

    def _transact_files(self, change: Callable[[_Ledger, float], tuple[T, bool]]) -> T:
        primary, fallback = self._path, self._fallback
        assert primary is not None
        use_primary = self._primary_failure is None
        # The fallback's folder is made only when the file fails: until then nothing is written in the
        # temporary directory (the demo leaves nothing behind). Once it exists, it is always used.
        use_fallback = (
            fallback is not None
            and self._fallback_failure is None
            and (not use_primary or fallback.parent.is_dir())
        )
        with ExitStack() as held:
            # The fallback's lock first: every process of the key, whichever file it can use, takes
            # turns on it, so no two decide at once.
            if use_fallback:
                assert fallback is not None
                held.enter_context(self._lock(fallback, "fallback"))
            if use_primary:
                held.enter_context(self._lock(primary, "primary"))
            now = self._clock.now()
            spare = self._read(fallback, "fallback", now)[0] if use_fallback and fallback else None
            if not use_primary or (spare is not None and spare.live(now)):
                assert fallback is not None
                ledger, path, rebuilt = spare or _Ledger(), fallback, True
                if use_primary:
                    found, corrupt = self._read(primary, "primary", now)
                    if corrupt and found is not None:
                        self._write(primary, "primary", found)  # merged once, not rebuilt every time
                    ledger.merge(found or _Ledger())
                elif self._carry_memory:
                    ledger.merge(self._memory)
            else:
                found, rebuilt = self._read(primary, "primary", now)
                ledger, path = found or self._memory.copy(), primary
            self._prune(ledger, now)
            result, changed = change(ledger, now)
            if changed or rebuilt:
                self._write(path, "fallback" if path == fallback else "primary", ledger)
            if path == fallback:
                self._carry_memory = False
            self._memory, self._active = ledger, path
            return result

    @contextmanager
    def _lock(self, path: Path, which: Literal["primary", "fallback"]) -> Iterator[None]:
        """Holds ``<path>.lock``; a lock that stays held is said once and gone on without, and only
        glanced at (``STUCK_TIMEOUT``) until it is had again."""
        lock = self._locks.get(path)
        if lock is None:
            try:
                if which == "fallback":
                    _private_dir(path.parent)
                else:
                    path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise _Unusable(which, "created", exc) from None
            lock = self._locks[path] = filelock.FileLock(f"{path}.lock", timeout=LOCK_TIMEOUT)
        try:
            lock.acquire(timeout=STUCK_TIMEOUT if path in self._stuck else LOCK_TIMEOUT)
        except filelock.Timeout:
            if path not in self._stuck:
                self._stuck.add(path)
                log.warning("the rate ledger stayed locked for %.0f s; going on without it", LOCK_TIMEOUT)
            if self._problem is None:  # said once: the dashboard only showed "refreshing"
                self._tell(
                    f"The rate ledger's lock {path}.lock stayed held by another program for "
                    f"{LOCK_TIMEOUT:.0f} s (an okrt-tui stopped with ctrl+z?). okrt-tui goes on without it "
                    "until that program ends or goes on."
                )
            yield
            return
        except OSError as exc:
            raise _Unusable(which, "locked", exc) from None
        self._stuck.discard(path)
        try:
            yield
        finally:
            lock.release()

    def _read(
        self, path: Path, which: Literal["primary", "fallback"], now: float
    ) -> tuple[_Ledger | None, bool]:
        """The ledger in ``path`` (None: no file yet), and whether it had to be rebuilt (and so must be
        written back). Call with the lock held."""
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None, False
        except OSError as exc:
            raise _Unusable(which, "read", exc) from None
        try:
            return _Ledger.from_json(raw), False
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            log.warning(
                "the rate ledger %s is unreadable (%s); rebuilding it as if this minute were full", path, exc
            )
            self._rebuilt_until = now + WINDOW + self.margin
            return self._assume_full(now), True

    def _write(self, path: Path, which: Literal["primary", "fallback"], ledger: _Ledger) -> None:
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            temporary.write_bytes(ledger.to_json())
            os.replace(temporary, path)
        except OSError as exc:
            temporary.unlink(missing_ok=True)
            raise _Unusable(which, "written", exc) from None

    def _failed(self, failure: _Unusable) -> None:
        """Stops using the place that failed, and tells the user (once) what is wrong and what to do."""
        reason = _what_is_wrong(failure)
        if failure.which == "fallback":
            self._fallback_failure = reason
            log.warning("the rate ledger's fallback cannot be used: %s", reason)
            if self._primary_failure is None:
                return  # the file works: nothing to tell
        else:
            self._primary_failure = reason
            self._carry_memory = True
            log.warning("the rate ledger cannot be used: %s", reason)
        assert self._primary_failure is not None
        text = f"The rate ledger {self._primary_failure}"
        if self._fallback_failure is None:
            text += (
                f". Until then okrt-tui keeps the ledger in {self._fallback}, shared by all its processes."
            )
        else:
            where = self._fallback or "a shared place"
            text += (
                f"; and {where} cannot be used either ({self._fallback_failure}). okrt-tui sends no "
                "request until one of them is fixed: without a shared ledger, its processes together "
                f"could exceed the key's {self.limit} requests a minute."
            )
        self._tell(text)

    def _tell(self, text: str) -> None:
        self._problem = text
        watchers, self._problem_watchers = self._problem_watchers, []
        for watcher in watchers:
            watcher(text)

    def _assume_full(self, now: float) -> _Ledger:
        # Keep what this process knew of the clock; fill the window(s) this moment may be in.
        return _Ledger(
            sends=[now] * self.limit,
            skew=self._memory.skew,
            skew_at=self._memory.skew_at,
            paused_until=self._memory.paused_until,
        )

    def _prune(self, ledger: _Ledger, now: float) -> None:
        ledger.sends = [s for s in ledger.sends if now - KEEP < s < now + KEEP]
        if ledger.others:
            oldest = _window(now + (ledger.skew or 0.0) - KEEP)
            ledger.others = {w: n for w, n in ledger.others.items() if w >= oldest}

    def _peek_file(self, now: float) -> _Ledger:
        """The ledger as it is now, without the lock (writes are atomic renames), for display."""
        if self._active is not None:
            try:
                ledger = _Ledger.from_json(self._active.read_bytes())
            except (OSError, ValueError, TypeError, KeyError, AttributeError):
                return self._memory
            self._prune(ledger, now)
            return ledger
        return self._memory


def fallback_ledger(ledger_path: Path) -> Path:
    """Where every process of this user keeps the ledger ``ledger_path`` when it cannot be used: the
    same name in a private folder of the system's temporary directory (``TMPDIR``), which is there
    whatever state the user's own directories are in."""
    getuid = getattr(os, "getuid", None)
    owner = str(getuid()) if getuid is not None else getpass.getuser()
    return Path(tempfile.gettempdir()) / f"okrt-tui-{owner}" / ledger_path.name


def _private_dir(path: Path) -> None:
    """Makes ``path`` (0700) if need be, and refuses one that another user could have put there or can
    write to: the fallback lives in the system's shared temporary directory."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = path.lstat()
    getuid = getattr(os, "getuid", None)
    if not stat.S_ISDIR(info.st_mode):
        raise OSError(0, "it is not a directory", str(path))
    if getuid is not None and (info.st_uid != getuid() or info.st_mode & 0o077):
        raise OSError(0, "it belongs to another user or others may use it", str(path))


def _what_is_wrong(failure: _Unusable) -> str:
    """``<file> <what is wrong>: <what to do>``, for the sentence the user reads."""
    error = failure.error
    if isinstance(error, str):
        return error
    name = error.filename or "its file"
    if isinstance(error, IsADirectoryError):
        return f"{name} is a directory, not a file: remove it (okrt-tui makes the file again)"
    if isinstance(error, PermissionError):
        return (
            f"{name} cannot be {failure.action} (permission denied; it may belong to another user): "
            "remove it, or make it yours and readable and writable (chown, chmod u+rw)"
        )
    return f"{name} cannot be {failure.action} ({error.strerror or error}): remove it, or check the disk"


def _parse_http_date(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
