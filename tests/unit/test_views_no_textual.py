"""The display functions are importable without Textual (the CLI's --markdown path uses them)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import okrt_tui


def test_views_never_import_textual():
    code = (
        "import sys\n"
        "import okrt_tui.views.text, okrt_tui.views.numbers, okrt_tui.views.status, okrt_tui.views.times\n"
        "import okrt_tui.views.trend, okrt_tui.views.aggregates, okrt_tui.views.errors\n"
        "import okrt_tui.views.markdown, okrt_tui.views.query\n"
        "import okrt_tui.views.sparkline, okrt_tui.views.projection, okrt_tui.views.chart\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "assert not bad, bad\n"
    )
    root = str(Path(okrt_tui.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
