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
current window were full: the safe guess costs at most a minute, the unsafe one a 429. A ledger that
cannot be read or written at all (permissions) falls back to this process's own memory, logged once.
The ledger never holds the key: its file is named by a hash of it, and it holds only numbers.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import math
import os
from email.utils import parsedate_to_datetime
from enum import IntEnum
from pathlib import Path

import filelock
import msgspec
from msgspec.structs import replace

from okrt_tui.api.clock import SYSTEM_CLOCK, Clock
from okrt_tui.api.errors import RateLimited
from okrt_tui.sync.snapshot import BudgetStatus

log = logging.getLogger(__name__)

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
LEDGER_VERSION = 1


class Priority(IntEnum):
    """Who is asking: a person (goes first, may use the whole window) or background polling."""

    INTERACTIVE = 0
    POLL = 1


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
    """The rate budget of one key; see the module's docstring for the rules.

    ``ledger_path`` None keeps the ledger in this process only (tests, one-shot tools); otherwise the
    file (``Dirs.ledger_file(key)``) is shared, with ``<ledger>.lock`` beside it.
    """

    def __init__(
        self,
        ledger_path: Path | None,
        *,
        limit: int = 60,
        poll_share: float = 0.5,
        clock: Clock = SYSTEM_CLOCK,
        margin: float = MARGIN,
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
        self._clock = clock
        self._path = ledger_path
        self._lock = filelock.FileLock(f"{ledger_path}.lock", timeout=LOCK_TIMEOUT) if ledger_path else None
        self._memory = _Ledger()  # the ledger as last seen; the whole ledger when there is no file
        self._file_failed = False
        self._dir_ready = False
        self._tickets = itertools.count()
        self._waiting: set[tuple[int, int]] = set()
        self._wakeups: list[asyncio.Future[None]] = []

    def __repr__(self) -> str:
        where = self._path.name if self._path else "memory"
        return f"Budget({where}, limit={self.limit}, poll_limit={self.poll_limit})"

    # -- asking for room ----------------------------------------------------------------------------

    async def acquire(self, priority: Priority = Priority.INTERACTIVE, *, wait: bool = True) -> None:
        """Returns when one request may be sent now (and counts it).

        ``wait=False`` raises ``RateLimited`` at once instead of waiting, with ``retry_after`` the
        seconds until the budget frees up.
        """
        priority = Priority(priority)
        cap = self.limit if priority is Priority.INTERACTIVE else self.poll_limit
        ticket = (int(priority), next(self._tickets))
        self._waiting.add(ticket)
        try:
            while True:
                if min(self._waiting) == ticket:
                    delay = self._try_take(cap)
                    if delay <= 0:
                        break
                    if not wait:
                        raise self._exhausted(priority, delay)
                    await self._clock.sleep(min(delay, MAX_NAP))
                elif not wait:
                    # Someone ahead in this process waits for the same room: there is none to take.
                    raise self._exhausted(priority, max(self._peek(cap), 1.0))
                else:
                    await self._until_head_changes()
        finally:
            self._waiting.discard(ticket)
            self._wake_waiters()

    def _exhausted(self, priority: Priority, delay: float) -> RateLimited:
        seconds = max(1, math.ceil(delay))
        now = self._clock.now()
        if self._memory.paused_until > now:
            what = "The API asked okrt-tui to pause after too many requests with this key"
        elif priority is Priority.POLL:
            what = f"Background refreshing has used its share ({self.poll_limit}) of this key's minute"
        else:
            what = f"This key's rate budget ({self.limit} requests a minute) is used up"
        return RateLimited(f"{what}; it frees up in {seconds} s.", retry_after=float(seconds))

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

    def _try_take(self, cap: int) -> float:
        """Counts one send if there is room now; else returns the seconds to wait (nothing written)."""
        with self._locked():
            now = self._clock.now()
            ledger = self._load(now)
            delay = self._delay(ledger, now, cap)
            if delay <= 0:
                ledger.sends.append(now)
                self._store(ledger)
            return delay

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
        changed = False
        with self._locked():
            now = self._clock.now()
            ledger = self._load(now)
            if server_date is not None:
                changed |= self._learn_skew(ledger, server_date, now, now if sent_at is None else sent_at)
            skew = self._skew(ledger, now)
            if remaining is not None and skew is not None:
                changed |= self._learn_count(ledger, remaining, reset, now + skew, skew)
            if changed:
                self._store(ledger)

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
        with self._locked():
            now = self._clock.now()
            ledger = self._load(now)
            until = now + max(0.0, retry_after)
            if until <= ledger.paused_until:
                return
            ledger.paused_until = until
            self._store(ledger)
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

    # -- the ledger file ----------------------------------------------------------------------------

    def _locked(self) -> _LedgerLock:
        return _LedgerLock(self)

    def _load(self, now: float) -> _Ledger:
        """The shared ledger, pruned. Call with the lock held."""
        ledger, rebuilt = self._read(now)
        self._prune(ledger, now)
        if rebuilt:
            self._store(ledger)
        self._memory = ledger
        return ledger

    def _read(self, now: float) -> tuple[_Ledger, bool]:
        """The ledger on file, and whether it had to be rebuilt (and so must be written back)."""
        if self._path is None or self._file_failed:
            return self._memory, False
        try:
            raw = self._path.read_bytes()
        except FileNotFoundError:
            # No file yet (or someone removed it): what this process last saw is the best guess.
            return self._memory.copy(), False
        except OSError as exc:
            self._give_up_on_file("read", exc)
            return self._memory, False
        try:
            return _Ledger.from_json(raw), False
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            log.warning(
                "the rate ledger %s is unreadable (%s); rebuilding it as if this minute were full",
                self._path.name,
                exc,
            )
            return self._assume_full(now), True

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

    def _store(self, ledger: _Ledger) -> None:
        self._memory = ledger
        if self._path is None or self._file_failed:
            return
        temporary = self._path.with_name(f"{self._path.name}.{os.getpid()}.tmp")
        try:
            temporary.write_bytes(ledger.to_json())
            os.replace(temporary, self._path)
        except OSError as exc:
            self._give_up_on_file("write", exc)

    def _peek_file(self, now: float) -> _Ledger:
        """The ledger as it is now, without the lock (writes are atomic renames), for display."""
        if self._path is not None and not self._file_failed:
            try:
                ledger = _Ledger.from_json(self._path.read_bytes())
            except (OSError, ValueError, TypeError, KeyError, AttributeError):
                return self._memory
            self._prune(ledger, now)
            return ledger
        return self._memory

    def _give_up_on_file(self, what: str, exc: OSError) -> None:
        log.warning(
            "cannot %s the rate ledger %s (%s): counting this process's requests only",
            what,
            self._path.name if self._path else "",
            exc.strerror or exc,
        )
        self._file_failed = True


class _LedgerLock:
    """Holds ``<ledger>.lock`` for one read-decide-write; a lock that cannot be had is logged, not fatal."""

    def __init__(self, budget: Budget) -> None:
        self._budget = budget
        self._held = False

    def __enter__(self) -> None:
        budget = self._budget
        if budget._lock is None or budget._file_failed:
            return
        try:
            if not budget._dir_ready:
                budget._path.parent.mkdir(parents=True, exist_ok=True)  # type: ignore[union-attr]
                budget._dir_ready = True
            budget._lock.acquire()
            self._held = True
        except filelock.Timeout:
            log.warning("the rate ledger stayed locked for %.0f s; going on without the lock", LOCK_TIMEOUT)
        except OSError as exc:
            budget._give_up_on_file("lock", exc)

    def __exit__(self, *exc_info: object) -> None:
        if self._held and self._budget._lock is not None:
            self._budget._lock.release()


def _parse_http_date(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
