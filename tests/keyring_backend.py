"""A keyring backend for tests: a JSON file outside the user's folders, never the OS keyring.

In the test's own process: ``keyring.set_keyring(FileKeyring(path))`` (the ``test_keyring`` fixture);
in a subprocess: ``PYTHON_KEYRING_BACKEND=keyring_backend.FileKeyring`` with ``OKRT_TEST_KEYRING``
naming the file and this folder on ``PYTHONPATH``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class FileKeyring(KeyringBackend):
    priority = 1

    def __init__(self, path: Path | None = None) -> None:
        super().__init__()
        self.path = path or Path(os.environ["OKRT_TEST_KEYRING"])

    def _load(self) -> dict[str, str]:
        return json.loads(self.path.read_text()) if self.path.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        stored = self._load()
        stored[f"{service}/{username}"] = password
        self.path.write_text(json.dumps(stored))

    def delete_password(self, service: str, username: str) -> None:
        stored = self._load()
        if stored.pop(f"{service}/{username}", None) is None:
            raise PasswordDeleteError("not stored")
        self.path.write_text(json.dumps(stored))
