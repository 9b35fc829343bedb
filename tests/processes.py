"""Real processes in tests: a Python script run in several at once (the tests that share a ledger), and
whether a process is still running."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def start_script(script: str, *args: str) -> subprocess.Popen[str]:
    """``python -c script *args`` in a fresh interpreter (this checkout importable), its output piped."""
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        text=True,
    )


def run_together(script: str, args: list[str], count: int = 2) -> list[Any]:
    """Starts ``count`` processes of ``python -c script *args`` and returns what each printed as JSON, in
    start order; a process that fails fails the test with its stderr."""
    processes = [start_script(script, *args) for _ in range(count)]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        results.append(json.loads(out))
    return results


def process_alive(pid: int) -> bool:
    """Running, not exited: a zombie has exited (its parent, or init, reaps it when it gets to it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"
