"""Where okrt-tui keeps its files, and the hashes that name them without naming the key.

Directories follow platformdirs for the app name ``okrt-tui``, so on Linux the XDG variables move them
(the tests rely on that). A file that belongs to one workspace, the local database or the rate ledger,
is named by a short SHA-256 of the base URL and key: stable across runs, useless for recovering the
key. The ledger is per base URL too, as the server's windows are: a pause one server imposed on a key
does not hold back the same key on another server. (When its file cannot be used, the budget keeps
the ledger under the same name in a private folder of the temporary directory:
``okrt_tui.api.budget.fallback_ledger``.)
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import urlsplit

import msgspec
import platformdirs

APP_NAME = "okrt-tui"


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]


def workspace_label(base_url: str) -> str:
    """The API has no workspace name: the host names it well enough for the status bar."""
    return urlsplit(base_url).netloc or base_url


def ledger_hash(base_url: str, api_key: str) -> str:
    """Names the rate ledger: every process using this key on this server shares one."""
    return _digest("ledger", base_url.rstrip("/"), api_key)


def workspace_hash(base_url: str, api_key: str) -> str:
    """Names the local database of one workspace as seen through one key."""
    return _digest("workspace", base_url.rstrip("/"), api_key)


class Dirs(msgspec.Struct, frozen=True):
    """The four platform directories; ``for_root`` puts them all under one folder (the demo)."""

    config: Path
    data: Path
    state: Path
    cache: Path

    @classmethod
    def default(cls) -> Dirs:
        return cls(
            config=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
            data=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            state=Path(platformdirs.user_state_dir(APP_NAME, appauthor=False)),
            cache=Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
        )

    @classmethod
    def for_root(cls, root: Path) -> Dirs:
        return cls(root / "config", root / "data", root / "state", root / "cache")

    @property
    def config_file(self) -> Path:
        return self.config / "config.toml"

    @property
    def log_file(self) -> Path:
        return self.state / "okrt-tui.log"

    def ledger_file(self, base_url: str, api_key: str) -> Path:
        return self.state / f"budget-{ledger_hash(base_url, api_key)}"

    def database_file(self, base_url: str, api_key: str) -> Path:
        return self.data / f"{workspace_hash(base_url, api_key)}.sqlite3"

    def poller_lock_file(self, base_url: str, api_key: str, group: str) -> Path:
        """Held by the one monitor that polls for its ``group`` of this workspace (okrt_tui.sync.shared)."""
        return self.state / f"poller-{workspace_hash(base_url, api_key)}-{group}.lock"
