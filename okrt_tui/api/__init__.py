"""The OKRs Tool API: client, decoding, errors, retry policy and the rate budget.

httpx imports its own command-line client (``httpx._main``) when it can, which brings in
``rich.progress``, ``rich.syntax`` and pygments: ~40 ms of every start of okrt-tui, for code that is
never run here. Marking the module as absent makes httpx skip it (its ``__init__`` expects that case).
"""

import sys

sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
