"""Where the dashboard's stylesheets are, in a wheel and in an editable checkout."""

from __future__ import annotations

from pathlib import Path

import okrt_tui


def styles_dir() -> Path:
    """``okrt_tui/styles`` in an installed wheel (hatch force-include), else the checkout's ``styles/``."""
    package = Path(okrt_tui.__file__).resolve().parent
    shipped = package / "styles"
    if shipped.is_dir():
        return shipped
    return package.parent / "styles"


def stylesheet(name: str = "app.tcss") -> Path:
    return styles_dir() / name
