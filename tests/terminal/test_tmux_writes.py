"""Writes typed in a real terminal: the keys as a person sends them (``u41`` at once), the write found in
the sandbox's own log of writes. Skipped where tmux is absent."""

from __future__ import annotations

import shlex

import httpx
import pytest
from test_tmux_dashboard import eventually, started_pane

from okrt_tui.sandbox.keys import ACME_ADMIN_KEY

pytestmark = pytest.mark.terminal


@pytest.fixture
def pane(sandbox, tmp_path):
    with started_pane(tmp_path, f"--base-url {shlex.quote(sandbox.base_url)}") as started:
        yield started


def first(sandbox, path: str) -> dict:
    return httpx.get(
        f"{sandbox.base_url}{path}", headers={"Authorization": f"Bearer {ACME_ADMIN_KEY}"}
    ).json()[0]


def test_a_kpi_value_typed_with_u_is_recorded(sandbox, pane):
    kpi = first(sandbox, "/kpis")
    pane.wait_for("objectives", "● live")
    pane.keys("2")
    pane.wait_for("Of tgt")
    pane.keys("u41")  # the key and the value at once, as a fast typist sends them
    pane.wait_for("Update KPI", "→ ", "41")  # "38 → 41 NPS" or "214,350 → $41": the unit decides
    pane.keys("C-s")
    pane.wait_for("KPI update recorded")
    assert eventually(lambda: len(sandbox.control.writes()) == 1, 10)
    (write,) = sandbox.control.writes()
    assert (write["target_id"], write["body"]) == (kpi["id"], {"value": 41})


def test_a_checkin_typed_with_c_is_recorded(sandbox, pane):
    okr = first(sandbox, "/okrs")
    pane.wait_for("objectives", "● live")
    pane.keys("Enter")
    pane.wait_for("Key results (")
    pane.keys("c12.5")
    pane.wait_for("Check-in:", "12.5")
    pane.keys("C-s")
    pane.wait_for("Check-in recorded")
    (write,) = sandbox.control.writes()
    assert write["target_id"] == okr["key_results"][0]["id"] and write["body"] == {"value": 12.5}


def test_the_checkin_round_records_three_checkins_in_a_row(sandbox, pane):
    pane.wait_for("objectives", "● live")
    pane.keys("C")
    pane.wait_for("Check-in round, 1 of")
    for step, value in ((2, "3"), (3, "4"), (4, "5")):
        pane.keys(value, "C-s")
        pane.wait_for(f"Check-in round, {step} of")
    pane.keys("Escape")
    pane.wait_for("Check-in round done")
    assert [w["body"]["value"] for w in sandbox.control.writes()] == [3, 4, 5]


def test_u_a_value_and_ctrl_s_typed_at_once_record_the_value(sandbox, pane):
    pane.wait_for("objectives", "● live")
    pane.keys("2")
    pane.wait_for("Of tgt")
    pane.tmux("send-keys", "-t", "okrt", "u", "5", "5", "C-s")  # one burst, as a fast typist sends it
    pane.wait_for("KPI update recorded")
    assert [w["body"] for w in sandbox.control.writes()] == [{"value": 55}]
