"""What the user chose: the profile, the API to talk to, its key, and the dashboard's settings.

Precedence is INTERFACE.md's: command-line option > environment > profile > the file's top level >
default. The file is ``config.toml`` in the platform config dir, read with tomllib and validated with
msgspec; every mistake in it becomes one sentence naming the file, the line and the setting (msgspec
names no line, so the line is found in the text: ``_line_of``).

A profile (``[profiles.NAME]``) takes every setting the top level takes, and overrides it; the top
level is what every profile shares, and the whole configuration when there are no profiles (as before
profiles existed). The key comes from ``OKRT_API_KEY``, else from the profile's one key source (a key
source is taken whole: the profile's when it names one, else the top level's): the OS keyring
(``key_keyring``), an environment variable (``key_env``), a command (``key_command``) or the file
itself (``key``, warned). With no source named, the keyring is looked in when this computer has one,
as ``okrt-tui auth login`` stores keys there.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgspec

from okrt_tui.api.errors import OkrtError
from okrt_tui.paths import Dirs

DEFAULT_BASE_URL = "https://go.okrstool.com/api/v1"
KEYS_HELP = "Create one in the OKRs Tool web app under Settings → API Keys."
#: The keyring account of the settings without a profile.
DEFAULT_ACCOUNT = "default"


class ConfigError(OkrtError):
    """The config file or environment cannot be used as it is; nothing was sent."""

    exit_code = 1


class MissingKey(OkrtError):
    exit_code = 3


class _Review(msgspec.Struct, forbid_unknown_fields=True):
    summarize_command: str | None = None
    export_dir: str | None = None


class _Kpis(msgspec.Struct, forbid_unknown_fields=True):
    #: KPI id or exact name → which way is better; the API does not say (see okrt_tui.views.direction).
    direction: dict[str, Any] = msgspec.field(default_factory=dict)


class _Profile(msgspec.Struct, forbid_unknown_fields=True):
    """The settings of one profile, and of the top level. Tables of strings are read as ``Any`` and
    checked here: msgspec's error for a value in a table does not say which key holds it."""

    name: str | None = None
    base_url: str | None = None
    key_keyring: bool | None = None
    key_env: str | None = None
    key_command: str | None = None
    key: str | None = None
    theme: str | None = None
    polling_share: float | None = None
    monitor_rotate: float | None = None
    monitor_screens: str | None = None
    monitor_public: bool | None = None
    monitor_require_readonly: bool | None = None
    keymap: dict[str, Any] = msgspec.field(default_factory=dict)
    review: _Review = msgspec.field(default_factory=_Review)
    kpis: _Kpis = msgspec.field(default_factory=_Kpis)


class _TopLevel(_Profile):
    default_profile: str | None = None
    profiles: dict[str, Any] = msgspec.field(default_factory=dict)


_KEY_SOURCES = ("key_keyring", "key_env", "key_command", "key")


class UiSettings(msgspec.Struct, frozen=True):
    """What the dashboard needs from the config file."""

    keymap: Mapping[str, str] = msgspec.field(default_factory=dict)
    theme: str | None = None
    summarize_command: str | None = None
    export_dir: Path | None = None
    #: ``[kpis.direction]``: KPI id or exact name → ``lower`` or ``higher`` (is better).
    kpi_directions: Mapping[str, str] = msgspec.field(default_factory=dict)
    #: The demo reads no config file (so has no summariser): ``x`` says so instead of naming config.toml.
    demo: bool = False
    #: ``Settings.warnings`` again, for the dashboard to show: on stderr they hide behind its screen.
    warnings: tuple[str, ...] = ()


class MonitorSettings(msgspec.Struct, frozen=True):
    """The wall monitor's defaults from the profile; its command-line options override them."""

    rotate: float | None = None
    #: As ``monitor --screens`` takes it: ``okrs,kpis:30,reviews``.
    screens: str | None = None
    public: bool = False
    require_readonly: bool = False


