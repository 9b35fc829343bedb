"""Profiles and key sources: which settings win, where the key comes from, and what the user reads
when a source gives none or the file is wrong (always the file, the line and the setting)."""

from __future__ import annotations

import stat
import time
from pathlib import Path

import keyring
import pytest

from okrt_tui import keys
from okrt_tui.config import EXAMPLE, ConfigError, MissingKey, load_settings
from okrt_tui.keys import KeyUnavailable
from okrt_tui.paths import Dirs

KEY = "okrt_acme_read_Hs6Jp1Wd5Ny0Bc2Q"
OTHER = "okrt_acme_kpi_Ue3Gv7Ka9Zr4Mx1L"


@pytest.fixture
def dirs(tmp_path: Path) -> Dirs:
    dirs = Dirs.for_root(tmp_path)
    dirs.config.mkdir(parents=True)
    return dirs


def write(dirs: Dirs, text: str, mode: int = 0o600) -> Path:
    dirs.config_file.write_text(text)
    dirs.config_file.chmod(mode)
    return dirs.config_file


PROFILES = """\
default_profile = "acme"
base_url = "http://top.example/api/v1"
polling_share = 0.4
theme = "textual-light"

[profiles.acme]
base_url = "http://acme.example/api/v1"
key_env = "ACME_KEY"

[profiles.wall]
name = "Team room"
polling_share = 0.25
monitor_rotate = 20
monitor_screens = "okrs,kpis:30"
monitor_require_readonly = true
key_env = "WALL_KEY"

[profiles.bare]
"""


def test_the_profile_comes_from_the_option_then_the_environment_then_default_profile(dirs: Dirs) -> None:
    write(dirs, PROFILES)
    assert load_settings(dirs, env={}, with_key=False).profile == "acme"
    assert load_settings(dirs, env={"OKRT_PROFILE": "wall"}, with_key=False).profile == "wall"
    assert load_settings(dirs, profile="bare", env={"OKRT_PROFILE": "wall"}, with_key=False).profile == "bare"


def test_a_setting_comes_from_the_option_then_the_environment_then_the_profile_then_the_top_level(
    dirs: Dirs,
) -> None:
    write(dirs, PROFILES)
    # profile > top level > default
    assert load_settings(dirs, env={"ACME_KEY": KEY}).base_url == "http://acme.example/api/v1"
    assert load_settings(dirs, profile="bare", env={}).base_url == "http://top.example/api/v1"
    wall = load_settings(dirs, profile="wall", env={}, with_key=False)
    assert (wall.polling_share, wall.ui.theme) == (0.25, "textual-light")
    assert load_settings(dirs, profile="bare", env={}).polling_share == 0.4
    # environment > profile, option > environment
    env = {"OKRT_BASE_URL": "http://env.example/api/v1", "ACME_KEY": KEY}
    assert load_settings(dirs, env=env).base_url == "http://env.example/api/v1"
    assert load_settings(dirs, base_url="http://opt.example/api/v1", env=env).base_url == (
        "http://opt.example/api/v1"
    )
    dirs.config_file.unlink()
    assert load_settings(dirs, env={}).polling_share == 0.5  # the default


def test_the_key_in_the_environment_beats_the_profile_source(dirs: Dirs) -> None:
    write(dirs, PROFILES)
    from_profile = load_settings(dirs, env={"ACME_KEY": OTHER})
    assert (from_profile.api_key, from_profile.key_source) == (
        OTHER,
        "the environment variable ACME_KEY (key_env)",
    )
    both = load_settings(dirs, env={"ACME_KEY": OTHER, "OKRT_API_KEY": KEY})
    assert (both.api_key, both.key_source) == (KEY, "the environment variable OKRT_API_KEY")


def test_the_status_bar_label_and_the_monitor_settings_come_from_the_profile(dirs: Dirs) -> None:
    write(dirs, PROFILES)
    wall = load_settings(dirs, profile="wall", env={"WALL_KEY": KEY})
    assert wall.label == "Team room"
    assert (wall.monitor.rotate, wall.monitor.screens, wall.monitor.require_readonly) == (
        20,
        "okrs,kpis:30",
        True,
    )
    assert load_settings(dirs, env={"ACME_KEY": KEY}).label == "acme"
    dirs.config_file.unlink()
    assert load_settings(dirs, env={"OKRT_API_KEY": KEY}).label is None  # the host then names it


def test_the_top_level_settings_alone_work_as_before_profiles(dirs: Dirs) -> None:
    write(
        dirs,
        'base_url = "http://file.example/api/v1"\npolling_share = 0.3\n[keymap]\n"okrt.refresh" = "f5"\n',
    )
    settings = load_settings(dirs, env={"OKRT_API_KEY": KEY})
    assert (settings.profile, settings.base_url, settings.polling_share) == (
        None,
        "http://file.example/api/v1",
        0.3,
    )
    assert settings.ui.keymap == {"okrt.refresh": "f5"}


