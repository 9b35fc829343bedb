"""The ``okrt-tui`` command: every command of INTERFACE.md that is built so far.

The scripting commands (``okrs``, ``kpis``, ``cycles``, ``review``) import neither Textual nor Rich at
module level, so ``okrt-tui kpis --json`` starts in a fraction of the dashboard's time; the dashboard,
the demo and the sandbox are imported only by the commands that run them. Every failure the user can
meet ends in one or two sentences on stderr and the exit code INTERFACE.md gives it; a traceback
appears only with ``--debug`` (and always in the log file).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import sys
import traceback
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click
import msgspec
from msgspec.structs import replace

from okrt_tui import __version__
from okrt_tui.api.errors import InvalidInput, OkrtError
from okrt_tui.api.models import OKR_STATUSES
from okrt_tui.config import Settings, load_settings
from okrt_tui.logs import setup_logging
from okrt_tui.paths import Dirs

if TYPE_CHECKING:
    from okrt_tui.api.budget import Wait

log = logging.getLogger("okrt_tui")

T = TypeVar("T")
OKR_TYPES = ("org", "team", "individual")
COMMAND_MAX_WAIT = 120.0
"""The longest one command waits for the rate limit, all its attempts together: a full window (62 s)
and a server's pause of up to a minute fit; a longer wait fails at once with exit 5 and the time."""


class Context(msgspec.Struct, frozen=True):
    """The global options, resolved once for every command."""

    dirs: Dirs
    base_url: str | None
    debug: bool
    no_wait: bool

    def settings(self) -> Settings:
        return load_settings(self.dirs, base_url=self.base_url)


def _fail(message: str, code: int, *, debug: bool = False) -> NoReturn:
    if debug:
        # --debug adds the traceback; the sentence and the exit code stay those of a run without it.
        click.echo(traceback.format_exc().rstrip("\n"), err=True)
    click.echo(f"okrt-tui: {message}", err=True)
    sys.exit(code)