class Settings(msgspec.Struct, frozen=True):
    base_url: str
    api_key: str | None
    polling_share: float
    ui: UiSettings
    #: The profile chosen, None for the file's top level alone.
    profile: str | None = None
    #: What the status bar and the monitor call the workspace: ``name``, else the profile's name.
    label: str | None = None
    #: Where the key came from, for ``auth status`` (never the key itself).
    key_source: str | None = None
    monitor: MonitorSettings = msgspec.field(default_factory=MonitorSettings)
    #: Sentences for stderr: a key written in the file, a file others can read.
    warnings: tuple[str, ...] = ()
    config_path: Path | None = None

    def __repr__(self) -> str:
        """Without the key: a settings object in a debugger, a log line or an assertion shows no key."""
        return (
            f"Settings(profile={self.profile!r}, base_url={self.base_url!r}, key_source={self.key_source!r})"
        )

    @property
    def account(self) -> str:
        """The keyring account of this profile."""
        return self.profile or DEFAULT_ACCOUNT

    def require_key(self) -> str:
        if self.api_key:
            return self.api_key
        if self.profile is None:
            raise MissingKey(
                "No API key: set OKRT_API_KEY to your okrt_… key, or store it with `okrt-tui auth login`. "
                + KEYS_HELP
            )
        raise MissingKey(
            f"No API key for profile {self.profile}: store it with `okrt-tui auth login --profile "
            f"{self.profile}`, name a key_env or key_command in its table of {self.config_path}, or set "
            f"OKRT_API_KEY. {KEYS_HELP}"
        )


# -- finding a setting's line --------------------------------------------------------------------------------

_BARE_OR_QUOTED = r"""[A-Za-z0-9_\-]+|"[^"]*"|'[^']*'"""
_PART = re.compile(_BARE_OR_QUOTED)
_HEADER = re.compile(r"^\s*\[(?!\[)(?P<keys>[^\]]+)\]")
_ASSIGN = re.compile(rf"^\s*(?P<keys>(?:{_BARE_OR_QUOTED})(?:\s*\.\s*(?:{_BARE_OR_QUOTED}))*)\s*=")


def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(part.strip("\"'") for part in _PART.findall(dotted))


def _line_of(text: str, keys: tuple[str, ...]) -> int | None:
    """The line (from 1) where the setting ``keys`` is written: its assignment, else the table header
    or inline table that holds it. Multi-line strings are stepped over."""
    table: tuple[str, ...] = ()
    best: tuple[int, int] | None = None  # (length of the prefix of ``keys`` matched, line)
    in_string = False
    for number, line in enumerate(text.splitlines(), start=1):
        quotes = line.count('"""') + line.count("'''")
        if in_string:
            in_string = quotes % 2 == 0
            continue
        in_string = quotes % 2 == 1
        header = _HEADER.match(line)
        if header:
            table = _parts(header["keys"])
            here = table
        elif assign := _ASSIGN.match(line):
            here = table + _parts(assign["keys"])
        else:
            continue
        if here == keys:
            return number
        if keys[: len(here)] == here and (best is None or len(here) > best[0]):
            best = (len(here), number)
    return best[1] if best else None


_TYPES = {"float": "a number", "int": "a whole number", "str": "a quoted string", "bool": "true or false"}
_TYPES |= {"object": "a table", "array": "a list"}
_EXPECTED = re.compile(r"Expected `(?P<want>[^`]+)`, got `(?P<got>[^`]+)`(?: - at `\$(?P<at>[^`]*)`)?")
_UNKNOWN = re.compile(r"Object contains unknown field `(?P<field>[^`]+)`(?: - at `\$(?P<at>[^`]*)`)?")


def _type_name(spec: str) -> str:
    kinds = [_TYPES.get(kind.strip(), kind.strip()) for kind in spec.split("|") if kind.strip() != "null"]
    return " or ".join(kinds)


class ConfigFile:
    """The parsed file, kept with its text so that every mistake can name its line."""

    def __init__(self, path: Path, text: str | None, top: _TopLevel, profiles: dict[str, _Profile]) -> None:
        self.path = path
        self.text = text or ""
        self.exists = text is not None
        self.top = top
        self.profiles = profiles
        self.warnings = _permission_warnings(path) if self.exists else ()

    def error(self, keys: tuple[str, ...], problem: str) -> ConfigError:
        """``problem`` continues the setting's dotted name: "must be …", "is not …"."""
        line = _line_of(self.text, keys)
        where = f"{self.path}, line {line}" if line else str(self.path)
        return ConfigError(f"{where}: {'.'.join(keys)} {problem}")

    def line_of(self, keys: tuple[str, ...]) -> str:
        line = _line_of(self.text, keys)
        return f"{self.path}, line {line}" if line else str(self.path)

    def section(self, profile: str | None) -> tuple[str, ...]:
        return ("profiles", profile) if profile else ()


