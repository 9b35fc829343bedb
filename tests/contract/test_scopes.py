"""Finding a key's scopes against the sandbox: each of its six keys, the requests it took, nothing written."""

from __future__ import annotations

import pytest

from okrt_tui.api.budget import Budget
from okrt_tui.api.client import OkrtClient
from okrt_tui.api.errors import Unauthorized
from okrt_tui.api.scopes import SCOPES, WRITE_SCOPES, held_scopes
from okrt_tui.sandbox.keys import (
    ACME_ADMIN_KEY,
    ACME_KPI_KEY,
    ACME_NONE_KEY,
    ACME_READ_KEY,
    ACME_REVOKED_KEY,
    GLOBEX_ADMIN_KEY,
    KEYS,
)
from okrt_tui.sandbox.server import SandboxServer


async def scopes_of(server: SandboxServer, key: str, scopes: tuple[str, ...] = SCOPES) -> dict[str, bool]:
    async with OkrtClient(server.base_url, key, budget=Budget(None)) as client:
        return await held_scopes(client, scopes)


@pytest.mark.parametrize(
    "key", [ACME_ADMIN_KEY, ACME_READ_KEY, ACME_KPI_KEY, ACME_NONE_KEY, GLOBEX_ADMIN_KEY]
)
async def test_each_sandbox_key_shows_its_own_scopes_in_five_requests_and_writes_nothing(
    server: SandboxServer, key: str
) -> None:
    before = server.control.requests_of(key)
    held = await scopes_of(server, key)
    assert {scope for scope, yes in held.items() if yes} == set(KEYS[key].scopes)
    assert server.control.requests_of(key) - before == 5
    assert server.control.writes() == []


async def test_a_readonly_check_asks_only_the_two_write_scopes(server: SandboxServer) -> None:
    before = server.control.requests_of(ACME_READ_KEY)
    assert await scopes_of(server, ACME_READ_KEY, WRITE_SCOPES) == dict.fromkeys(WRITE_SCOPES, False)
    assert server.control.requests_of(ACME_READ_KEY) - before == 2


async def test_a_revoked_key_is_said_to_be_rejected_rather_than_to_hold_nothing(
    server: SandboxServer,
) -> None:
    with pytest.raises(Unauthorized, match="rejected"):
        await scopes_of(server, ACME_REVOKED_KEY)
