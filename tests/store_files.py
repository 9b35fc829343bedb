"""Real faults of a real SQLite file, for the local database's tests: corrupt pages, a file that cannot
be written, a lock held by a second process."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from processes import ROOT

PAGE = 4096  # SQLite's default page size: the first page holds the header and the schema


def corrupt_pages(path: Path, seed: int = 13) -> bytes:
    """Keeps the first page (header and schema intact, so the file still opens) and overwrites every
    later page with random bytes, as a bad disk or a stray write would; returns the new contents."""
    size = path.stat().st_size
    assert size > PAGE, "corrupt_pages needs a file with data pages"
    with path.open("r+b") as file:
        file.seek(PAGE)
        file.write(random.Random(seed).randbytes(size - PAGE))
    return path.read_bytes()


@contextlib.contextmanager
def unwritable(path: Path) -> Iterator[None]:
    """The file cannot be written, even by root (the tests run as root, who ignores mode 444): the
    immutable attribute (``chattr +i``) makes every open for writing fail with EPERM, as mode 444 or
    another user's file does for anyone else. Skips where the file system or the user cannot set it."""
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(path)], capture_output=True).returncode:
        pytest.skip("cannot make a file immutable here (chattr +i) to simulate a read-only file")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(path)], check=True)


_LOCK_HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
if sys.argv[2] == "exclusive":
    conn.execute("PRAGMA locking_mode=EXCLUSIVE")  # no other connection may even read
conn.execute("BEGIN EXCLUSIVE")
conn.execute("INSERT INTO cache (feed, body, fetched_at) VALUES ('held', x'00', 0) "
             "ON CONFLICT (feed) DO UPDATE SET fetched_at = 0")
print("held", flush=True)
sys.stdin.read()  # until the test closes our stdin
conn.rollback()
"""

_MIGRATING = """
import sqlite3, sys
from okrt_tui.store.db import MIGRATIONS
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA journal_mode=WAL")
conn.execute("BEGIN IMMEDIATE")
for statement in MIGRATIONS[0].split(";"):
    conn.execute(statement)
conn.execute("PRAGMA user_version = 1")
print("held", flush=True)
sys.stdin.read()  # until the test closes our stdin
conn.execute("COMMIT")
"""


@contextlib.contextmanager
def lock_held(path: Path, *, exclusive: bool) -> Iterator[None]:
    """A second process holds the database's write lock in an open transaction (``BEGIN EXCLUSIVE``
    and a write) until the block ends, then rolls it back. ``exclusive`` also takes
    ``locking_mode=EXCLUSIVE``, which keeps readers out too; without it, a WAL file can still be read."""
    with _second_process(_LOCK_HOLDER, path, "exclusive" if exclusive else "write"):
        yield


@contextlib.contextmanager
def migrating(path: Path) -> Iterator[None]:
    """A second process (a second dashboard) is creating a new database file: its first migration is
    made but not yet committed until the block ends, then committed."""
    with _second_process(_MIGRATING, path):
        yield


@contextlib.contextmanager
def _second_process(script: str, *args: object) -> Iterator[None]:
    """``python -c script *args`` runs up to printing "held", and goes on when the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", script, *map(str, args)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert holder.stdout is not None and holder.stdin is not None
    try:
        line = holder.stdout.readline()
        assert line == "held\n", holder.stderr.read() if holder.stderr else line
        yield
    finally:
        holder.stdin.close()
        assert holder.wait(timeout=30) == 0, holder.stderr.read() if holder.stderr else ""