def _permission_warnings(path: Path) -> tuple[str, ...]:
    """As ssh does for its files: others who can read the file can read what it names (a key, or the
    command that prints one), and others who can write it choose the command okrt-tui runs."""
    if os.name != "posix":
        return ()
    try:
        mode = path.stat().st_mode
    except OSError:
        return ()
    if not mode & (stat.S_IRWXG | stat.S_IRWXO):
        return ()
    who = "other users of this computer can read or change it"
    return (f"{path} is not private ({stat.filemode(mode)}: {who}); run `chmod 600 {path}`.",)


def _validation(path: Path, text: str, exc: msgspec.ValidationError, base: tuple[str, ...]) -> ConfigError:
    said = str(exc)
    file = ConfigFile(path, text, _TopLevel(), {})
    if unknown := _UNKNOWN.match(said):
        at = base + tuple(filter(None, (unknown["at"] or "").split("."))) + (unknown["field"],)
        return file.error(at, "is not a setting okrt-tui knows (a typo?): fix it or remove it.")
    if expected := _EXPECTED.match(said):
        at = base + tuple(filter(None, (expected["at"] or "").split(".")))
        got = _type_name(expected["got"])
        return file.error(at, f"must be {_type_name(expected['want'])}, not {got}: fix it or remove it.")
    return ConfigError(f"{path}: {said}. Fix that setting or remove it.")


def read_config(dirs: Dirs) -> ConfigFile:
    """The file as written, checked whole (every profile, not only the chosen one: a typo anywhere is
    said at once); its keys are not looked up here."""
    path = dirs.config_file
    try:
        raw_text = path.read_bytes()
    except FileNotFoundError:
        return ConfigFile(path, None, _TopLevel(), {})
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc.strerror}. Check its permissions.") from None
    import tomllib  # only when there is a file: ~4 ms of every command's start-up otherwise

    text = raw_text.decode("utf-8", errors="replace")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML ({exc}). Fix the file or move it away.") from None
    try:
        top = msgspec.convert(raw, _TopLevel)
    except msgspec.ValidationError as exc:
        raise _validation(path, text, exc, ()) from None
    profiles: dict[str, _Profile] = {}
    for name, table in top.profiles.items():
        try:
            profiles[name] = msgspec.convert(table, _Profile)
        except msgspec.ValidationError as exc:
            raise _validation(path, text, exc, ("profiles", name)) from None
    file = ConfigFile(path, text, top, profiles)
    _check(file, top, ())
    for name, profile in profiles.items():
        _check(file, profile, ("profiles", name))
    if top.default_profile is not None and top.default_profile not in profiles:
        raise file.error(
            ("default_profile",),
            f"names the profile {top.default_profile!r}, but the file {_which_profiles(file)}.",
        )
    return file


def _which_profiles(file: ConfigFile) -> str:
    if not file.profiles:
        return "has no [profiles.NAME] table"
    return f"has only the profiles {', '.join(sorted(file.profiles))}"


def _check(file: ConfigFile, profile: _Profile, at: tuple[str, ...]) -> None:
    """The rules msgspec's types cannot say, for the top level or one profile."""
    share = profile.polling_share
    if share is not None and not 0 < share <= 1:
        raise file.error((*at, "polling_share"), f"must be above 0 and at most 1, not {share}.")
    from okrt_tui.views.rotation import MAX_DWELL, MIN_DWELL, BadScreens, parse_screens

    rotate = profile.monitor_rotate
    if rotate is not None and not MIN_DWELL <= rotate <= MAX_DWELL:
        raise file.error(
            (*at, "monitor_rotate"), f"must be from {MIN_DWELL:g} to {MAX_DWELL:g} seconds, not {rotate}."
        )
    if profile.monitor_screens is not None:
        try:
            parse_screens(profile.monitor_screens)
        except BadScreens as exc:  # the sentence --screens would get, said of this setting
            said = str(exc).removeprefix("--screens: ").removeprefix("--screens ")
            raise file.error((*at, "monitor_screens"), f"is not a list of panels: {said}") from None
    for name in ("name", "key_env", "key_command", "key", "base_url"):
        if getattr(profile, name) is not None and not getattr(profile, name).strip():
            raise file.error((*at, name), "is empty: give it a value or remove it.")
    if profile.base_url is not None and not profile.base_url.startswith(("http://", "https://")):
        raise file.error((*at, "base_url"), "must start with http:// or https://.")
    named = [name for name in _KEY_SOURCES if getattr(profile, name) not in (None, False)]
    if len(named) > 1:
        raise file.error(
            (*at, named[1]), f"is a second key source beside {named[0]}: keep one of {', '.join(named)}."
        )
    for binding, keys in profile.keymap.items():
        if not isinstance(keys, str):
            raise file.error((*at, "keymap", binding), 'must be a quoted list of keys, e.g. "r,f5".')
    for kpi, way in profile.kpis.direction.items():
        if way not in ("lower", "higher"):
            raise file.error(
                (*at, "kpis", "direction", kpi), f'gives the direction {way!r}: write "lower" or "higher".'
            )


