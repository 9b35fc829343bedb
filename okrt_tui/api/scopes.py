"""Which of the five scopes a key holds: one request each, none of them a write.

The reads are found by reading (a 403 names the missing scope); the writes by
``OkrtClient.holds_write_scope``, a POST that the API's order of checks refuses before anything could
be recorded. ``okrt-tui auth status`` asks for all five; a wall monitor's ``--require-readonly`` asks
for the two write scopes only, two requests.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from okrt_tui.api.client import OkrtClient
from okrt_tui.api.errors import Forbidden, OkrtError

READ_SCOPES = ("okrs:read", "kpis:read", "reviews:read")
WRITE_SCOPES = ("kpis:write", "okr-checkins:write")
SCOPES = READ_SCOPES + WRITE_SCOPES

_READS: dict[str, Callable[[OkrtClient], Awaitable[Any]]] = {
    "okrs:read": OkrtClient.list_okrs,
    "kpis:read": OkrtClient.list_kpis,
    "reviews:read": OkrtClient.list_review_cycles,
}


async def held_scopes(client: OkrtClient, scopes: Iterable[str] = SCOPES) -> dict[str, bool]:
    """Each scope asked for → whether the key holds it. A rejected key (401) raises ``Unauthorized``:
    it holds nothing, and the error says what to do about it better than five "no"s would."""
    held: dict[str, bool] = {}
    for scope in scopes:
        if scope in WRITE_SCOPES:
            held[scope] = await client.holds_write_scope(scope)
            continue
        try:
            await _READS[scope](client)
        except Forbidden:
            held[scope] = False
        else:
            held[scope] = True
    return held


class ReadWriteKey(OkrtError):
    """``--require-readonly`` and a key that can write: exit 3, the code of a key unfit for the
    command (INTERFACE.md: missing, invalid, revoked, or without the scope it needs)."""

    exit_code = 3


async def refuse_writers(client: OkrtClient) -> None:
    """Raises ``ReadWriteKey`` when the key holds a write scope: two requests, neither records anything."""
    held = [scope for scope, has in (await held_scopes(client, WRITE_SCOPES)).items() if has]
    if held:
        raise ReadWriteKey(
            f"--require-readonly: this key can write ({' and '.join(held)}), so the monitor does not "
            "start; make a key with only okrs:read, kpis:read and reviews:read in the OKRs Tool web "
            "app under Settings → API Keys, and use that one."
        )