def test_a_profile_keymap_adds_to_the_top_level_one(dirs: Dirs) -> None:
    write(
        dirs,
        '[keymap]\n"okrt.refresh" = "f5"\n"okrt.quit" = "q"\n[profiles.a.keymap]\n"okrt.quit" = "ctrl+q"\n',
    )
    assert load_settings(dirs, profile="a", env={}).ui.keymap == {"okrt.refresh": "f5", "okrt.quit": "ctrl+q"}


@pytest.mark.parametrize(
    ("text", "line", "said"),
    [
        ("[profiles.a]\nkey_env = 'X'\nthme = 'x'\n", 3, r"profiles\.a\.thme is not a setting"),
        (
            "[profiles.a]\n\npolling_share = 'lots'\n",
            3,
            r"profiles\.a\.polling_share must be a number, not a quoted",
        ),
        (
            "[profiles.a]\npolling_share = 2.0\n",
            2,
            r"profiles\.a\.polling_share must be above 0 and at most 1",
        ),
        ("[profiles.a]\nkey_env = 'X'\nkey_command = 'pass x'\n", 3, r"key_command is a second key source"),
        (
            "default_profile = 'b'\n[profiles.a]\n",
            1,
            r"default_profile names the profile 'b'.*only the profiles a",
        ),
        (
            "[profiles.a.keymap]\n'okrt.refresh' = 5\n",
            2,
            r"profiles\.a\.keymap\.okrt\.refresh must be a quoted",
        ),
        ("[profiles.a]\nmonitor_screens = 'okrs,clock'\n", 2, r"monitor_screens is not a list of"),
        ("[profiles.a]\nmonitor_rotate = 0\n", 2, r"monitor_rotate must be from 5 to 3600 seconds"),
        ("[profiles.a]\nbase_url = 'go.okrstool.com'\n", 2, r"base_url must start with http"),
        (
            '[kpis.direction]\n"Bugs" = "down"\n',
            2,
            r"kpis\.direction\.Bugs gives the direction .down.",
        ),
        ("thme = 'x'\n", 1, r"^.*, line 1: thme is not a setting"),
    ],
)
def test_a_configuration_error_names_the_file_the_line_and_the_setting(
    dirs: Dirs, text: str, line: int, said: str
) -> None:
    path = write(dirs, text)
    with pytest.raises(ConfigError, match=said) as caught:
        load_settings(dirs, profile="a" if "profiles.a" in text else None, env={})
    assert str(caught.value).startswith(f"{path}, line {line}: ")


def test_an_unknown_profile_named_by_option_or_environment_is_said_with_the_profiles_there_are(
    dirs: Dirs,
) -> None:
    with pytest.raises(ConfigError, match="does not exist: `okrt-tui config init`"):
        load_settings(dirs, profile="acme", env={})
    write(dirs, PROFILES)
    with pytest.raises(ConfigError, match=r"OKRT_PROFILE names the profile 'nope'.*acme, bare, wall"):
        load_settings(dirs, env={"OKRT_PROFILE": "nope"})


def test_the_example_config_is_all_commented_out_and_valid_once_uncommented(dirs: Dirs) -> None:
    write(dirs, EXAMPLE)
    assert load_settings(dirs, env={"OKRT_API_KEY": KEY}).profile is None  # changes nothing as written
    uncommented = "\n".join(
        line[1:] if line[:1] == "#" and line[1:2] != " " else line for line in EXAMPLE.splitlines()
    )
    write(dirs, uncommented.replace("key_command =", "#key_command ="))
    settings = load_settings(dirs, env={"OKRT_API_KEY": KEY})
    assert (settings.profile, settings.label) == ("acme", "Acme")
    assert load_settings(dirs, profile="wall", env={"OKRT_API_KEY": KEY}).monitor.public is True


# -- key sources --------------------------------------------------------------------------------------------


def test_key_env_names_the_variable_and_says_when_it_is_unset(dirs: Dirs) -> None:
    path = write(dirs, "[profiles.a]\nkey_env = 'A_KEY'\n")
    assert load_settings(dirs, profile="a", env={"A_KEY": f" {KEY}\n"}).api_key == KEY
    with pytest.raises(KeyUnavailable, match=rf"A_KEY \({path}, line 2\), which is not set") as caught:
        load_settings(dirs, profile="a", env={})
    assert caught.value.exit_code == 3


def test_settings_never_show_their_key(dirs: Dirs) -> None:
    settings = load_settings(dirs, env={"OKRT_API_KEY": KEY})
    assert KEY not in repr(settings) and KEY not in str(settings) and KEY not in f"{[settings]}"