# -- one profile's settings ----------------------------------------------------------------------------------


def chosen_profile(file: ConfigFile, profile: str | None, env: Mapping[str, str]) -> str | None:
    """Option > ``OKRT_PROFILE`` > ``default_profile`` > none (the top level alone)."""
    chosen = profile or env.get("OKRT_PROFILE") or None
    if chosen is None:
        return file.top.default_profile
    if chosen not in file.profiles:
        how = "--profile" if profile else "OKRT_PROFILE"
        if not file.exists:
            raise ConfigError(
                f"{how} names the profile {chosen!r}, but {file.path} does not exist: "
                "`okrt-tui config init` writes an example with profiles."
            )
        raise ConfigError(f"{how} names the profile {chosen!r}, but {file.path} {_which_profiles(file)}.")
    return chosen


def load_settings(
    dirs: Dirs,
    *,
    base_url: str | None = None,
    profile: str | None = None,
    env: Mapping[str, str] | None = None,
    file: ConfigFile | None = None,
    with_key: bool = True,
) -> Settings:
    """Merge option, environment, profile and file; raises ConfigError with one sentence when they
    can't be used. ``with_key=False`` looks up no key (``auth login`` brings its own)."""
    env = os.environ if env is None else env
    file = file or read_config(dirs)
    name = chosen_profile(file, profile, env)
    chosen = file.profiles[name] if name else None
    top = file.top

    def pick(field: str) -> Any:
        value = getattr(chosen, field) if chosen is not None else None
        return value if value is not None else getattr(top, field)

    chosen_url = base_url or env.get("OKRT_BASE_URL") or pick("base_url") or DEFAULT_BASE_URL
    if not chosen_url.startswith(("http://", "https://")):
        raise ConfigError(f"The base URL {chosen_url!r} must start with http:// or https://.")
    share = pick("polling_share")
    review = chosen.review if chosen is not None else None
    export_dir = (review and review.export_dir) or top.review.export_dir
    keymap = {**top.keymap, **(chosen.keymap if chosen else {})}
    directions = {**top.kpis.direction, **(chosen.kpis.direction if chosen else {})}
    warnings = list(file.warnings)
    key, source = _key(file, name, env, warnings) if with_key else (None, None)
    return Settings(
        base_url=chosen_url.rstrip("/"),
        api_key=key,
        polling_share=0.5 if share is None else share,
        ui=UiSettings(
            keymap=keymap,
            theme=pick("theme"),
            summarize_command=(review and review.summarize_command) or top.review.summarize_command,
            export_dir=Path(export_dir).expanduser() if export_dir else None,
            kpi_directions=directions,
            warnings=tuple(warnings),
        ),
        profile=name,
        label=pick("name") or name,
        key_source=source,
        monitor=MonitorSettings(
            rotate=pick("monitor_rotate"),
            screens=pick("monitor_screens"),
            public=bool(pick("monitor_public")),
            require_readonly=bool(pick("monitor_require_readonly")),
        ),
        warnings=tuple(warnings),
        config_path=file.path,
    )


def key_source_of(file: ConfigFile, profile: str | None) -> tuple[tuple[str, ...], _Profile]:
    """Where the profile's key source is written: the profile's table when it names one, else the top
    level (a key source is taken whole, never mixed from both)."""
    chosen = file.profiles.get(profile) if profile else None
    if chosen is not None and any(getattr(chosen, name) is not None for name in _KEY_SOURCES):
        return file.section(profile), chosen
    return (), file.top


