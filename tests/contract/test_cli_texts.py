"""What the CLI says: each thing once, and only the options that apply."""

from __future__ import annotations

from click.testing import CliRunner

from okrt_tui.cli import main
from okrt_tui.sandbox.keys import ACME_ADMIN_KEY
from okrt_tui.sandbox.server import SandboxServer


def test_serve_help_lists_only_the_options_that_apply_to_it() -> None:
    # serve talks to no API: --base-url and --no-wait mean nothing to it; --debug does.
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    assert "--debug" in result.output and "--port" in result.output
    assert "--no-wait" not in result.output and "--base-url" not in result.output


def test_a_500_says_it_is_safe_to_retry_once(sandbox: SandboxServer) -> None:
    sandbox.control.fault("500", count=10)
    result = CliRunner().invoke(
        main, ["--base-url", sandbox.base_url, "kpis"], env={"OKRT_API_KEY": ACME_ADMIN_KEY}
    )
    assert result.exit_code == 6
    # The reference's 500 says "Safe to retry" itself; the client used to add a sentence saying it again.
    assert result.stderr.casefold().count("retry") + result.stderr.casefold().count("try again") == 1
