"""What the user chose: the API to talk to, the key, and the dashboard's settings.

Precedence is INTERFACE.md's: command-line option > environment > config file > default. The file is
``config.toml`` in the platform config dir, read with tomllib and validated with msgspec, so a typo
in it becomes one sentence naming the setting instead of a traceback. Profiles come in a later issue;
today the key comes from ``OKRT_API_KEY`` only, so no file okrt-tui writes ever holds it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import msgspec

from okrt_tui.api.errors import OkrtError
from okrt_tui.paths import Dirs

DEFAULT_BASE_URL = "https://go.okrstool.com/api/v1"
KEYS_HELP = "Create one in the OKRs Tool web app under Settings → API Keys."


class ConfigError(OkrtError):
    """The config file or environment cannot be used as it is; nothing was sent."""

    exit_code = 1


class MissingKey(OkrtError):
    exit_code = 3


class _ReviewSection(msgspec.Struct, forbid_unknown_fields=True):
    summarize_command: str | None = None
    export_dir: str | None = None


class _KpisSection(msgspec.Struct, forbid_unknown_fields=True):
    #: KPI id or exact name → which way is better; the API does not say (see okrt_tui.views.direction).
    direction: dict[str, str] = msgspec.field(default_factory=dict)


class _ConfigFile(msgspec.Struct, forbid_unknown_fields=True):
    base_url: str | None = None
    theme: str | None = None
    polling_share: float | None = None
    keymap: dict[str, str] = msgspec.field(default_factory=dict)
    review: _ReviewSection = msgspec.field(default_factory=_ReviewSection)
    kpis: _KpisSection = msgspec.field(default_factory=_KpisSection)


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


class Settings(msgspec.Struct, frozen=True):
    base_url: str
    api_key: str | None
    polling_share: float
    ui: UiSettings

    def require_key(self) -> str:
        if not self.api_key:
            raise MissingKey(f"No API key: set OKRT_API_KEY to your okrt_… key. {KEYS_HELP}")
        return self.api_key


def _read_file(path: Path) -> _ConfigFile:
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        return _ConfigFile()
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc.strerror}. Check its permissions.") from None
    import tomllib  # only when there is a file: ~4 ms of every command's start-up otherwise

    try:
        raw = tomllib.loads(text.decode("utf-8", errors="replace"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML ({exc}). Fix the file or move it away.") from None
    try:
        return msgspec.convert(raw, _ConfigFile)
    except msgspec.ValidationError as exc:
        raise ConfigError(f"{path}: {exc}. Fix that setting or remove it.") from None


def load_settings(
    dirs: Dirs, *, base_url: str | None = None, env: Mapping[str, str] | None = None
) -> Settings:
    """Merge option, environment and file; raises ConfigError with one sentence when they can't be used."""
    env = os.environ if env is None else env
    file = _read_file(dirs.config_file)
    chosen_url = base_url or env.get("OKRT_BASE_URL") or file.base_url or DEFAULT_BASE_URL
    if not chosen_url.startswith(("http://", "https://")):
        raise ConfigError(f"The base URL {chosen_url!r} must start with http:// or https://.")
    share = 0.5 if file.polling_share is None else file.polling_share
    if not 0 < share <= 1:
        raise ConfigError(f"polling_share must be above 0 and at most 1, not {share}.")
    export_dir = Path(file.review.export_dir).expanduser() if file.review.export_dir else None
    for kpi, way in file.kpis.direction.items():
        if way not in ("lower", "higher"):
            raise ConfigError(
                f'[kpis.direction] gives {kpi!r} the direction {way!r}: write "lower" or "higher".'
            )
    return Settings(
        base_url=chosen_url.rstrip("/"),
        api_key=env.get("OKRT_API_KEY") or None,
        polling_share=share,
        ui=UiSettings(
            keymap=dict(file.keymap),
            theme=file.theme,
            summarize_command=file.review.summarize_command,
            export_dir=export_dir,
            kpi_directions=dict(file.kpis.direction),
        ),
    )
