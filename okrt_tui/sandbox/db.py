"""The sandbox's own SQLite database: what a workspace holds, and the writes the API received.

Only stored facts live here (key results' start, target and current value, check-ins, KPI values,
reviews); progress, status and health are computed on read by ``scoring``. Times are epoch seconds of
the sandbox clock. One ``Database`` wraps one connection, shared by the server's event loop and the
simulation, guarded by a lock; tests may open a second ``Database`` on the same file (WAL mode lets
them write while the server reads).
"""

from __future__ import annotations

import functools
import json
import operator
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS objectives (
    id TEXT PRIMARY KEY,
    workspace TEXT NOT NULL,
    title TEXT NOT NULL,
    type TEXT NOT NULL,
    owner TEXT NOT NULL,
    cycle TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS objectives_recent ON objectives (workspace, updated_at DESC, created_at DESC);

CREATE TABLE IF NOT EXISTS key_results (
    id TEXT PRIMARY KEY,
    objective_id TEXT NOT NULL REFERENCES objectives (id),
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    unit TEXT NOT NULL,
    start REAL NOT NULL,
    target REAL NOT NULL,
    current REAL NOT NULL,
    decimals INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    kind TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS key_results_objective ON key_results (objective_id, position);

CREATE TABLE IF NOT EXISTS checkins (
    id TEXT PRIMARY KEY,
    kr_id TEXT NOT NULL REFERENCES key_results (id),
    value REAL NOT NULL,
    status TEXT NOT NULL,
    comment TEXT,
    source TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS checkins_kr ON checkins (kr_id, created_at);

CREATE TABLE IF NOT EXISTS kpis (
    id TEXT PRIMARY KEY,
    workspace TEXT NOT NULL,
    name TEXT NOT NULL,
    unit TEXT NOT NULL,
    direction TEXT NOT NULL,
    target REAL NOT NULL,
    current REAL NOT NULL,
    decimals INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    last_updated REAL NOT NULL,
    kind TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS kpis_recent ON kpis (workspace, last_updated DESC);

CREATE TABLE IF NOT EXISTS kpi_updates (
    id TEXT PRIMARY KEY,
    kpi_id TEXT NOT NULL REFERENCES kpis (id),
    previous_value REAL NOT NULL,
    new_value REAL NOT NULL,
    comment TEXT,
    source TEXT NOT NULL,
    created_at REAL NOT NULL
);

CREATE TABLE IF NOT EXISTS review_cycles (
    id TEXT PRIMARY KEY,
    workspace TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    due_date TEXT NOT NULL,
    created_at REAL NOT NULL
);

CREATE TABLE IF NOT EXISTS reviews (
    id TEXT PRIMARY KEY,
    cycle_id TEXT NOT NULL REFERENCES review_cycles (id),
    employee TEXT NOT NULL,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    shared_at REAL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS reviews_cycle ON reviews (cycle_id);

CREATE TABLE IF NOT EXISTS review_answers (
    review_id TEXT NOT NULL REFERENCES reviews (id),
    position INTEGER NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    PRIMARY KEY (review_id, position)
);

CREATE TABLE IF NOT EXISTS api_writes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    body TEXT NOT NULL,
    recorded_at REAL NOT NULL
);
"""

#: Who made a check-in or a KPI update: the seed's history, an API call, or a simulated teammate.
SOURCES = ("seed", "api", "simulate")


@dataclass(frozen=True, slots=True)
class Objective:
    id: str
    workspace: str
    title: str
    type: str
    owner: str
    cycle: str
    created_at: float
    updated_at: float


@dataclass(frozen=True, slots=True)
class KeyResult:
    id: str
    objective_id: str
    position: int
    title: str
    unit: str
    start: float
    target: float
    current: float
    decimals: int
    created_at: float
    kind: str = ""  # what the number measures (``quantities``); "" in files from before kinds


@dataclass(frozen=True, slots=True)
class Checkin:
    id: str
    kr_id: str
    value: float
    status: str
    comment: str | None
    source: str
    created_at: float


@dataclass(frozen=True, slots=True)
class Kpi:
    id: str
    workspace: str
    name: str
    unit: str
    direction: str
    target: float
    current: float
    decimals: int
    created_at: float
    last_updated: float
    kind: str = ""  # see KeyResult


@dataclass(frozen=True, slots=True)
class KpiUpdate:
    id: str
    kpi_id: str
    previous_value: float
    new_value: float
    comment: str | None
    source: str
    created_at: float


@dataclass(frozen=True, slots=True)
class ReviewCycle:
    id: str
    workspace: str
    name: str
    status: str
    due_date: str
    created_at: float


@dataclass(frozen=True, slots=True)
class Review:
    id: str
    cycle_id: str
    employee: str
    type: str
    status: str  # "draft" or "shared"
    shared_at: float | None
    created_at: float


@dataclass(frozen=True, slots=True)
class Answer:
    review_id: str
    position: int
    question: str
    answer: str


@dataclass(frozen=True, slots=True)
class ApiWrite:
    seq: int
    kind: str  # "checkin" or "kpi_update"
    target_id: str
    body: Any  # the JSON body as sent
    recorded_at: float


@dataclass(frozen=True, slots=True)
class OkrRow:
    """One objective with its key results and each key result's check-ins, in the order recorded."""

    objective: Objective
    key_results: tuple[tuple[KeyResult, tuple[Checkin, ...]], ...]


@dataclass(frozen=True, slots=True)
class CycleRow:
    cycle: ReviewCycle
    reviewee_count: int
    shared: tuple[Review, ...]  # newest shared first


_TABLES: dict[type, str] = {
    Objective: "objectives",
    KeyResult: "key_results",
    Checkin: "checkins",
    Kpi: "kpis",
    KpiUpdate: "kpi_updates",
    ReviewCycle: "review_cycles",
    Review: "reviews",
    Answer: "review_answers",
}


@functools.cache
def _values(cls: type) -> Callable[[Any], tuple[Any, ...]]:
    """A fast ``astuple`` for one row class (``dataclasses.astuple`` deep-copies every field)."""
    return operator.attrgetter(*(f.name for f in fields(cls)))


def _columns(cls: type) -> str:
    return ", ".join(f.name for f in fields(cls))


def _insert_sql(cls: type) -> str:
    names = [f.name for f in fields(cls)]
    return f"INSERT INTO {_TABLES[cls]} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"


class Database:
    """One connection to the sandbox's SQLite file; every method is safe to call from any thread."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=10)
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = NORMAL")
        self._conn.execute("PRAGMA foreign_keys = ON")
        self._conn.executescript(SCHEMA)
        self._add_kinds()

    def _add_kinds(self) -> None:
        """A database made before kinds (``serve --db`` reuses files) gets the column, empty: its rows
        then go by their unit (``quantities.kind_of``)."""
        for table in ("key_results", "kpis"):
            columns = {row[1] for row in self._conn.execute(f"PRAGMA table_info({table})")}
            if "kind" not in columns:
                self._conn.execute(f"ALTER TABLE {table} ADD COLUMN kind TEXT NOT NULL DEFAULT ''")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Everything inside commits together, or not at all."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row | tuple[Any, ...]]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    # --- writing rows ---------------------------------------------------------------------------------

    def insert(self, rows: Sequence[Any]) -> None:
        """Inserts dataclass rows (of one or several tables) in one transaction."""
        by_type: dict[type, list[tuple[Any, ...]]] = {}
        for row in rows:
            cls: type = type(row)
            by_type.setdefault(cls, []).append(_values(cls)(row))
        with self.transaction() as conn:
            for cls, values in by_type.items():
                conn.executemany(_insert_sql(cls), values)

    def is_empty(self) -> bool:
        return not self._all("SELECT 1 FROM objectives LIMIT 1")

    def record_checkin(self, checkin: Checkin, objective_id: str, *, logged_body: Any = None) -> None:
        """Stores a check-in: the key result's current value becomes its value.

        ``logged_body``: the JSON body of the API request that made it, for the writes log (the log and
        the check-in are committed together).
        """
        with self.transaction() as conn:
            if logged_body is not None:
                self._log_write(conn, "checkin", checkin.kr_id, logged_body, checkin.created_at)
            conn.execute(_insert_sql(Checkin), _values(Checkin)(checkin))
            conn.execute("UPDATE key_results SET current = ? WHERE id = ?", (checkin.value, checkin.kr_id))
            conn.execute(
                "UPDATE objectives SET updated_at = max(updated_at, ?) WHERE id = ?",
                (checkin.created_at, objective_id),
            )

    def record_kpi_update(self, update: KpiUpdate, *, logged_body: Any = None) -> None:
        """Stores a KPI measurement: it becomes the KPI's current value; see ``record_checkin``."""
        with self.transaction() as conn:
            if logged_body is not None:
                self._log_write(conn, "kpi_update", update.kpi_id, logged_body, update.created_at)
            conn.execute(_insert_sql(KpiUpdate), _values(KpiUpdate)(update))
            conn.execute(
                "UPDATE kpis SET current = ?, last_updated = ? WHERE id = ?",
                (update.new_value, update.created_at, update.kpi_id),
            )

    @staticmethod
    def _log_write(
        conn: sqlite3.Connection, kind: str, target_id: str, body: Any, recorded_at: float
    ) -> None:
        conn.execute(
            "INSERT INTO api_writes (kind, target_id, body, recorded_at) VALUES (?, ?, ?, ?)",
            (kind, target_id, json.dumps(body, ensure_ascii=False), recorded_at),
        )

    # --- reading --------------------------------------------------------------------------------------

    def okr_page(self, workspace: str, limit: int) -> list[OkrRow]:
        """The ``limit`` most recently updated objectives, newest first, with everything scoring needs.

        Three queries whatever the number of objectives: objectives, their key results, their check-ins.
        """
        page = (
            "SELECT id FROM objectives WHERE workspace = ? "
            "ORDER BY updated_at DESC, created_at DESC, id LIMIT ?"
        )
        objectives = [
            Objective(*r)
            for r in self._all(
                f"SELECT {_columns(Objective)} FROM objectives WHERE workspace = ? "
                "ORDER BY updated_at DESC, created_at DESC, id LIMIT ?",
                (workspace, limit),
            )
        ]
        krs = [
            KeyResult(*r)
            for r in self._all(
                f"SELECT {_columns(KeyResult)} FROM key_results WHERE objective_id IN ({page}) "
                "ORDER BY objective_id, position",
                (workspace, limit),
            )
        ]
        checkins: dict[str, list[Checkin]] = {}
        for r in self._all(
            f"SELECT {', '.join('c.' + f.name for f in fields(Checkin))} FROM checkins c "
            f"JOIN key_results k ON k.id = c.kr_id WHERE k.objective_id IN ({page}) "
            "ORDER BY c.rowid",  # the order they were recorded: the last one is the latest
            (workspace, limit),
        ):
            checkin = Checkin(*r)
            checkins.setdefault(checkin.kr_id, []).append(checkin)
        by_objective: dict[str, list[tuple[KeyResult, tuple[Checkin, ...]]]] = {}
        for kr in krs:
            by_objective.setdefault(kr.objective_id, []).append((kr, tuple(checkins.get(kr.id, ()))))
        return [OkrRow(o, tuple(by_objective.get(o.id, ()))) for o in objectives]

    def find_key_result(self, workspace: str, kr_id: str) -> tuple[KeyResult, Objective] | None:
        kr_cols = ", ".join("k." + f.name for f in fields(KeyResult))
        obj_cols = ", ".join("o." + f.name for f in fields(Objective))
        rows = self._all(
            f"SELECT {kr_cols}, {obj_cols} FROM key_results k JOIN objectives o ON o.id = k.objective_id "
            "WHERE k.id = ? AND o.workspace = ?",
            (kr_id, workspace),
        )
        if not rows:
            return None
        n = len(fields(KeyResult))
        return KeyResult(*rows[0][:n]), Objective(*rows[0][n:])

    def key_results_in_cycle(self, cycle: str) -> list[tuple[KeyResult, Objective]]:
        """Every key result of objectives in ``cycle``, in every workspace (the simulation's choice)."""
        kr_cols = ", ".join("k." + f.name for f in fields(KeyResult))
        obj_cols = ", ".join("o." + f.name for f in fields(Objective))
        n = len(fields(KeyResult))
        return [
            (KeyResult(*r[:n]), Objective(*r[n:]))
            for r in self._all(
                f"SELECT {kr_cols}, {obj_cols} FROM key_results k JOIN objectives o ON o.id = k.objective_id "
                "WHERE o.cycle = ? ORDER BY o.workspace, o.created_at, o.id, k.position",
                (cycle,),
            )
        ]

    def kpi_page(self, workspace: str, limit: int) -> list[Kpi]:
        """The ``limit`` most recently updated KPIs, newest first."""
        return [
            Kpi(*r)
            for r in self._all(
                f"SELECT {_columns(Kpi)} FROM kpis WHERE workspace = ? "
                "ORDER BY last_updated DESC, created_at DESC, id LIMIT ?",
                (workspace, limit),
            )
        ]

    def all_kpis(self) -> list[Kpi]:
        return [
            Kpi(*r) for r in self._all(f"SELECT {_columns(Kpi)} FROM kpis ORDER BY workspace, created_at, id")
        ]

    def find_kpi(self, workspace: str, kpi_id: str) -> Kpi | None:
        rows = self._all(
            f"SELECT {_columns(Kpi)} FROM kpis WHERE id = ? AND workspace = ?", (kpi_id, workspace)
        )
        return Kpi(*rows[0]) if rows else None

    def cycle_page(self, workspace: str, limit: int) -> list[CycleRow]:
        """The ``limit`` review cycles due latest, first; with distinct reviewees and shared reviews."""
        cycles = [
            ReviewCycle(*r)
            for r in self._all(
                f"SELECT {_columns(ReviewCycle)} FROM review_cycles WHERE workspace = ? "
                "ORDER BY due_date DESC, created_at DESC, id LIMIT ?",
                (workspace, limit),
            )
        ]
        ids = [c.id for c in cycles]
        marks = ", ".join("?" * len(ids))
        counts: dict[str, int] = {}
        shared: dict[str, list[Review]] = {}
        if ids:
            for cycle_id, count in self._all(
                f"SELECT cycle_id, COUNT(DISTINCT employee) FROM reviews WHERE cycle_id IN ({marks}) "
                "GROUP BY cycle_id",
                ids,
            ):
                counts[cycle_id] = count
            for r in self._all(
                f"SELECT {_columns(Review)} FROM reviews WHERE cycle_id IN ({marks}) AND status = 'shared' "
                "ORDER BY shared_at DESC, id",
                ids,
            ):
                review = Review(*r)
                shared.setdefault(review.cycle_id, []).append(review)
        return [CycleRow(c, counts.get(c.id, 0), tuple(shared.get(c.id, ()))) for c in cycles]

    def find_review(self, workspace: str, review_id: str) -> tuple[Review, ReviewCycle, list[Answer]] | None:
        """A review of this workspace, shared or not, with its cycle and answers in order."""
        review_cols = ", ".join("r." + f.name for f in fields(Review))
        cycle_cols = ", ".join("c." + f.name for f in fields(ReviewCycle))
        rows = self._all(
            f"SELECT {review_cols}, {cycle_cols} FROM reviews r JOIN review_cycles c ON c.id = r.cycle_id "
            "WHERE r.id = ? AND c.workspace = ?",
            (review_id, workspace),
        )
        if not rows:
            return None
        n = len(fields(Review))
        answers = [
            Answer(*r)
            for r in self._all(
                f"SELECT {_columns(Answer)} FROM review_answers WHERE review_id = ? ORDER BY position",
                (review_id,),
            )
        ]
        return Review(*rows[0][:n]), ReviewCycle(*rows[0][n:]), answers

    def writes(self) -> list[ApiWrite]:
        return [
            ApiWrite(seq, kind, target_id, json.loads(body), recorded_at)
            for seq, kind, target_id, body, recorded_at in self._all(
                "SELECT seq, kind, target_id, body, recorded_at FROM api_writes ORDER BY seq"
            )
        ]

    def count(self, table: str) -> int:
        if table not in _TABLES.values():
            raise ValueError(f"unknown table {table!r}")
        return int(self._all(f"SELECT COUNT(*) FROM {table}")[0][0])
