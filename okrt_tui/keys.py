"""Where a profile's API key comes from: the OS keyring, an environment variable, or a command.

Each source ends in the key or in one sentence saying what went wrong and where else the key can go;
no sentence ever holds the key (a failing command's stderr is shown with anything that looks like a
key blanked out). ``keyring`` is imported only when a key is looked up there: loading it and choosing
its backend costs 0.2-0.4 s of a command's start, which the other sources do not pay.
"""

from __future__ import annotations

import re
import subprocess
from typing import TYPE_CHECKING

from okrt_tui.api.errors import OkrtError
from okrt_tui.views.text import one_line, truncate

if TYPE_CHECKING:
    from types import ModuleType

#: The keyring's service name; the account is the profile's name (``default`` without a profile).
KEYRING_SERVICE = "okrt-tui"
#: Long enough for a password manager that asks to be unlocked (1Password's CLI, gpg's pinentry).
KEY_COMMAND_TIMEOUT = 30.0
#: Anything shaped like an okrt key, blanked out of the text a key command or keyring printed.
_KEY_LIKE = re.compile(r"okrt_[A-Za-z0-9_\-]+")
_ELSEWHERE = (
    "put the key in an environment variable named by key_env, or have a command print it with "
    "key_command (e.g. `pass show okrt/acme`), in the profile of config.toml"
)


class KeyUnavailable(OkrtError):
    """A key source was named but gave no key; nothing was sent."""

    exit_code = 3


def masked(key: str) -> str:
    """``okrt_…abcd``: enough to tell two keys apart, far too little to use one."""
    return f"okrt_…{key[-4:]}" if len(key) >= 16 else "okrt_…"


def scrubbed(text: str, *secrets: str) -> str:
    """``text`` without ``secrets`` or anything shaped like a key, on one line, safe for a terminal."""
    for secret in sorted(filter(None, secrets), key=len, reverse=True):
        text = text.replace(secret, "[api key]")
    return one_line(_KEY_LIKE.sub("[api key]", text))


def _keyring() -> ModuleType:
    import keyring

    return keyring


def _no_keyring(exc: Exception, *, storing: bool = False) -> str:
    from keyring.errors import NoKeyringError

    if isinstance(exc, NoKeyringError):
        # keyring's fail backend: a headless server or container, with no Secret Service, KWallet,
        # macOS Keychain or Windows Credential Locker to talk to.
        said = f"no OS keyring is available on this computer (as on a headless server); {_ELSEWHERE}."
    else:
        said = f"the OS keyring could not be used ({type(exc).__name__}); {_ELSEWHERE}."
    said = f"Nothing was stored: {said}" if storing else said
    return said[0].upper() + said[1:]


def from_keyring(account: str) -> str | None:
    """The key stored by ``okrt-tui auth login`` for ``account``, or None when none is stored."""
    try:
        key = _keyring().get_password(KEYRING_SERVICE, account)
    except Exception as exc:  # the backends raise what their libraries raise (D-Bus, Keychain…)
        raise KeyUnavailable(_no_keyring(exc)) from None
    return key.strip() or None if key else None


def keyring_available() -> bool:
    """Whether a real backend exists (not keyring's fail backend), for a lookup nobody asked for."""
    try:
        from keyring.backends.fail import Keyring as Fail

        return not isinstance(_keyring().get_keyring(), Fail)
    except Exception:
        return False


def store_in_keyring(account: str, key: str) -> str:
    """Stores the key; returns the backend's name, for the sentence saying where it went."""
    keyring = _keyring()
    try:
        keyring.set_password(KEYRING_SERVICE, account, key)
    except Exception as exc:
        raise KeyUnavailable(_no_keyring(exc, storing=True)) from None
    backend = keyring.get_keyring()
    return str(getattr(backend, "name", type(backend).__name__))


def delete_from_keyring(account: str) -> bool:
    """Removes the stored key; False when none was stored."""
    keyring = _keyring()
    from keyring.errors import PasswordDeleteError

    try:
        if keyring.get_password(KEYRING_SERVICE, account) is None:
            return False
        keyring.delete_password(KEYRING_SERVICE, account)
    except PasswordDeleteError:
        return False
    except Exception as exc:
        raise KeyUnavailable(_no_keyring(exc)) from None
    return True


def from_command(command: str, *, what: str) -> str:
    """The first line the command prints on stdout (as ``pass`` prints the secret first).

    Run by the shell, as git runs its credential helpers and ssh its ProxyCommand, so quotes and pipes
    work; stdin is closed, so a key command never eats a CSV piped to ``checkin --from -``.
    ``what`` names the setting in the sentences (the file, its line and the profile)."""
    shown = f"`{truncate(scrubbed(command), 60)}`"
    timeout = KEY_COMMAND_TIMEOUT
    try:
        process = subprocess.Popen(
            command,
            shell=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except OSError as exc:
        raise KeyUnavailable(f"The key command {shown} ({what}) could not start: {exc.strerror}.") from None
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        # Killed without waiting for its pipes: a child it started (a password manager's agent) may
        # hold them open for ever.
        process.kill()
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()
        process.wait()
        raise KeyUnavailable(
            f"The key command {shown} ({what}) did not finish within {timeout:g} s and was stopped: "
            "run it yourself to see whether it waits for something."
        ) from None
    printed = out.decode("utf-8", errors="replace").strip()
    key = printed.splitlines()[0].strip() if printed else ""
    if process.returncode != 0:
        said = scrubbed(err.decode("utf-8", errors="replace"), printed, *printed.splitlines())
        said = f": {truncate(said, 300)}" if said else ""
        raise KeyUnavailable(
            f"The key command {shown} ({what}) failed with exit code {process.returncode}{said}. "
            "Run it yourself to see why."
        )
    if not key:
        raise KeyUnavailable(
            f"The key command {shown} ({what}) printed nothing: it must print the key on stdout."
        )
    return key
