"""The rotating log file in the state dir: where tracebacks go so the screen never shows one.

Every record written there passes ``ScrubSecrets`` first: the API key (each client registers its own
with ``register_secret``) is replaced in the message, the exception text and the stack, whatever put
it there (a server echoing the header, a bug formatting a request). Tracebacks are the standard
library's, which show code lines and never frames' local variables.
"""

from __future__ import annotations

import logging
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path

REDACTED = "[api key]"
_secrets: set[str] = set()


def register_secret(secret: str) -> None:
    """From now on, ``secret`` never reaches the log (too short a text would redact ordinary words)."""
    if len(secret) >= 8:
        _secrets.add(secret)


def scrub(text: str) -> str:
    """``text`` with every registered secret replaced (the longest first, should one contain another)."""
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


class ScrubSecrets(logging.Filter):
    """Rewrites a record so that nothing a handler formats from it holds a registered secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: the handler reports it as logging always does
            return True
        record.msg, record.args = scrub(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


def setup_logging(path: Path, *, debug: bool = False) -> None:
    root = logging.getLogger()
    if any(isinstance(h, RotatingFileHandler) for h in root.handlers):
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = RotatingFileHandler(
            path, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        handler = logging.NullHandler()  # an unwritable state dir must not stop the program
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(ScrubSecrets())
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    # httpx logs every request at INFO; the URL holds no key, but the noise drowns what matters.
    logging.getLogger("httpx").setLevel(logging.DEBUG if debug else logging.WARNING)
