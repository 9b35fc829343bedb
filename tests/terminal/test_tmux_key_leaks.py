"""The key appears nowhere but the Authorization header: three keys from three sources (the keyring, an
environment variable, a command) through the CLI and the dashboard with ``--debug``, every screen, a
form and the errors each key meets; then the user's folders, every byte written to the terminals,
their titles and every command's output are searched for each key. Skipped where tmux is absent."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from test_tmux_dashboard import REPO_ROOT, Pane, eventually, started_pane

from okrt_tui.sandbox.keys import ACME_ADMIN_KEY, ACME_KPI_KEY, ACME_READ_KEY
from okrt_tui.sandbox.server import SandboxServer

pytestmark = pytest.mark.terminal

KEYS = {"admin": ACME_ADMIN_KEY, "reader": ACME_READ_KEY, "kpis": ACME_KPI_KEY}


def xdg(tmp_path: Path) -> dict[str, str]:
    """The folders ``started_pane`` gives its program, so the CLI here shares them."""
    names = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")
    return {name: str(tmp_path / "xdg" / name.lower()) for name in names}


def cli(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "okrt_tui", "--debug", *args],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finished(process: subprocess.Popen[str], stdin: str | None = None) -> str:
    out, err = process.communicate(stdin or "", timeout=60)
    return f"$ {process.args}\nexit {process.returncode}\n{out}{err}"


def walk_dashboard(pane: Pane, profile: str, review: dict[str, str]) -> None:
    """Every screen, a detail, a form and the errors this key meets; the admin also opens a review,
    exports it and copies it (OSC 52: into the terminal's bytes)."""
    if profile == "kpis":
        pane.wait_for("okrs:read")  # this key may not read OKRs: the screen says which scope it lacks
    else:
        pane.wait_for("objectives", "● live")
        pane.keys("Enter")
        pane.wait_for("Key results (")
        pane.keys("c")
        pane.wait_for("Check-in:")
        pane.keys("Escape")
        pane.wait_gone("Check-in:")
        pane.keys("Escape")  # each escape awaited: a key right after one would arrive as alt+key
        pane.wait_gone("Key results (")
    pane.keys("2")
    pane.wait_for("Of tgt")
    pane.keys("u41")
    pane.wait_for("Update KPI")
    pane.keys("C-s")
    if profile == "reader":
        pane.wait_for("lacks the kpis:write scope")  # the form stays, with what was typed
        pane.keys("Escape")
        pane.wait_for("Throw away this kpi update?")
        pane.keys("y")
        pane.wait_gone("Update KPI")
    else:
        pane.wait_for("KPI update recorded")
    pane.keys("3")
    if profile == "kpis":
        pane.wait_for("This key lacks the reviews:read scope")
    else:
        pane.wait_for("Review cycle")
        pane.keys("orev-no-such-review")
        pane.wait_for("rev-no-such-review")
        pane.keys("Enter")
        pane.wait_for("Cannot open review")
        if profile == "admin":
            pane.keys("o" + review["id"], "Enter")
            pane.wait_for(review["employee"], "Export")
            pane.keys("e")
            pane.wait_for("Export the review")
            pane.keys("m")
            pane.wait_for("Saved")
            pane.keys("y")
            pane.wait_for("OSC 52")
            pane.keys("Escape")
            pane.wait_gone("Export")
    pane.keys("4")
    pane.wait_for("Outbox")
    pane.keys("?")
    pane.wait_for("Keys: Outbox")
    pane.keys("Escape")
    pane.wait_gone("Keys: Outbox")
    pane.keys("q")
    assert eventually(lambda: not pane.alive(), 10), pane.text()


@pytest.mark.slow
def test_three_keys_from_three_sources_appear_nowhere(
    sandbox: SandboxServer, tmp_path: Path, test_keyring: Path
) -> None:
    secrets = tmp_path / "secrets"  # outside the user's folders, as a password store would be
    secrets.mkdir()
    (secrets / "kpis.key").write_text(ACME_KPI_KEY + "\n")
    folders = xdg(tmp_path)
    config = Path(folders["XDG_CONFIG_HOME"]) / "okrt-tui" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(
        f'default_profile = "admin"\nbase_url = "{sandbox.base_url}"\n'
        "[profiles.admin]\nkey_keyring = true\n"
        '[profiles.reader]\nname = "Acme (read-only)"\nkey_env = "OKRT_READER_KEY"\n'
        f'[profiles.kpis]\nkey_command = "cat {secrets / "kpis.key"}"\n'
        f'[profiles.broken]\nkey_command = "cat {secrets / "kpis.key"} >&2; exit 3"\n'
        f'[review]\nexport_dir = "{tmp_path / "xdg" / "exports"}"\n'
    )
    config.chmod(0o600)
    env = {
        **os.environ,
        **folders,
        "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ["PYTHONPATH"]]),
        "OKRT_READER_KEY": ACME_READ_KEY,
    }
    env.pop("OKRT_API_KEY", None)
    outputs = [finished(login := cli(env, "auth", "login", "--stdin"), ACME_ADMIN_KEY + "\n")]
    assert login.returncode == 0, outputs[0]
    admin = {"Authorization": f"Bearer {ACME_ADMIN_KEY}"}
    kpi = httpx.get(f"{sandbox.base_url}/kpis", headers=admin).json()[0]
    cycles = httpx.get(f"{sandbox.base_url}/review-cycles", headers=admin).json()
    review = next(r for cycle in cycles for r in cycle.get("reviews", []))
    running = [cli(env, "auth", "status"), cli(env, "--profile", "broken", "kpis")]
    for profile in KEYS:
        running += [
            cli(env, "--profile", profile, "okrs"),
            cli(env, "kpis", "--json", "--profile", profile),
            cli(env, "--profile", profile, "kpi-update", kpi["id"], "7", "--comment", "leak test"),
            cli(env, "--profile", profile, "review", "rev-no-such-review"),
            cli(env, "--profile", profile, "outbox", "list"),
            cli(env, "--profile", profile, "report"),
        ]
    outputs += [finished(process) for process in running]

    records = {profile: tmp_path / f"{profile}.terminal" for profile in KEYS}
    titles: list[str] = []
    with ExitStack() as panes, ThreadPoolExecutor(len(KEYS)) as walkers:
        started = {
            profile: panes.enter_context(
                started_pane(
                    tmp_path,
                    f"--debug --profile {profile}",
                    {"OKRT_API_KEY": "", "OKRT_READER_KEY": ACME_READ_KEY},
                    record=records[profile],
                )
            )
            for profile in KEYS
        }
        for profile, pane in started.items():
            screen = pane.wait_for("│")
            label = "Acme (read-only)" if profile == "reader" else profile
            assert f" {label} │" in screen and "127.0.0.1" not in screen  # the profile names the workspace
            titles.append(pane.tmux("display-message", "-p", "-t", "okrt", "#{pane_title}"))
        for walked in [
            walkers.submit(walk_dashboard, pane, profile, review) for profile, pane in started.items()
        ]:
            walked.result()

    said = "\n".join(outputs)
    assert "failed with exit code 3: [api key]." in said  # the broken command's stderr, without the key
    assert "keyring backend FileKeyring" in said and "okrt_…" in said
    searched = [path for path in (tmp_path / "xdg").rglob("*") if path.is_file()]
    assert any(path.suffix == ".md" for path in searched)  # the exported review
    assert any(path.suffix == ".sqlite3" for path in searched) and any(
        p.name == "okrt-tui.log" for p in searched
    )
    for name, key in KEYS.items():
        for path in [*searched, *records.values()]:
            assert key.encode() not in path.read_bytes(), f"the {name} key is in {path}"
        assert key not in said, f"the {name} key was printed"
        assert not any(key in title for title in titles)


def test_auth_login_asks_for_the_key_without_showing_it(
    sandbox: SandboxServer, tmp_path: Path, test_keyring: Path
) -> None:
    record = tmp_path / "login.terminal"
    arguments = f"--base-url {sandbox.base_url} auth login"
    with started_pane(tmp_path, arguments, {"OKRT_API_KEY": ""}, record=record) as pane:
        pane.wait_for("API key (okrt_…, not shown):")
        pane.keys(ACME_READ_KEY, "Enter")
        assert eventually(lambda: "stored in the OS keyring" in record.read_text(errors="replace"), 20)
    assert ACME_READ_KEY.encode() not in record.read_bytes()  # not echoed as it was typed
    assert json.loads(test_keyring.read_text()) == {"okrt-tui/default": ACME_READ_KEY}
