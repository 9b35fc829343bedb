"""What this computer keeps of one workspace, for the commands that read only the local database
(``history`` and ``report``): its history, its cached lists (whatever their age) and the KPI directions
inferred before. Opening it sends nothing; the key only names the file (``Dirs.database_file``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

from okrt_tui.api.decode import decode_kpis, decode_okrs
from okrt_tui.api.models import Kpi, Okr
from okrt_tui.store.cache import Cache, decoded
from okrt_tui.store.db import Database
from okrt_tui.store.directions import RememberedDirections
from okrt_tui.store.history import History

T = TypeVar("T")


class Recorded:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.history = History(database)
        cache = Cache(database)
        self.kpis: tuple[Kpi, ...] | None = decoded(cache.load("kpis"), decode_kpis)
        self.okrs: tuple[Okr, ...] | None = decoded(cache.load("okrs"), decode_okrs)
        self.directions = RememberedDirections(database).all()


@contextlib.contextmanager
def open_recorded(path: Path) -> Iterator[Recorded | None]:
    """The workspace's database at ``path``; None when this computer has none (it is not made: a
    command that only reads leaves no empty file behind)."""
    if not path.exists():
        yield None
        return
    database = Database(path)
    try:
        recorded = Recorded(database)
        try:
            yield recorded
        finally:
            recorded.history.close()
    finally:
        database.close()
