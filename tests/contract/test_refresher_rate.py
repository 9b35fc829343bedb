"""A 429 on the dashboard's refresh, against the real sandbox: said at once, waited out as the server asked.

Real time throughout: the sandbox is real, and its Retry-After is seconds of the wall clock.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_client import offset_to_second
from test_refresher import all_loaded, running, until

from okrt_tui.api.errors import RateLimited
from okrt_tui.sandbox.keys import ACME_ADMIN_KEY
from okrt_tui.sandbox.server import SandboxServer
from okrt_tui.tui.widgets.cells import Tones
from okrt_tui.tui.widgets.status_bar import status_text


async def test_a_429_is_shown_at_once_and_the_refresh_resumes_when_retry_after_says(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    # Early in the window (~50 s of it left) the server asks for 2 s. The dashboard used to say
    # "refreshing" for the rest of the window: the 429's X-RateLimit-Remaining: 0 was learnt as other
    # clients' use, and the client's own retry loop held the fetch until the window ended.
    sandbox.control.set_clock(offset_to_second(5.0))
    async with running(sandbox.base_url, ACME_ADMIN_KEY, tmp_path) as session:
        loaded = await until(session, all_loaded)
        sandbox.control.fault("429", match="reads", seconds=2)
        session.refresher.refresh_now("okrs")
        limited = await until(session, lambda s: isinstance(s.okrs.error, RateLimited), timeout=5)
        assert not limited.okrs.loading and limited.okrs.items == loaded.okrs.items
        assert limited.okrs.retry_at is not None
        assert limited.okrs.retry_at - limited.taken_at == pytest.approx(2.0, abs=0.2)
        bar = status_text(limited, "okrs", limited.taken_at, Tones.plain(), 200).plain
        assert "⏸ rate limited · resuming in 2 s" in bar
        resumed = await until(session, lambda s: s.okrs.error is None and not s.okrs.loading, timeout=8)
    assert resumed.taken_at - limited.taken_at < 5