def _key(
    file: ConfigFile, profile: str | None, env: Mapping[str, str], warnings: list[str]
) -> tuple[str | None, str | None]:
    """The key and a description of its source (never the key), or (None, None) when none is named."""
    from okrt_tui.logs import register_secret

    key, source = _find_key(file, profile, env, warnings)
    if key:
        register_secret(key)  # from now on the log file never holds it, whatever formats it
        return key, source
    return None, None


def _find_key(
    file: ConfigFile, profile: str | None, env: Mapping[str, str], warnings: list[str]
) -> tuple[str | None, str | None]:
    if env.get("OKRT_API_KEY", "").strip():
        return env["OKRT_API_KEY"].strip(), "the environment variable OKRT_API_KEY"
    from okrt_tui import keys  # only now: most runs with a key in the environment never need it

    at, table = key_source_of(file, profile)
    account = profile or DEFAULT_ACCOUNT
    whose = f"profile {profile}" if profile else "the top level"
    if table.key_env is not None:
        where = file.line_of((*at, "key_env"))
        value = env.get(table.key_env, "").strip()
        if not value:
            raise keys.KeyUnavailable(
                f"The key of {whose} is to come from the environment variable {table.key_env} ({where}), "
                f"which is not set: export it, or change key_env."
            )
        return value, f"the environment variable {table.key_env} (key_env)"
    if table.key_command is not None:
        where = file.line_of((*at, "key_command"))
        value = keys.from_command(table.key_command, what=f"key_command of {whose}, {where}")
        return value, f"the command in key_command ({where})"
    if table.key is not None:
        where = file.line_of((*at, "key"))
        warnings.append(
            f"{where}: the API key of {whose} is written in the file, where backups and anyone who can "
            f"read it find it: store it with `okrt-tui auth login{_option(profile)}` and remove that line."
        )
        return table.key.strip(), f"the config file ({where})"
    if table.key_keyring or (table.key_keyring is None and keys.keyring_available()):
        stored = keys.from_keyring(account)
        if stored is None and table.key_keyring:
            raise keys.KeyUnavailable(
                f"No key for {whose} is stored in the OS keyring: store it with "
                f"`okrt-tui auth login{_option(profile)}`."
            )
        if stored is not None:
            return stored, f"the OS keyring ({keys.KEYRING_SERVICE}/{account})"
    return None, None


def _option(profile: str | None) -> str:
    return f" --profile {profile}" if profile else ""


#: What ``okrt-tui config init`` writes: every setting commented out (``#name = …``), so the file
#: changes nothing until the user uncomments a line; the notes are ``# …``.
EXAMPLE = """\
# okrt-tui's configuration (okrt-tui config path shows where each file lives).
# Precedence: command-line option > environment > profile > the top level below > default.
# Uncomment what you need; every setting is optional.

# The profile used without --profile or OKRT_PROFILE.
#default_profile = "acme"

# Settings at the top level apply to every profile that does not set them itself.
#theme = "textual-dark"
#polling_share = 0.5             # share of the 60/min budget that background polling may use

#[profiles.acme]
#name = "Acme"                   # what the status bar calls this workspace (default: the profile's name)
#base_url = "https://go.okrstool.com/api/v1"
#key_keyring = true              # the key is in the OS keyring: okrt-tui auth login --profile acme

#[profiles.client]
#key_env = "OKRT_CLIENT_KEY"     # the key is in this environment variable

#[profiles.wall]
#key_command = "pass show okrt/wall"   # the first line this command prints is the key
#polling_share = 0.25
#monitor_rotate = 20             # seconds per monitor screen
#monitor_screens = "okrs,kpis:30,risk,reviews"
#monitor_public = true           # hide names and review content
#monitor_require_readonly = true # refuse a key that can write
# (key = "okrt_…" also works, but earns a warning: the key would sit in this file and its backups.)

#[keymap]                        # binding id = keys (the ids are in the dashboard's ? help)
#"okrt.refresh" = "r,f5"

#[review]
#summarize_command = "llm -s 'Summarise this performance review'"   # gets the Markdown on stdin
#export_dir = "~/reviews"

#[kpis.direction]                # KPI id or exact name = "lower" or "higher" (is better)
#"Open customer-facing bugs" = "lower"
"""
