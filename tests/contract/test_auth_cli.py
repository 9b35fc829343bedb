"""``auth`` and ``config`` against the real sandbox: what each key can do, what is stored where, and the
shell completion. The keyring is the tests' file backend (``test_keyring``) or keyring's fail backend."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import keyring
import pytest
from click.testing import CliRunner, Result

from okrt_tui.cli import main
from okrt_tui.paths import Dirs
from okrt_tui.sandbox.keys import (
    ACME_ADMIN_KEY,
    ACME_KPI_KEY,
    ACME_NONE_KEY,
    ACME_READ_KEY,
    ACME_REVOKED_KEY,
    GLOBEX_ADMIN_KEY,
    KEYS,
    key_hash,
)
from okrt_tui.sandbox.server import SandboxServer

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env, input=stdin)


def config(text: str) -> Path:
    path = Dirs.default().config_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o600)
    return path


@pytest.mark.parametrize(
    "key", [ACME_ADMIN_KEY, ACME_READ_KEY, ACME_KPI_KEY, ACME_NONE_KEY, GLOBEX_ADMIN_KEY, ACME_REVOKED_KEY]
)
def test_auth_status_shows_each_sandbox_keys_scopes_and_the_requests_it_made(
    server: SandboxServer, key: str
) -> None:
    config(f'[profiles.ws]\nbase_url = "{server.base_url}"\nkey_env = "WS_KEY"\n')
    before = server.control.requests_of(key)
    result = run("auth", "status", env={"WS_KEY": key})
    made = server.control.requests_of(key) - before
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "ws",
        f"  base URL  {server.base_url}",
        f"  key       okrt_…{key[-4:]}, from the environment variable WS_KEY (key_env)",
    ]
    assert key not in result.output
    if key == ACME_REVOKED_KEY:
        # Rejected at the first request, so no point asking four more (a revoked key's requests count
        # in no window of the sandbox's: it records none).
        assert lines[-1] == "  requests  1 (none of them writes)" and made == 0
        assert lines[3].startswith("  scopes    unknown: ") and "rejected" in lines[3]
        assert result.exit_code == 3
        return
    assert made == 5
    assert lines[-1] == "  requests  5 (none of them writes)"
    works = [
        scope
        for scope in ("okrs:read", "kpis:read", "reviews:read", "kpis:write", "okr-checkins:write")
        if scope in KEYS[key].scopes
    ]
    assert lines[3].startswith(f"  scopes    works: {', '.join(works) or 'none'}; missing: ")
    assert result.exit_code == 0
    assert server.control.writes() == []


def test_auth_status_lists_every_profile_with_its_source(server: SandboxServer, test_keyring: Path) -> None:
    keyring.set_password("okrt-tui", "acme", ACME_ADMIN_KEY)
    config(
        'default_profile = "acme"\n'
        f'base_url = "{server.base_url}"\n'
        "[profiles.acme]\nkey_keyring = true\n"
        "[profiles.wall]\nkey_env = 'WALL_KEY'\n"
        "[profiles.nokey]\nkey_keyring = false\n"
    )
    result = run("auth", "status", env={"WALL_KEY": ACME_READ_KEY})
    out = result.stdout
    assert "acme (default_profile)\n" in out and "from the OS keyring (okrt-tui/acme)" in out
    assert "wall\n" in out and "from the environment variable WALL_KEY (key_env)" in out
    assert "nokey\n" in out and "key       none: No API key for profile nokey" in out
    assert result.exit_code == 3  # one profile has no key
    assert ACME_ADMIN_KEY not in result.output and ACME_READ_KEY not in result.output


def test_auth_login_checks_the_key_and_stores_it_in_the_keyring(
    server: SandboxServer, test_keyring: Path
) -> None:
    config(f'[profiles.acme]\nbase_url = "{server.base_url}"\n')
    before = server.control.requests_of(ACME_NONE_KEY)
    # A key without any scope is still a key: the API knows it (403, not 401).
    result = run("auth", "login", "--profile", "acme", "--stdin", stdin=ACME_NONE_KEY + "\n")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"The key okrt_…{ACME_NONE_KEY[-4:]} works on {server.base_url}; it is stored in the OS keyring "
        "(keyring backend FileKeyring) for profile acme.\n"
    )
    assert server.control.requests_of(ACME_NONE_KEY) - before == 1
    assert keyring.get_password("okrt-tui", "acme") == ACME_NONE_KEY
    assert ACME_NONE_KEY not in test_keyring.read_text().replace(ACME_NONE_KEY, "", 1)  # stored once
    assert ACME_NONE_KEY not in result.output
    # The stored key is what the profile now uses.
    status = run("auth", "status", "--profile", "acme")
    assert "from the OS keyring (okrt-tui/acme)" in status.stdout
    logout = run("auth", "logout", "--profile", "acme")
    assert logout.stdout == "The key of profile acme was removed from the OS keyring.\n"
    assert keyring.get_password("okrt-tui", "acme") is None
    assert run("auth", "logout", "--profile", "acme").stdout.startswith("No key of profile acme is stored")


def test_auth_login_says_when_another_source_comes_before_the_stored_key(
    server: SandboxServer, test_keyring: Path
) -> None:
    config(f'[profiles.acme]\nbase_url = "{server.base_url}"\nkey_env = "ACME_KEY"\n')
    result = run(
        "auth",
        "login",
        "--profile",
        "acme",
        "--stdin",
        stdin=ACME_READ_KEY,
        env={"OKRT_API_KEY": ACME_KPI_KEY},
    )
    assert result.exit_code == 0
    assert "OKRT_API_KEY is set, and comes before the keyring" in result.stderr
    assert "names key_env as the key's source, which comes first" in result.stderr


def test_auth_login_stores_nothing_when_the_api_rejects_the_key(
    server: SandboxServer, test_keyring: Path
) -> None:
    result = run("--base-url", server.base_url, "auth", "login", "--stdin", stdin=ACME_REVOKED_KEY)
    assert result.exit_code == 3
    assert "Nothing was stored." in result.stderr and ACME_REVOKED_KEY not in result.output
    assert not test_keyring.exists()


def test_auth_login_refuses_what_is_not_a_key_before_sending_anything(server: SandboxServer) -> None:
    result = run("--base-url", server.base_url, "auth", "login", "--stdin", stdin="hunter2\n")
    assert result.exit_code == 1
    assert "not an OKRs Tool API key (they start with okrt_); nothing was stored" in result.stderr
    assert server.control.requests() == [] or all(
        row["key_hash"] != key_hash("hunter2") for row in server.control.requests()
    )


def test_auth_login_without_a_keyring_says_where_else_the_key_can_go(server: SandboxServer) -> None:
    result = run("--base-url", server.base_url, "auth", "login", "--stdin", stdin=ACME_READ_KEY)
    assert result.exit_code == 3
    assert result.stderr.startswith(
        "okrt-tui: Nothing was stored: no OS keyring is available on this computer"
    )
    assert "key_env" in result.stderr and "key_command" in result.stderr
    assert ACME_READ_KEY not in result.output


def test_config_path_names_each_file_and_init_writes_a_private_example_once() -> None:
    dirs = Dirs.default()
    paths = run("config", "path")
    assert f"config.toml          {dirs.config_file}  (none yet" in paths.stdout
    assert str(dirs.log_file) in paths.stdout and f"{dirs.data}/<workspace>.sqlite3" in paths.stdout
    first = run("config", "init")
    assert first.exit_code == 0 and dirs.config_file.stat().st_mode & 0o777 == 0o600
    written = dirs.config_file.read_text()
    assert "[profiles.acme]" in written and "key_command" in written
    dirs.config_file.write_text("# mine\n")
    again = run("config", "init")
    assert again.exit_code == 1 and "exists already; nothing was written" in again.stderr
    assert dirs.config_file.read_text() == "# mine\n"


def completion(env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "okrt_tui"],
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize(
    ("shell", "marker"), [("bash", "complete -o"), ("zsh", "compdef"), ("fish", "complete ")]
)
def test_shell_completion_scripts_come_from_click(shell: str, marker: str) -> None:
    assert marker in completion({"_OKRT_TUI_COMPLETE": f"{shell}_source"})


def test_completion_offers_commands_and_the_profiles_of_the_config_file() -> None:
    config("[profiles.acme]\n[profiles.wall]\n[profiles.work]\n")
    words = completion(
        {"_OKRT_TUI_COMPLETE": "bash_complete", "COMP_WORDS": "okrt-tui au", "COMP_CWORD": "1"}
    )
    assert "plain,auth" in words.splitlines()
    words = completion(
        {"_OKRT_TUI_COMPLETE": "bash_complete", "COMP_WORDS": "okrt-tui --profile w", "COMP_CWORD": "2"}
    )
    assert words.splitlines() == ["plain,wall", "plain,work"]
