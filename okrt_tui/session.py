"""Everything one workspace needs below the screens, built in one place for the CLI and the TUI.

A session owns the budget (with its cross-process ledger), the client, the local database and the
refresher, so the dashboard and the scripting commands share exactly the same machinery.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import msgspec

from okrt_tui.api.budget import Budget
from okrt_tui.api.client import OkrtClient
from okrt_tui.api.clock import SYSTEM_CLOCK, Clock
from okrt_tui.paths import Dirs, workspace_label
from okrt_tui.store.db import Database

if TYPE_CHECKING:
    from okrt_tui.store.history import History
    from okrt_tui.sync.deliveries import Deliveries
    from okrt_tui.sync.refresher import Refresher
    from okrt_tui.sync.shared import Leadership


def open_client(
    base_url: str,
    api_key: str,
    *,
    dirs: Dirs,
    polling_share: float = 0.5,
    clock: Clock = SYSTEM_CLOCK,
    max_wait: float | None = None,
    blocking: bool = False,
) -> OkrtClient:
    """A client whose budget is shared, through the ledger, with every process using this key on this
    server. ``max_wait``: the longest one request waits for the rate limit (None: as long as it takes).
    The state directory is made by the budget, which also copes when it cannot be. ``blocking``: for
    the one-shot commands (see ``okrt_tui.api.blocking``)."""
    budget = Budget(dirs.ledger_file(base_url, api_key), poll_share=polling_share, clock=clock)
    return OkrtClient(base_url, api_key, budget=budget, clock=clock, max_wait=max_wait, blocking=blocking)


class Session(msgspec.Struct):
    client: OkrtClient
    database: Database
    history: History
    refresher: Refresher
    deliveries: Deliveries
    #: Held while this process polls for monitors that poll as one (``okrt_tui.sync.shared``).
    leadership: Leadership | None = None

    @property
    def budget(self) -> Budget:
        return self.client.budget

    @property
    def workspace(self) -> str:
        return self.refresher.snapshot.workspace

    @classmethod
    def open(
        cls,
        base_url: str,
        api_key: str,
        *,
        dirs: Dirs,
        workspace: str | None = None,
        polling_share: float = 0.5,
        clock: Clock = SYSTEM_CLOCK,
        feeds: Sequence[str] | None = None,
        poll_as_one: bool = False,
        database: Database | None = None,
    ) -> Session:
        """``feeds``: the lists the refresher polls (None: all of them). ``poll_as_one``: the sessions
        of this workspace that ask for it and poll the same lists poll as one, one of them polling for
        all (``okrt_tui.sync.shared``): the wall monitors. ``database``: the workspace's, when it is
        open already (the dashboard reads its cached lists before the session opens); the session
        closes it."""
        # Imported here: the scripting commands import this module for ``open_client`` alone.
        from okrt_tui.store.history import History
        from okrt_tui.store.outbox import KeyResultIds, Outbox
        from okrt_tui.sync.deliveries import Deliveries
        from okrt_tui.sync.refresher import Refresher
        from okrt_tui.sync.sender import Sender
        from okrt_tui.sync.shared import Leadership, SharedRefresher, group_of
        from okrt_tui.sync.snapshot import FEEDS

        client = open_client(base_url, api_key, dirs=dirs, polling_share=polling_share, clock=clock)
        if database is None:
            database = Database(dirs.database_file(base_url, api_key))
        history = History(database)
        label = workspace or workspace_label(base_url)
        polled = FEEDS if feeds is None else feeds
        leadership = None
        make: Callable[..., Refresher] = Refresher
        if poll_as_one:
            group = group_of(polled)
            leadership = Leadership(dirs.poller_lock_file(base_url, api_key, group))
            make = functools.partial(SharedRefresher, leadership=leadership, group=group)
        refresher = make(
            client, client.budget, workspace=label, store=database, history=history, clock=clock, feeds=polled
        )
        sender = Sender(client, Outbox(database), clock=clock)
        deliveries = Deliveries(sender, refresher, KeyResultIds(database), clock=clock)
        return cls(client, database, history, refresher, deliveries, leadership)

    async def aclose(self) -> None:
        if self.leadership is not None:
            self.leadership.release()
        await self.client.aclose()
        await asyncio.to_thread(self.history.close)  # what is queued is stored before the file closes
        self.database.close()