def test_key_command_gives_the_first_line_it_prints(dirs: Dirs) -> None:
    write(dirs, f"[profiles.a]\nkey_command = \"printf '{KEY}\\\\nuser: me\\\\n'\"\n")
    settings = load_settings(dirs, profile="a", env={})
    assert settings.api_key == KEY
    assert (
        settings.key_source is not None
        and "key_command" in settings.key_source
        and KEY not in settings.key_source
    )


def test_a_failing_key_command_says_so_with_its_stderr_but_never_the_key(dirs: Dirs) -> None:
    # A command that printed the key, then another (a key-like token), on stderr before failing.
    command = f"echo {KEY}; echo 'vault: sealed, token {OTHER} expired' >&2; exit 4"
    path = write(dirs, f'[profiles.a]\nkey_command = "{command}"\n')
    with pytest.raises(KeyUnavailable) as caught:
        load_settings(dirs, profile="a", env={})
    said = str(caught.value)
    assert f"{path}, line 2) failed with exit code 4: vault: sealed, token [api key] expired." in said
    assert KEY not in said and OTHER not in said


def test_an_empty_key_command_says_it_printed_nothing(dirs: Dirs) -> None:
    write(dirs, "[profiles.a]\nkey_command = 'true'\n")
    with pytest.raises(KeyUnavailable, match=r"printed nothing: it must print the key on stdout"):
        load_settings(dirs, profile="a", env={})


def test_a_slow_key_command_is_stopped_at_the_timeout(dirs: Dirs, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keys, "KEY_COMMAND_TIMEOUT", 0.3)
    write(dirs, "[profiles.a]\nkey_command = 'sleep 20'\n")
    started = time.monotonic()
    with pytest.raises(KeyUnavailable, match=r"did not finish within 0.3 s and was stopped"):
        load_settings(dirs, profile="a", env={})
    assert time.monotonic() - started < 5


def test_a_key_in_the_file_works_with_a_warning_naming_its_line(dirs: Dirs) -> None:
    path = write(dirs, f"[profiles.a]\nname = 'A'\nkey = '{KEY}'\n")
    settings = load_settings(dirs, profile="a", env={})
    assert settings.api_key == KEY
    (warning,) = settings.warnings
    assert warning.startswith(f"{path}, line 3: the API key of profile a is written in the file")
    assert "okrt-tui auth login --profile a" in warning and KEY not in warning
    assert settings.ui.warnings == settings.warnings  # the dashboard shows them too


@pytest.mark.parametrize(("mode", "warned"), [(0o600, False), (0o640, True), (0o604, True), (0o620, True)])
def test_a_config_file_others_can_read_earns_a_warning_naming_the_chmod(
    dirs: Dirs, mode: int, warned: bool
) -> None:
    path = write(dirs, "theme = 'textual-dark'\n", mode)
    expected = (
        f"{path} is not private ({stat.filemode(stat.S_IFREG | mode)}: other users of this computer can "
        f"read or change it); run `chmod 600 {path}`."
    )
    assert load_settings(dirs, env={}).warnings == ((expected,) if warned else ())


def test_the_keyring_gives_the_key_of_each_profile(dirs: Dirs, test_keyring: Path) -> None:
    write(dirs, "[profiles.a]\nkey_keyring = true\n[profiles.b]\n")
    keyring.set_password("okrt-tui", "a", KEY)
    keyring.set_password("okrt-tui", "b", OTHER)
    a = load_settings(dirs, profile="a", env={})
    assert (a.api_key, a.key_source) == (KEY, "the OS keyring (okrt-tui/a)")
    # A profile naming no source finds what `auth login` stored too.
    assert load_settings(dirs, profile="b", env={}).api_key == OTHER
    keyring.delete_password("okrt-tui", "a")
    with pytest.raises(
        KeyUnavailable, match=r"No key for profile a is stored in the OS keyring.*auth login --profile a"
    ):
        load_settings(dirs, profile="a", env={})


def test_without_a_keyring_backend_key_keyring_says_where_else_the_key_can_go(dirs: Dirs) -> None:
    write(dirs, "[profiles.a]\nkey_keyring = true\n[profiles.b]\n")
    with pytest.raises(KeyUnavailable, match=r"No OS keyring is available.*key_env.*key_command") as caught:
        load_settings(dirs, profile="a", env={})
    assert "headless" in str(caught.value)
    # A profile that names no source simply has no key: the sentence says how to give it one.
    with pytest.raises(
        MissingKey, match=r"No API key for profile b: store it with `okrt-tui auth login --profile b`"
    ):
        load_settings(dirs, profile="b", env={}).require_key()
