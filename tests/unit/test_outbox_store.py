"""The outbox on disk: stored before sent, claimed by one process only, and never lost by a crash."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from processes import run_together, start_script

from okrt_tui.store.db import Database
from okrt_tui.store.outbox import (
    CLAIMED,
    DELIVERED,
    FAILED,
    QUEUED,
    SENDING,
    UNCONFIRMED,
    Outbox,
    OutboxError,
)

NOW = 1_800_000_000.0


def outbox(path: Path, owner: str | None = None) -> Outbox:
    return Outbox(Database(path), owner=owner)


def test_a_write_is_on_disk_when_it_is_added(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite3"
    entry = outbox(path).add("kpi_update", "kpi-1", "41", label="NPS", comment="hi", now=NOW)
    again = outbox(path).get(entry.id)
    assert again is not None
    assert (again.state, again.value, again.number, again.comment) == (QUEUED, "41", 41, "hi")


def test_writes_are_claimed_oldest_first_and_each_by_one_owner(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite3"
    first = outbox(path, "host:1")
    for n in range(3):
        first.add("kpi_update", f"kpi-{n}", str(n), now=NOW + n)
    second = outbox(path, "host:2")
    a = first.claim(NOW)
    b = second.claim(NOW)
    assert a is not None and b is not None
    assert (a.target_id, b.target_id) == ("kpi-0", "kpi-1")
    assert first.get(a.id).state == CLAIMED  # type: ignore[union-attr]


def test_two_processes_claiming_at_once_never_take_the_same_write(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite3"
    box = outbox(path)
    box.add_many([("kpi_update", f"kpi-{n}", str(n), "", None, None) for n in range(60)], now=NOW)
    script = """
import json, os, sys
from pathlib import Path
from okrt_tui.store.db import Database
from okrt_tui.store.outbox import Outbox
box = Outbox(Database(Path(sys.argv[1])))
taken = []
while (entry := box.claim(1_800_000_000.0)) is not None:
    taken.append(entry.id)
    box.finish(entry.id, "delivered", 1_800_000_000.0)
print(json.dumps(taken))
"""
    taken = run_together(script, [str(path)], count=3)
    every = [i for ids in taken for i in ids]
    assert sorted(every) == sorted(set(every))  # no write taken twice
    assert len(every) == 60


def test_a_claim_of_a_killed_process_goes_back_to_the_queue(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite3"
    outbox(path).add("kpi_update", "kpi-1", "41", now=NOW)
    _claim_and_die(path, send=False)
    box = outbox(path)
    entry = box.claim(NOW + 1)
    assert entry is not None and entry.target_id == "kpi-1"


def test_a_write_being_sent_by_a_killed_process_becomes_unconfirmed(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite3"
    outbox(path).add("kpi_update", "kpi-1", "41", now=NOW)
    _claim_and_die(path, send=True)
    box = outbox(path)
    assert box.claim(NOW + 1) is None  # never sent again by itself
    (entry,) = box.pending(NOW + 1)
    assert entry.state == UNCONFIRMED
    assert "may or may not have been recorded" in (entry.reason or "")


def test_a_live_owner_keeps_its_claim_until_the_lease_ends(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite3"
    mine = outbox(path, f"{socket.gethostname()}:{os.getpid()}")
    mine.add("kpi_update", "kpi-1", "41", now=NOW)
    entry = mine.claim(NOW)
    assert entry is not None
    mine.mark_sending(entry.id, NOW)
    other = outbox(path, "elsewhere:1")
    assert other.pending(NOW + 10)[0].state == SENDING
    assert other.pending(NOW + 10_000)[0].state == UNCONFIRMED  # the lease ran out


def test_an_attempt_that_recorded_nothing_is_not_left_as_maybe_sent(tmp_path: Path) -> None:
    box = outbox(tmp_path / "ws.sqlite3")
    box.add("kpi_update", "kpi-1", "41", now=NOW)
    entry = box.claim(NOW)
    assert entry is not None
    box.mark_sending(entry.id, NOW)
    box.mark_unsent(entry.id, NOW + 1)
    assert box.get(entry.id).state == CLAIMED  # type: ignore[union-attr]


def test_decisions_need_the_right_state(tmp_path: Path) -> None:
    box = outbox(tmp_path / "ws.sqlite3")
    entry = box.add("checkin", "kr-1", "5", status="at_risk", now=NOW)
    edited = box.edit(entry.id, "6", "typo fixed", None, NOW)
    assert (edited.value, edited.comment, edited.status) == ("6", "typo fixed", None)
    with pytest.raises(OutboxError, match="is queued"):
        box.resend(entry.id, NOW)
    claimed = box.claim(NOW)
    assert claimed is not None
    box.finish(claimed.id, FAILED, NOW, reason="404")
    with pytest.raises(OutboxError):
        box.edit(entry.id, "7", None, None, NOW)
    assert box.resend(entry.id, NOW).state == QUEUED
    box.drop(entry.id)
    assert box.get(entry.id) is None
    with pytest.raises(OutboxError, match="no write"):
        box.drop(entry.id)


def test_delivered_writes_leave_the_pending_list(tmp_path: Path) -> None:
    box = outbox(tmp_path / "ws.sqlite3")
    entry = box.add("kpi_update", "kpi-1", "41", now=NOW)
    claimed = box.claim(NOW)
    assert claimed is not None
    box.finish(claimed.id, DELIVERED, NOW, result=b'{"id": "u-1"}')
    assert box.pending() == []
    assert box.get(entry.id).result == b'{"id": "u-1"}'  # type: ignore[union-attr]


def _claim_and_die(path: Path, *, send: bool) -> None:
    """A real process claims the write (and marks it sending) and is killed before settling it."""
    script = f"""
import os, signal, sys
from pathlib import Path
from okrt_tui.store.db import Database
from okrt_tui.store.outbox import Outbox
box = Outbox(Database(Path(sys.argv[1])))
entry = box.claim(1_800_000_000.0)
if {send!r}:
    box.mark_sending(entry.id, 1_800_000_000.0)
os.kill(os.getpid(), signal.SIGKILL)
"""
    process = start_script(script, str(path))
    process.communicate(timeout=60)
    assert process.returncode == -9
