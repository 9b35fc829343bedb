"""How fast the API's largest answers decode, against plain ``json.loads`` of the same bytes.

Run it as a script (``python tests/benchmarks/bench_decode.py``) or with pytest
(``pytest tests/benchmarks/bench_decode.py``; the default test run ignores this folder). It prints
microseconds per decode and the ratio to ``json.loads`` measured in the same run, so the figure means
the same thing on any machine: below 1.0, typed and validated decoding costs less than parsing to dicts.
The pytest form fails only if decoding becomes more than twice as slow as ``json.loads``.
"""

from __future__ import annotations

import json
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from okrt_tui.api.decode import decode_kpis, decode_okrs


def okrs_body(count: int = 500, key_results: int = 4) -> bytes:
    """``GET /okrs`` as the sandbox sends it by default: 500 objectives, each with its key results."""
    statuses = ("on_track", "at_risk", "off_track")
    records = [
        {
            "id": f"f4b1a2c8-{i:04d}-4c1e-9a7b-3d2e1f0a9b8c",
            "title": f"Improve onboarding conversion, step {i}",
            "type": ("org", "team", "individual")[i % 3],
            "owner": "Alice Nguyen",
            "progress": round((i % 100) / 100, 4),
            "status": statuses[i % 3],
            "health_score": i % 101,
            "cycle": "Q2 2026",
            "updated_at": "2026-04-19T12:00:00Z",
            "key_results": [
                {
                    "id": f"0c9d8e7f-{i:04d}-{k:04d}-8b1a-6f5e4d3c2b1a",
                    "title": f"Raise activation rate to {40 + k}%",
                    "start": 20,
                    "current": 31.5 + k,
                    "target": 40 + k,
                    "unit": "%",
                    "progress": 0.5,
                    "status": statuses[k % 3],
                    "last_checkin_at": "2026-04-12T08:15:00Z",
                }
                for k in range(key_results)
            ],
        }
        for i in range(count)
    ]
    return json.dumps(records).encode()


def kpis_body(count: int = 500) -> bytes:
    records = [
        {
            "id": f"a812{i:04d}-1b2c-4d5e-8f90-123456789abc",
            "name": f"Weekly Active Users ({i})",
            "current": 3721 + i,
            "target": 4500,
            "unit": "users",
            "status": "at_risk",
            "last_updated": "2026-04-01T09:30:00Z",
            "direction": "increase",
        }
        for i in range(count)
    ]
    return json.dumps(records).encode()


def measure(function, raw: bytes, repeat: int = 7, number: int = 20) -> float:
    """Best-of-``repeat`` microseconds per call."""
    timer = timeit.Timer(lambda: function(raw))
    return min(timer.repeat(repeat=repeat, number=number)) / number * 1e6


def run() -> dict[str, float]:
    ratios: dict[str, float] = {}
    for name, raw, decode in (
        ("500 OKRs x 4 KRs", okrs_body(), decode_okrs),
        ("500 KPIs", kpis_body(), decode_kpis),
    ):
        assert len(decode(raw)) == 500
        ours = measure(decode, raw)
        baseline = measure(json.loads, raw)
        ratios[name] = ours / baseline
        print(
            f"{name:<18} {len(raw) / 1024:7.0f} KiB   decode {ours:8.0f} us   "
            f"json.loads {baseline:8.0f} us   ratio {ours / baseline:.2f}"
        )
    return ratios


def test_decoding_is_no_slower_than_twice_json_loads() -> None:
    assert all(ratio < 2.0 for ratio in run().values())


if __name__ == "__main__":
    run()
