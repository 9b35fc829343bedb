"""The log file never holds a registered secret, wherever in a record it hides."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from okrt_tui.logs import register_secret, setup_logging

SECRET = "okrt_test_log_Zq8Wm2Lp5Xv7Rb3N"


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    for handler in before:
        root.removeHandler(handler)  # setup_logging installs its file handler only once per process
    path = tmp_path / "state" / "okrt-tui.log"
    setup_logging(path)
    yield path
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    for handler in before:
        root.addHandler(handler)
    root.setLevel(level)


def test_a_secret_in_the_message_its_arguments_an_exception_or_the_stack_is_replaced(log_file: Path) -> None:
    register_secret(SECRET)
    log = logging.getLogger("okrt_tui.test")
    log.warning("sent %s", {"Authorization": f"Bearer {SECRET}"})
    log.warning(f"in the message itself: {SECRET}", stack_info=True)
    try:
        raise ValueError(f"an error quoting {SECRET}")
    except ValueError:
        log.exception("failed")
    written = log_file.read_text()
    assert SECRET not in written
    assert written.count("[api key]") == 3
    assert "ValueError: an error quoting [api key]" in written and "Stack (most recent call last)" in written
