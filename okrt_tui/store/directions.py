"""KPI directions inferred from the server's status, remembered per KPI of this workspace.

A KPI shows its direction in its status only while it is away from its target (near it both
readings are on track), so what one list taught is kept for the lists that cannot teach it
(:mod:`okrt_tui.views.direction`). Only inferences are stored: the API's field and config.toml are
read afresh every time.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from okrt_tui.store.db import Database


class RememberedDirections:
    def __init__(self, db: Database) -> None:
        self._db = db

    def remember(self, learned: Mapping[str, str]) -> None:
        """Stores ``learned`` (KPI id → ``lower`` or ``higher``), replacing what was known of those KPIs."""
        if not learned:
            return
        now = time.time()
        self._db.write_many(
            "INSERT INTO kpi_direction (kpi_id, direction, learned_at) VALUES (?, ?, ?) "
            "ON CONFLICT (kpi_id) DO UPDATE SET direction = excluded.direction, "
            "learned_at = excluded.learned_at",
            [(kpi_id, way, now) for kpi_id, way in learned.items()],
        )

    def all(self) -> dict[str, str]:
        rows = self._db.read("SELECT kpi_id, direction FROM kpi_direction")
        return {row[0]: row[1] for row in rows}