def reports_errors(command: Callable[..., T]) -> Callable[..., T]:
    """Turns every failure into INTERFACE.md's sentence and exit code instead of a traceback; with
    ``--debug`` the traceback is printed first, and the exit code is the same."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        context = click.get_current_context().find_object(Context)
        debug = bool(context and context.debug)
        try:
            return command(*args, **kwargs)
        except click.ClickException:
            raise  # usage errors: click says them itself, with exit code 2
        except OkrtError as exc:
            log.info("%s: %s", type(exc).__name__, exc)
            _fail(str(exc), exc.exit_code, debug=debug)
        except KeyboardInterrupt:
            _fail("interrupted.", 130, debug=debug)
        except OSError as exc:
            log.exception("unexpected OS error")
            if exc.filename is None:  # a socket, say: "Address already in use"
                _fail(f"{exc.strerror or exc}.", 1, debug=debug)
            what = f"{exc.filename}: {exc.strerror or exc}"
            _fail(f"{what}. Check the path and its permissions, then try again.", 1, debug=debug)
        except Exception as exc:
            # A bug of ours. Its text could hold anything, so only its type is shown; the log has it all.
            log.exception("unexpected error")
            where = context.dirs.log_file if context else "the log file"
            name = type(exc).__name__
            _fail(f"unexpected error ({name}); the details are in {where}. Please report it.", 1, debug=debug)

    return wrapper


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


_DEBUG_OPTION = click.option("--debug", is_flag=True, help="Show tracebacks and log at debug level.")
_GLOBAL_OPTIONS = (
    click.option(
        "--base-url", metavar="URL", help="The API's base URL (default: OKRT_BASE_URL, then the service)."
    ),
    _DEBUG_OPTION,
    click.option("--no-wait", is_flag=True, help="When the rate window is full, fail at once (exit 5)."),
)


def _takes_global_options(command: Callable[..., T]) -> Callable[..., T]:
    for option in reversed(_GLOBAL_OPTIONS):
        command = option(command)
    return command


def _accepting(*options: Callable[[Callable[..., T]], Callable[..., T]]) -> Callable[..., Callable[..., T]]:
    """A decorator taking ``options`` (of the global ones) after the command too, as users of gh and
    kubectl expect; given there, they add to those given before the command."""

    def decorate(command: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(command)
        def wrapper(
            *args: Any, base_url: str | None = None, debug: bool = False, no_wait: bool = False, **kwargs: Any
        ) -> T:
            here = click.get_current_context()
            outer = here.find_object(Context)
            assert outer is not None
            if debug and not outer.debug:
                logging.getLogger().setLevel(logging.DEBUG)
            here.obj = replace(
                outer,
                base_url=base_url or outer.base_url,
                debug=outer.debug or debug,
                no_wait=outer.no_wait or no_wait,
            )
            return command(*args, **kwargs)

        for option in reversed(options):
            wrapper = option(wrapper)
        return wrapper

    return decorate


#: Every global option, after an API command (``okrt-tui kpis --json --no-wait``).
global_options = _accepting(*_GLOBAL_OPTIONS)
#: ``serve`` talks to no API: of the global options only ``--debug`` means anything to it.
debug_option = _accepting(_DEBUG_OPTION)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@_takes_global_options
@click.version_option(__version__, "--version", prog_name="okrt-tui")
@click.pass_context
def main(ctx: click.Context, base_url: str | None, debug: bool, no_wait: bool) -> None:
    """A terminal dashboard for the OKRs Tool API. Without a command, opens the dashboard."""
    dirs = Dirs.default()
    if ctx.invoked_subcommand != "demo":  # the demo writes none of the user's files: it logs in its own
        setup_logging(dirs.log_file, debug=debug)
    ctx.obj = Context(dirs=dirs, base_url=base_url, debug=debug, no_wait=no_wait)
    if ctx.invoked_subcommand is None:
        ctx.invoke(dashboard)


@reports_errors
def dashboard() -> None:
    """Open the dashboard on the workspace of OKRT_API_KEY."""
    ctx = click.get_current_context().find_object(Context)
    assert ctx is not None
    settings = ctx.settings()
    from okrt_tui.launch import run_dashboard

    sys.exit(
        run_dashboard(
            settings.base_url, settings.require_key(), dirs=ctx.dirs, settings=settings, debug=ctx.debug
        )
    )


# -- reads ---------------------------------------------------------------------------------------------------


def _say(text: str) -> None:
    """A note on stderr, at once, on a terminal or not (a waiting script's log shows why)."""
    click.echo(f"okrt-tui: {text}", err=True)


def _say_wait(wait: Wait) -> None:
    _say(f"waiting {math.ceil(wait.seconds)} s {wait.why}; --no-wait fails instead.")


async def _fetch(ctx: Context, method: str, *args: Any) -> Any:
    from okrt_tui.session import open_client

    settings = ctx.settings()
    client = open_client(settings.base_url, settings.require_key(), dirs=ctx.dirs, max_wait=COMMAND_MAX_WAIT)
    client.budget.on_wait = _say_wait
    client.budget.watch_problem(_say)  # a ledger file that cannot be used: which, and how to fix it
    async with client:
        return await getattr(client, method)(*args, wait=not ctx.no_wait)


def _emit_json(raw: bytes) -> None:
    sys.stdout.buffer.write(raw if raw.endswith(b"\n") else raw + b"\n")
    sys.stdout.flush()


def _choice(name: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
    if value is not None and value not in allowed:
        raise InvalidInput(f"{name} must be one of {', '.join(allowed)}, not {value!r}.")
    return value


@main.command()
@global_options
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON.")
@click.option("--cycle", metavar="NAME", help='Only objectives of this cycle, e.g. "Q4 2026".')
@click.option("--status", metavar="S", help="Only this status: on_track, at_risk or off_track.")
@click.option("--type", "type_", metavar="T", help="Only this level: org, team or individual.")
@click.pass_obj
@reports_errors
def okrs(ctx: Context, as_json: bool, cycle: str | None, status: str | None, type_: str | None) -> None:
    """Objectives with progress, status and health."""
    _choice("--status", status, OKR_STATUSES)
    _choice("--type", type_, OKR_TYPES)
    fetched = run_async(_fetch(ctx, "list_okrs"))
    from okrt_tui.filters import keep_okr, select_raw

    def keep(okr: Any) -> bool:
        return keep_okr(okr, cycle=cycle, status=status, type_=type_)

    if as_json:
        _emit_json(select_raw(fetched.raw, fetched.data, keep) if cycle or status or type_ else fetched.raw)
        return
    from okrt_tui.render import okr_table, print_table

    print_table(okr_table([okr for okr in fetched.data if keep(okr)]))


def _print_list(ctx: Context, method: str, table: str, as_json: bool) -> None:
    """A list as the API's JSON, or as the table ``okrt_tui.render.<table>`` makes of it."""
    fetched = run_async(_fetch(ctx, method))
    if as_json:
        _emit_json(fetched.raw)
        return
    from okrt_tui import render

    render.print_table(getattr(render, table)(fetched.data))


@main.command()
@global_options
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON.")
@click.pass_obj
@reports_errors
def kpis(ctx: Context, as_json: bool) -> None:
    """KPIs with current value, target and status."""
    if as_json:
        _print_list(ctx, "list_kpis", "kpi_table", as_json)
        return
    fetched = run_async(_fetch(ctx, "list_kpis"))
    from okrt_tui.render import kpi_table, print_table
    from okrt_tui.store.db import Database
    from okrt_tui.store.directions import RememberedDirections
    from okrt_tui.views.direction import learn_directions

    # The directions the statuses show are learnt and remembered here as in the dashboard, so the
    # table and the dashboard read each KPI the same way (okrt_tui.views.direction).
    settings = ctx.settings()
    database = Database(ctx.dirs.database_file(settings.base_url, settings.require_key()))
    try:
        store = RememberedDirections(database)
        remembered = store.all()
        learned = learn_directions(fetched.data, remembered)
        store.remember(learned)
    finally:
        database.close()
    print_table(
        kpi_table(fetched.data, configured=settings.ui.kpi_directions, remembered=remembered | learned)
    )


@main.command()
@global_options
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON.")
@click.pass_obj
@reports_errors
def cycles(ctx: Context, as_json: bool) -> None:
    """Review cycles with their status, due date and reviewee count."""
    _print_list(ctx, "list_review_cycles", "cycle_table", as_json)


@main.command()
@global_options
@click.argument("review_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON.")
@click.option("--markdown", is_flag=True, help="Print Markdown, e.g. for a summariser.")
@click.pass_obj
@reports_errors
def review(ctx: Context, review_id: str, as_json: bool, markdown: bool) -> None:
    """One shared review: its questions and answers."""
    if as_json and markdown:
        raise click.UsageError("Choose one of --json and --markdown.")
    from okrt_tui.api.decode import check_id

    fetched = run_async(_fetch(ctx, "get_review_summary", check_id(review_id)))
    if as_json:
        _emit_json(fetched.raw)
        return
    if markdown:
        from okrt_tui.views.markdown import review_markdown

        click.echo(review_markdown(fetched.data), nl=False)
        return
    from okrt_tui.render import print_review

    print_review(fetched.data)


# -- the sandbox and the demo --------------------------------------------------------------------------------


@main.command()
@debug_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=0, show_default=True, help="Port to bind; 0 picks a free one.")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), help="Keep the data in this file.")
@click.option("--seed", default=1, show_default=True, help="Seed of the generated workspaces.")
@click.option("--simulate", is_flag=True, help="Teammates check in and update KPIs every few seconds.")
@click.option("--every", default=5.0, show_default=True, help="Seconds between simulated actions.")
@click.option("--strict", is_flag=True, help="Send exactly the documented fields and headers.")
@click.option("--control", is_flag=True, help="Add the /_sandbox/ test endpoints (faults, writes, clock).")
@reports_errors
def serve(
    host: str,
    port: int,
    db: Path | None,
    seed: int,
    simulate: bool,
    every: float,
    strict: bool,
    control: bool,
) -> None:
    """Run the sandbox: a faithful OKRs Tool API on loopback."""
    if every <= 0:
        raise InvalidInput(f"--every must be a positive number of seconds, not {every}.")
    from okrt_tui.sandbox.server import serve_forever

    serve_forever(
        host=host,
        port=port,
        db_path=db,
        seed=seed,
        simulate=simulate,
        every=every,
        strict=strict,
        control=control,
    )


@main.command()
@global_options
@click.option("--strict", is_flag=True, help="The sandbox sends exactly the documented fields.")
@click.option("--no-simulate", is_flag=True, help="No simulated teammates: the data stays still.")
@click.pass_obj
@reports_errors
def demo(ctx: Context, strict: bool, no_simulate: bool) -> None:
    """Open the dashboard on a local sandbox with sample data; touches none of your files."""
    from okrt_tui.launch import run_demo

    sys.exit(run_demo(strict=strict, simulate=not no_simulate, debug=ctx.debug))
