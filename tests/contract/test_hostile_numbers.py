"""Numbers at the edge of what JSON carries, sent by the real sandbox, shown by ``okrt-tui kpis``."""

from __future__ import annotations

import httpx
import pytest
from click.testing import CliRunner

from okrt_tui.cli import main
from okrt_tui.sandbox.keys import ACME_ADMIN_KEY
from okrt_tui.sandbox.server import SandboxServer

HEADERS = {"Authorization": f"Bearer {ACME_ADMIN_KEY}"}


def set_kpi(sandbox: SandboxServer, value: float) -> dict[str, object]:
    """Updates the first KPI to ``value`` the way a teammate would, and returns it as now listed."""
    # By name: the first KPI listed changes with the time of day; this one's unit follows the number.
    kpis = httpx.get(f"{sandbox.base_url}/kpis", headers=HEADERS).json()
    kpi = next(k for k in kpis if k["name"] == "Net Promoter Score")
    answer = httpx.post(
        f"{sandbox.base_url}/kpis/{kpi['id']}/updates", headers=HEADERS, json={"value": value}
    )
    assert answer.status_code == 200, answer.text
    listed = httpx.get(f"{sandbox.base_url}/kpis", headers=HEADERS).json()
    return next(item for item in listed if item["id"] == kpi["id"])


@pytest.mark.parametrize(("value", "shown"), [(1e308, "1e+308"), (-1e308, "-1e+308"), (5e-324, "0")])
def test_kpis_table_shows_a_kpi_at_the_edge_of_json(sandbox: SandboxServer, value: float, shown: str) -> None:
    kpi = set_kpi(sandbox, value)
    assert kpi["current"] == value  # the server holds it, as JSON allows
    result = CliRunner().invoke(
        main, ["--base-url", sandbox.base_url, "kpis"], env={"OKRT_API_KEY": ACME_ADMIN_KEY}
    )
    assert result.exit_code == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if str(kpi["id"]) in line)
    assert str(kpi["name"]) in row and f" {shown}" in row
