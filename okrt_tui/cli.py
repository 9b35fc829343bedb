"""The ``okrt-tui`` command: every command of INTERFACE.md that is built so far.

The scripting commands (``okrs``, ``kpis``, ``cycles``, ``review``) import neither Textual nor Rich at
module level, so ``okrt-tui kpis --json`` starts in a fraction of the dashboard's time; the dashboard,
the demo and the sandbox are imported only by the commands that run them. Every failure the user can
meet ends in one or two sentences on stderr and the exit code INTERFACE.md gives it; a traceback
appears only with ``--debug`` (and always in the log file).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import math
import os
import sys
import time
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
from okrt_tui.views.rotation import DEFAULT_ROTATE, MAX_DWELL, MIN_DWELL

if TYPE_CHECKING:
    from okrt_tui.api.budget import Wait
    from okrt_tui.config import ConfigFile

log = logging.getLogger("okrt_tui")

T = TypeVar("T")
OKR_TYPES = ("org", "team", "individual")
COMMAND_MAX_WAIT = 120.0
#: Put by ``monitor --serve`` into its pages' environment once it has found the key read-only itself,
#: so that a profile's ``monitor_require_readonly`` does not make each page look again (two requests
#: a page, where ten screens must cost the budget of one).
READONLY_CHECKED = "OKRT_SERVED_READONLY_CHECKED"
"""The longest one command waits for the rate limit, all its attempts together: a full window (62 s)
and a server's pause of up to a minute fit; a longer wait fails at once with exit 5 and the time."""


class Context(msgspec.Struct, frozen=True):
    """The global options, resolved once for every command."""

    dirs: Dirs
    base_url: str | None
    debug: bool
    no_wait: bool
    profile: str | None = None
    #: The settings once loaded: a key command runs once per command, and its warnings are said once.
    loaded: list[Settings] = msgspec.field(default_factory=list)

    def settings(self) -> Settings:
        if not self.loaded:
            settings = load_settings(self.dirs, base_url=self.base_url, profile=self.profile)
            for warning in settings.warnings:
                _say(f"warning: {warning}")
            self.loaded.append(settings)
        return self.loaded[0]


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


def _profile_names(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """The shell completes ``--profile`` with the profiles of config.toml (none when it cannot be read)."""
    from okrt_tui.config import read_config

    try:
        names = read_config(Dirs.default()).profiles
    except OkrtError:
        return []
    return [name for name in sorted(names) if name.startswith(incomplete)]


_DEBUG_OPTION = click.option("--debug", is_flag=True, help="Show tracebacks and log at debug level.")
_PROFILE_OPTION = click.option(
    "--profile",
    metavar="NAME",
    shell_complete=_profile_names,
    help="The profile of config.toml to use (default: OKRT_PROFILE, then default_profile).",
)
_GLOBAL_OPTIONS = (
    click.option(
        "--base-url", metavar="URL", help="The API's base URL (default: OKRT_BASE_URL, then the profile's)."
    ),
    _DEBUG_OPTION,
    click.option("--no-wait", is_flag=True, help="When the rate window is full, fail at once (exit 5)."),
    _PROFILE_OPTION,
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
            *args: Any,
            base_url: str | None = None,
            debug: bool = False,
            no_wait: bool = False,
            profile: str | None = None,
            **kwargs: Any,
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
                profile=profile or outer.profile,
                loaded=[],
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
#: ``history`` and ``report`` read the local database only: ``--no-wait`` would mean nothing to them.
local_options = _accepting(_GLOBAL_OPTIONS[0], _DEBUG_OPTION, _PROFILE_OPTION)
#: ``config`` and ``auth logout`` read and write files only.
file_options = _accepting(_DEBUG_OPTION, _PROFILE_OPTION)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@_takes_global_options
@click.version_option(__version__, "--version", prog_name="okrt-tui")
@click.pass_context
def main(ctx: click.Context, base_url: str | None, debug: bool, no_wait: bool, profile: str | None) -> None:
    """A terminal dashboard for the OKRs Tool API. Without a command, opens the dashboard."""
    dirs = Dirs.default()
    # The demo writes none of the user's files: it logs in its own (``monitor`` decides after --demo).
    if ctx.invoked_subcommand not in ("demo", "monitor"):
        setup_logging(dirs.log_file, debug=debug)
    ctx.obj = Context(dirs=dirs, base_url=base_url, debug=debug, no_wait=no_wait, profile=profile)
    if ctx.invoked_subcommand is None:
        ctx.invoke(dashboard)


@reports_errors
def dashboard() -> None:
    """Open the dashboard on the chosen profile's workspace."""
    ctx = click.get_current_context().find_object(Context)
    assert ctx is not None
    settings = ctx.settings()
    from okrt_tui.launch import run_dashboard

    sys.exit(
        run_dashboard(
            settings.base_url,
            settings.require_key(),
            dirs=ctx.dirs,
            settings=settings,
            workspace=settings.label,  # the profile (or its name setting), not the server's host
            debug=ctx.debug,
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
    client = open_client(
        settings.base_url, settings.require_key(), dirs=ctx.dirs, max_wait=COMMAND_MAX_WAIT, blocking=True
    )
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


# -- what this computer recorded (the local database only: no request) ---------------------------------------


def _local(ctx: Context) -> Any:
    """The workspace's local database (named from base URL and key, so the key must be set, though
    nothing is sent): a context manager giving its history and cached lists, or None when this
    computer has none. Problems with the file (locked, damaged) are said on stderr."""
    from contextlib import contextmanager

    from okrt_tui.store.recorded import open_recorded

    @contextmanager
    def opened() -> Any:
        settings = ctx.settings()
        with open_recorded(ctx.dirs.database_file(settings.base_url, settings.require_key())) as recorded:
            if recorded is not None:
                for notice in recorded.database.notices:
                    _say(notice)
            yield recorded

    return opened()


def _since(text: str, now: float) -> float | None:
    from okrt_tui.views.times import BadSince, parse_since

    try:
        return parse_since(text, now)
    except BadSince as exc:
        raise InvalidInput(str(exc)) from None


_SINCE_HELP = "How far back: 12h, 7d, 2w, a date (UTC) like 2026-11-01, or all."


@main.command()
@local_options
@click.argument("entity", metavar="KPI|OBJECTIVE")
@click.option("--since", "since_text", default="30d", show_default=True, metavar="SPAN", help=_SINCE_HELP)
@click.option("--csv", "as_csv", is_flag=True, help="CSV with a header row, for a spreadsheet.")
@click.option("--json", "as_json", is_flag=True, help="A JSON list of objects.")
@click.pass_obj
@reports_errors
def history(ctx: Context, entity: str, since_text: str, as_csv: bool, as_json: bool) -> None:
    """The values this computer recorded of a KPI, or the progress and health of an objective (by id,
    or a unique part of its name). Reads only the local database: works offline, sends nothing."""
    if as_csv and as_json:
        raise click.UsageError("Choose one of --csv and --json.")
    from okrt_tui.store.history import KPI, OKR_HEALTH, OKR_PROGRESS
    from okrt_tui.views import recorded as views
    from okrt_tui.views.names import OBJECTIVE, find_kpi_or_objective

    now = time.time()
    since = _since(since_text, now)
    with _local(ctx) as recorded:
        if recorded is None:
            _history_empty(views.NOTHING_RECORDED, as_csv, as_json, objective=False)
            return
        store = recorded.history
        ident, name, kind = find_kpi_or_objective(
            entity,
            recorded.kpis,
            recorded.okrs,
            recorded_kpis=store.entities(KPI),
            recorded_objectives=store.entities(OKR_PROGRESS),
        )
        objective = kind == OBJECTIVE
        if objective:
            progress = store.observations(OKR_PROGRESS, ident, since, state_then=True)
            health = store.observations(OKR_HEALTH, ident, since, state_then=True)
            rows = views.objective_rows(progress, health, since)
            before = progress or health
        else:
            points = store.observations(KPI, ident, since, state_then=True)
            rows = views.kpi_rows([p for p in points if since is None or p.at >= since])
            before = points
        unit = next((k.unit for k in recorded.kpis or () if k.id == ident), None)
    label = f"{name} ({kind} {ident})" if name else f"{kind} {ident}"
    if not rows:
        sentence = views.no_points(label, before, since, objective=objective, unit=unit)
        _history_empty(sentence, as_csv, as_json, objective=objective)
        return
    if as_csv:
        sys.stdout.write(views.to_csv(rows, objective=objective))
    elif as_json:
        _emit_json(views.to_json(rows, objective=objective))
    else:
        from okrt_tui.render import history_table, print_table

        click.echo(views.heading(label, rows, since))
        print_table(history_table(rows, objective=objective, unit=unit))


def _history_empty(sentence: str, as_csv: bool, as_json: bool, *, objective: bool) -> None:
    """No point to show: the sentence for people; a script gets its empty document (a header row, or
    ``[]``) on stdout and the sentence on stderr. Exit 0: nothing went wrong."""
    from okrt_tui.views import recorded as views

    if as_csv:
        sys.stdout.write(views.to_csv([], objective=objective))
    elif as_json:
        _emit_json(b"[]")
    if as_csv or as_json:
        _say(sentence)
    else:
        click.echo(sentence)


@main.command()
@local_options
@click.option("--since", "since_text", default="7d", show_default=True, metavar="SPAN", help=_SINCE_HELP)
@click.option("--markdown", is_flag=True, help="Markdown, for a chat channel.")
@click.option("--json", "as_json", is_flag=True, help="JSON with stable keys, for scripts.")
@click.pass_obj
@reports_errors
def report(ctx: Context, since_text: str, markdown: bool, as_json: bool) -> None:
    """What changed: objectives' status and health band, KPIs across a status line or their target,
    key results without a check-in for 14 days, the mean health then and now. Reads only the local
    database: works offline, sends nothing."""
    if markdown and as_json:
        raise click.UsageError("Choose one of --markdown and --json.")
    from okrt_tui.store.history import KPI, OKR_HEALTH, OKR_PROGRESS
    from okrt_tui.views.report import build_digest, digest_json, digest_markdown, digest_text

    now = time.time()
    since = _since(since_text, now)
    configured = ctx.settings().ui.kpi_directions
    with _local(ctx) as recorded:
        changes = since if since is not None else -math.inf
        digest = build_digest(
            progress=recorded.history.changes(OKR_PROGRESS, changes) if recorded else {},
            health=recorded.history.changes(OKR_HEALTH, changes) if recorded else {},
            kpi_values=recorded.history.changes(KPI, changes) if recorded else {},
            okrs=recorded.okrs if recorded else None,
            kpis=recorded.kpis if recorded else None,
            since=since,
            now=now,
            configured=configured,
            remembered=recorded.directions if recorded else None,
        )
    if as_json:
        _emit_json(msgspec.json.encode(digest_json(digest)))
    else:
        click.echo(digest_markdown(digest) if markdown else digest_text(digest), nl=False)


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


# -- the monitor in browsers (monitor --serve) -------------------------------------------------------------

_SERVE_OPTIONS = (
    click.option(
        "--serve",
        is_flag=True,
        help="Serve the monitor to browsers: each page runs a monitor of its own; they poll as one.",
    ),
    click.option(
        "--host",
        default="127.0.0.1",
        show_default=True,
        metavar="H",
        help="With --serve: the address to listen on (not loopback: whoever reaches it sees the dashboard).",
    ),
    click.option(
        "--port",
        type=click.IntRange(0, 65535),
        default=8080,
        show_default=True,
        metavar="P",
        help="With --serve: the port (0: a free one).",
    ),
)


def serve_options(command: Callable[..., T]) -> Callable[..., T]:
    """``--serve [--host H] [--port P]``, for the monitor command (its ``serve``, ``host``, ``port``)."""
    for option in reversed(_SERVE_OPTIONS):
        command = option(command)
    return command


def serve_monitor(
    ctx: Context, *, serve: bool, host: str, port: int, public: bool, demo: bool, require_readonly: bool
) -> None:
    """``monitor --serve``: serves until Ctrl-C and exits; without ``--serve``, returns (``--host`` or
    ``--port`` alone is a usage error). The key is read here once, so a missing one fails now rather
    than in each page, and the pages' monitors get it in their environment (a key command that asks
    for a passphrase has no terminal in them)."""
    if not serve:
        here = click.get_current_context()
        for name in ("host", "port"):
            if here.get_parameter_source(name) is click.core.ParameterSource.COMMANDLINE:
                raise click.UsageError(f"--{name} goes with --serve.")
        return
    from contextlib import ExitStack

    from okrt_tui.served import server as served

    with ExitStack() as stack:
        if demo:
            env = stack.enter_context(served.demo_environment())
            setup_logging(Path(env["XDG_STATE_HOME"]) / "okrt-tui.log", debug=ctx.debug)
        else:
            setup_logging(ctx.dirs.log_file, debug=ctx.debug)
            settings = ctx.settings()
            env = {"OKRT_API_KEY": settings.require_key(), "OKRT_BASE_URL": settings.base_url}
            if require_readonly:  # once here, not by each page's monitor (two requests a page)
                asyncio.run(_refuse_writers(ctx, settings.base_url, env["OKRT_API_KEY"]))
                env[READONLY_CHECKED] = "1"
        command = served.monitor_command(sys.argv[1:], checked_readonly=require_readonly and not demo)
        served.serve(command, host=host, port=port, env=env, public=public)
    sys.exit(0)


async def _refuse_writers(ctx: Context, base_url: str, key: str) -> None:
    from okrt_tui.api.scopes import refuse_writers
    from okrt_tui.session import open_client

    async with open_client(base_url, key, dirs=ctx.dirs) as client:
        await refuse_writers(client)


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


def _screens_option(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """``--screens`` read as it is given: a bad entry is a usage error (exit 2) naming it. The dwells
    not given take ``--rotate``, applied in the command (the options may come in any order)."""
    from okrt_tui.views.rotation import BadScreens, parse_screens

    if value is None:
        return None
    try:
        return parse_screens(value, rotate=math.nan)
    except BadScreens as exc:
        raise click.BadParameter(str(exc).removeprefix("--screens: "), ctx, param) from None


@main.command()
@global_options
@click.option(
    "--rotate",
    type=click.FloatRange(MIN_DWELL, MAX_DWELL),
    default=DEFAULT_ROTATE,
    show_default=True,
    metavar="SECONDS",
    help="Seconds each panel stays on screen.",
)
@click.option(
    "--screens",
    metavar="LIST",
    callback=_screens_option,
    help="Panels in order, each optionally with its own seconds: okrs:30,kpis:20,risk,reviews.",
)
@click.option("--public", is_flag=True, help="No owners' names and no review content, for shared spaces.")
@click.option("--require-readonly", is_flag=True, help="Refuse to start with a key that can write (exit 3).")
@click.option("--demo", is_flag=True, help="Run it on a local sandbox with simulated teammates.")
@serve_options
@click.pass_obj
@reports_errors
def monitor(
    ctx: Context,
    rotate: float,
    screens: Any,
    public: bool,
    require_readonly: bool,
    demo: bool,
    serve: bool,
    host: str,
    port: int,
) -> None:
    """The team-room wall display: rotating panels, read-only, for weeks unattended."""
    from okrt_tui.views.rotation import MonitorOptions, Panel, parse_screens

    # The profile's monitor_* settings, under what the command line says (the demo reads no config).
    chosen = None if demo else ctx.settings().monitor
    if chosen is not None:
        given = click.get_current_context().get_parameter_source("rotate")
        if chosen.rotate is not None and given is not click.core.ParameterSource.COMMANDLINE:
            rotate = chosen.rotate
        if screens is None and chosen.screens is not None:
            screens = parse_screens(chosen.screens, rotate=math.nan)  # checked when the file was read
        public = public or chosen.public
        require_readonly = require_readonly or chosen.require_readonly
    if os.environ.get(READONLY_CHECKED) == "1":
        require_readonly = False  # a served page: its server found the key read-only
    serve_monitor(
        ctx, serve=serve, host=host, port=port, public=public, demo=demo, require_readonly=require_readonly
    )
    panels = (
        parse_screens(None, rotate)
        if screens is None
        else tuple(Panel(p.name, rotate if math.isnan(p.dwell) else p.dwell) for p in screens)
    )
    options = MonitorOptions(panels=panels, public=public, require_readonly=require_readonly)
    from okrt_tui import launch

    if demo:
        sys.exit(launch.run_monitor_demo(options, debug=ctx.debug))
    setup_logging(ctx.dirs.log_file, debug=ctx.debug)
    settings = ctx.settings()
    sys.exit(
        launch.run_monitor(
            settings.base_url,
            settings.require_key(),
            dirs=ctx.dirs,
            options=options,
            kpi_directions=settings.ui.kpi_directions,
            workspace=settings.label,
            debug=ctx.debug,
        )
    )


# -- writes -------------------------------------------------------------------------------------------------

EXIT_NOT_CONFIRMED = 75
_WHAT = {"checkin": "check-in", "kpi_update": "KPI update"}


def _writer(ctx: Context) -> Any:
    """A context manager: the workspace's client, outbox and cache, for one write command."""
    from contextlib import asynccontextmanager

    from okrt_tui.session import open_client
    from okrt_tui.store.db import Database
    from okrt_tui.writes import Writer

    @asynccontextmanager
    async def opened() -> Any:
        settings = ctx.settings()
        key = settings.require_key()
        database = Database(ctx.dirs.database_file(settings.base_url, key))
        try:
            async with open_client(settings.base_url, key, dirs=ctx.dirs, blocking=True) as client:
                writer = Writer(client, database, wait=not ctx.no_wait)
                try:
                    yield writer
                finally:
                    writer.close()
        finally:
            database.close()

    return opened()


def _say_outcome(outcome: Any, as_json: bool) -> int:
    """Prints what became of one write; returns the exit code."""
    from okrt_tui.store.outbox import DELIVERED, FAILED, QUEUED

    entry = outcome.entry
    what = _WHAT[entry.kind]
    if outcome.state == DELIVERED:
        if as_json and outcome.record is not None:
            _emit_json(outcome.record)
        else:
            click.echo(
                f"Recorded the {what} of {entry.target_label or entry.target_id}: {_recorded(outcome)}."
            )
        return 0
    if outcome.state == FAILED:
        code = outcome.error.exit_code if outcome.error is not None else 1
        click.echo(f"okrt-tui: {outcome.message}", err=True)
        return code
    if outcome.state == QUEUED:
        click.echo(
            f"okrt-tui: the {what} was not sent now. {outcome.message} It is write {entry.id} in the outbox "
            "and will be sent once, by `okrt-tui outbox flush` or the dashboard.",
            err=True,
        )
    else:
        click.echo(
            f"okrt-tui: {outcome.message} It is kept as unconfirmed write {entry.id}: "
            f"`okrt-tui outbox resend {entry.id}` sends it again (it may then be recorded twice), "
            f"`okrt-tui outbox drop {entry.id}` forgets it.",
            err=True,
        )
    return EXIT_NOT_CONFIRMED


def _recorded(outcome: Any) -> str:
    from okrt_tui.views.preview import recorded

    return recorded(outcome.entry.kind, outcome.record)


async def _write_one(
    ctx: Context,
    kind: str,
    target_arg: str,
    text: str,
    status: str | None,
    comment: str | None,
    as_json: bool,
) -> int:
    from okrt_tui.writes import find_key_result, find_kpi, value_of

    async with _writer(ctx) as writer:
        if kind == "kpi_update":
            target = find_kpi(target_arg, await writer.kpis())
        else:
            target = find_key_result(target_arg, await writer.okrs())
        (entry,) = writer.queue(kind, [(target, value_of(text, target), status, comment)])
        outcomes = await writer.deliver(entry.id)
        mine = next((o for o in outcomes if o.entry.id == entry.id), None)
        if mine is None:  # an older write could not go, so this one waits behind it
            blocker = outcomes[-1] if outcomes else None
            reason = blocker.message if blocker else "Older writes are still being sent by another okrt-tui."
            click.echo(
                f"okrt-tui: the {_WHAT[kind]} was not sent now: {reason} It is write {entry.id} in the "
                "outbox, behind older writes, and will be sent once, by `okrt-tui outbox flush` or the "
                "dashboard.",
                err=True,
            )
            return EXIT_NOT_CONFIRMED
        for other in outcomes:
            if other is not mine:
                click.echo(f"okrt-tui: also sent the older write {other.entry.id}: {other.state}.", err=True)
        code = _say_outcome(mine, as_json)
        if mine.state == "failed":
            writer.outbox.drop(entry.id)  # said here and now, with its exit code: nothing left to decide
        return code


async def _write_csv(ctx: Context, kind: str, source: str) -> int:
    from okrt_tui.writes import find_key_result, find_kpi, read_csv, resolve_rows

    text = _read_source(source)
    rows, problems = read_csv(text, statuses=kind == "checkin")
    async with _writer(ctx) as writer:
        if kind == "kpi_update":
            kpis = await writer.kpis()
            resolved = resolve_rows(rows, problems, lambda arg: find_kpi(arg, kpis))
        else:
            okrs = await writer.okrs()
            resolved = resolve_rows(rows, problems, lambda arg: find_key_result(arg, okrs))
        entries = writer.queue(kind, resolved)
        progress = _Progress(len(entries))
        outcomes = await writer.deliver(entries[-1].id, on_outcome=progress.step)
        progress.done()
    return _summary(entries, outcomes)


def _read_source(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"{source} is not UTF-8 text: save the CSV as UTF-8 and try again.") from None


class _Progress:
    """A progress line with an ETA on stderr when it is a terminal; nothing in a pipe."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.count = 0
        self.started = time.monotonic()
        self.tty = sys.stderr.isatty()

    def step(self, outcome: Any) -> None:
        self.count += 1
        if not self.tty:
            return
        elapsed = time.monotonic() - self.started
        rate = self.count / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.count) / rate if rate else 0.0
        filled = round(20 * self.count / self.total)
        sys.stderr.write(
            f"\r[{'#' * filled}{'-' * (20 - filled)}] {self.count}/{self.total} · about {eta:.0f} s left "
        )
        sys.stderr.flush()

    def done(self) -> None:
        if self.tty and self.count:
            sys.stderr.write("\n")


def _summary(entries: Any, outcomes: Any) -> int:
    from okrt_tui.writes import states

    settled = {o.entry.id: o for o in outcomes}
    counts = states(settled[e.id].entry if e.id in settled else e for e in entries)
    click.echo(
        f"{counts['delivered']} recorded, {counts['queued']} queued, {counts['unconfirmed']} unconfirmed, "
        f"{counts['failed']} refused (of {len(entries)})."
    )
    for outcome in outcomes:
        if outcome.state in ("failed", "unconfirmed"):
            click.echo(f"okrt-tui: write {outcome.entry.id}: {outcome.message}", err=True)
    if counts["queued"] or counts["unconfirmed"]:
        click.echo(
            "okrt-tui: not everything was confirmed; `okrt-tui outbox list` shows what is left and "
            "`okrt-tui outbox flush` sends the queued writes.",
            err=True,
        )
        return EXIT_NOT_CONFIRMED
    failed = [o for o in outcomes if o.state == "failed"]
    return failed[0].error.exit_code if failed and failed[0].error is not None else (1 if failed else 0)


def _run_write(
    ctx: Context,
    kind: str,
    target: str | None,
    value: str | None,
    *,
    comment: str | None,
    from_file: str | None,
    as_json: bool,
    status: str | None = None,
) -> NoReturn:
    """``checkin`` and ``kpi-update``: one write from the arguments, or many from ``--from FILE``."""
    from okrt_tui.writes import check_status

    check_status(status)
    if from_file is not None:
        if target is not None or value is not None or comment is not None or status is not None:
            raise click.UsageError(
                "--from takes every write from the file: give no target, value, --comment or --status."
            )
        sys.exit(run_async(_write_csv(ctx, kind, from_file)))
    if target is None or value is None:
        what = "key result" if kind == "checkin" else "KPI"
        raise click.UsageError(f"Give the {what} (id or name) and the value, or --from FILE.csv.")
    sys.exit(run_async(_write_one(ctx, kind, target, value, status, comment, as_json)))


# ``-2`` is a value (a change), not an option.
_WRITE_SETTINGS = {"ignore_unknown_options": True}


@main.command(context_settings=_WRITE_SETTINGS)
@global_options
@click.argument("key_result", metavar="KR", required=False)
@click.argument("value", metavar="VALUE", required=False)
@click.option("--status", metavar="S", help="on_track, at_risk or off_track (default: the server decides).")
@click.option("--comment", metavar="TEXT", help="What changed.")
@click.option(
    "--from", "from_file", metavar="FILE.csv", help="Many check-ins from a CSV file (- reads stdin)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the server's record.")
@click.pass_obj
@reports_errors
def checkin(
    ctx: Context,
    key_result: str | None,
    value: str | None,
    status: str | None,
    comment: str | None,
    from_file: str | None,
    as_json: bool,
) -> None:
    """Record a key result check-in (KR: its id, or a unique part of its title; VALUE: the new value,
    or +N / -N for a change)."""
    _run_write(
        ctx,
        "checkin",
        key_result,
        value,
        comment=comment,
        from_file=from_file,
        as_json=as_json,
        status=status,
    )


@main.command("kpi-update", context_settings=_WRITE_SETTINGS)
@global_options
@click.argument("kpi", metavar="KPI", required=False)
@click.argument("value", metavar="VALUE", required=False)
@click.option("--comment", metavar="TEXT", help="What changed.")
@click.option("--from", "from_file", metavar="FILE.csv", help="Many updates from a CSV file (- reads stdin).")
@click.option("--json", "as_json", is_flag=True, help="Print the server's record.")
@click.pass_obj
@reports_errors
def kpi_update(
    ctx: Context,
    kpi: str | None,
    value: str | None,
    comment: str | None,
    from_file: str | None,
    as_json: bool,
) -> None:
    """Record a KPI value (KPI: its id, or a unique part of its name; VALUE: the new value, or +N / -N
    for a change)."""
    _run_write(ctx, "kpi_update", kpi, value, comment=comment, from_file=from_file, as_json=as_json)


@main.group(invoke_without_command=False)
def outbox() -> None:
    """Writes not yet delivered, and your decisions about them."""


@outbox.command("list")
@global_options
@click.option("--json", "as_json", is_flag=True, help="Print the writes as JSON.")
@click.pass_obj
@reports_errors
def outbox_list(ctx: Context, as_json: bool) -> None:
    """The writes not yet delivered: queued, unconfirmed and refused."""
    from okrt_tui.render import outbox_table, print_table

    with _outbox(ctx) as box:
        entries = box.pending(time.time())
    if as_json:
        _emit_json(msgspec.json.encode([_entry_json(e) for e in entries]))
        return
    print_table(outbox_table(entries, time.time()))


def _entry_json(entry: Any) -> dict[str, Any]:
    return {
        "id": entry.id,
        "kind": entry.kind,
        "target_id": entry.target_id,
        "target": entry.target_label,
        "value": msgspec.json.decode(entry.value),
        "status": entry.status,
        "comment": entry.comment,
        "state": entry.state,
        "created_at": entry.created_at,
        "sent_at": entry.sent_at,
        "attempts": entry.attempts,
        "reason": entry.reason,
    }


def _outbox(ctx: Context) -> Any:
    """The outbox of the workspace, without a client (listing and dropping send nothing)."""
    from contextlib import contextmanager

    from okrt_tui.store.db import Database
    from okrt_tui.store.outbox import Outbox

    @contextmanager
    def opened() -> Any:
        settings = ctx.settings()
        database = Database(ctx.dirs.database_file(settings.base_url, settings.require_key()))
        try:
            yield Outbox(database)
        finally:
            database.close()

    return opened()


@outbox.command("flush")
@global_options
@click.pass_obj
@reports_errors
def outbox_flush(ctx: Context) -> None:
    """Send the queued writes now, in order (and settle unconfirmed ones the server's data confirms)."""
    sys.exit(run_async(_flush(ctx)))


async def _flush(ctx: Context) -> int:
    async with _writer(ctx) as writer:
        writer.outbox.recover(time.time())  # what killed processes left behind
        confirmed = await writer.confirm_unconfirmed()
        for entry in confirmed:
            click.echo(
                f"Write {entry.id} ({_WHAT[entry.kind]} of {entry.target_label}) was recorded after all."
            )
        pending = [e for e in writer.outbox.pending() if e.state == "queued"]
        if not pending:
            left = writer.outbox.pending()
            click.echo("Nothing queued." + (f" {len(left)} write(s) wait for your decision." if left else ""))
            return EXIT_NOT_CONFIRMED if any(e.state == "unconfirmed" for e in left) else 0
        progress = _Progress(len(pending))
        outcomes = await writer.deliver(pending[-1].id, on_outcome=progress.step)
        progress.done()
        return _summary(pending, outcomes)


@outbox.command("resend")
@global_options
@click.argument("entry_id", metavar="ID", type=int)
@click.option("--yes", is_flag=True, help="Do not ask (an unconfirmed write may then be recorded twice).")
@click.pass_obj
@reports_errors
def outbox_resend(ctx: Context, entry_id: int, yes: bool) -> None:
    """Send an unconfirmed or refused write again."""
    sys.exit(run_async(_resend(ctx, entry_id, yes)))


async def _resend(ctx: Context, entry_id: int, yes: bool) -> int:
    async with _writer(ctx) as writer:
        entry = writer.outbox.get(entry_id)
        if entry is not None and entry.state == "unconfirmed":
            _ask(
                f"Write {entry_id} may already have been recorded; sending it again may record it twice. "
                "Send it again?",
                yes,
            )
        writer.outbox.resend(entry_id, time.time())
        outcomes = await writer.deliver(entry_id)
        mine = next((o for o in outcomes if o.entry.id == entry_id), None)
        if mine is None:
            click.echo(
                f"okrt-tui: write {entry_id} is queued behind older writes that cannot go now.", err=True
            )
            return EXIT_NOT_CONFIRMED
        return _say_outcome(mine, False)


@outbox.command("drop")
@global_options
@click.argument("entry_id", metavar="ID", type=int)
@click.option("--yes", is_flag=True, help="Do not ask.")
@click.pass_obj
@reports_errors
def outbox_drop(ctx: Context, entry_id: int, yes: bool) -> None:
    """Forget a write that is queued, unconfirmed or refused (it is not sent)."""
    with _outbox(ctx) as box:
        entry = box.get(entry_id)
        if entry is not None:
            _ask(
                f"Forget write {entry_id} ({_WHAT.get(entry.kind, entry.kind)} of {entry.target_label})?", yes
            )
        box.drop(entry_id)
    click.echo(f"Write {entry_id} was dropped.")


def _ask(question: str, yes: bool) -> None:
    """Asks on a terminal; elsewhere only ``--yes`` answers (a script must say so explicitly)."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise InvalidInput(f"{question} Nothing was done: pass --yes to confirm without a terminal.")
    if not click.confirm(question, default=False):
        raise InvalidInput("Nothing was done.")


# -- keys and files ------------------------------------------------------------------------------------------


@main.group(invoke_without_command=False)
def auth() -> None:
    """Store, check and remove a profile's API key."""


def _read_key(from_stdin: bool) -> str:
    """The key, from stdin or typed without echo; never from an argument, which ``ps`` would show."""
    if from_stdin:
        key = sys.stdin.readline().strip()
    elif not sys.stdin.isatty():
        raise click.UsageError("There is no terminal to type the key in: pass --stdin and pipe the key.")
    else:
        key = click.prompt("API key (okrt_…, not shown)", hide_input=True, default="", show_default=False)
        key = key.strip()
    if not key:
        raise InvalidInput("No key was given; nothing was stored.")
    if not key.startswith("okrt_"):
        raise InvalidInput(
            "That is not an OKRs Tool API key (they start with okrt_); nothing was stored. "
            "Create one in the OKRs Tool web app under Settings → API Keys."
        )
    return key


async def _accepts(ctx: Context, base_url: str, key: str) -> None:
    """One request: a key the API rejects raises Unauthorized; one that lacks the okrs:read scope is
    accepted all the same (the 403 comes after the key check)."""
    from okrt_tui.api.errors import Forbidden
    from okrt_tui.session import open_client

    async with open_client(base_url, key, dirs=ctx.dirs, max_wait=COMMAND_MAX_WAIT) as client:
        client.budget.on_wait = _say_wait
        with contextlib.suppress(Forbidden):
            await client.list_okrs(wait=not ctx.no_wait)


@auth.command("login")
@global_options
@click.option("--stdin", "from_stdin", is_flag=True, help="Read the key from stdin instead of asking.")
@click.pass_obj
@reports_errors
def auth_login(ctx: Context, from_stdin: bool) -> None:
    """Check a key against the API and store it in the OS keyring for the profile."""
    from okrt_tui import keys
    from okrt_tui.api.errors import Unauthorized
    from okrt_tui.config import key_source_of, read_config

    file = read_config(ctx.dirs)
    settings = load_settings(ctx.dirs, base_url=ctx.base_url, profile=ctx.profile, file=file, with_key=False)
    for warning in settings.warnings:
        _say(f"warning: {warning}")
    key = _read_key(from_stdin)
    try:
        run_async(_accepts(ctx, settings.base_url, key))
    except Unauthorized as exc:
        raise Unauthorized(f"{exc} Nothing was stored.") from None
    backend = keys.store_in_keyring(settings.account, key)
    who = f"profile {settings.profile}" if settings.profile else "okrt-tui"
    click.echo(
        f"The key {keys.masked(key)} works on {settings.base_url}; it is stored in the OS keyring "
        f"({backend}) for {who}."
    )
    _, table = key_source_of(file, settings.profile)
    other = next((n for n in ("key_env", "key_command", "key") if getattr(table, n) is not None), None)
    if os.environ.get("OKRT_API_KEY", "").strip():
        _say("OKRT_API_KEY is set, and comes before the keyring: unset it to use the stored key.")
    if other is not None:
        _say(f"{file.path} names {other} as the key's source, which comes first: remove that line to use it.")
    elif table.key_keyring is False:
        _say(f"{file.path} says key_keyring = false: remove that line to use it.")


@auth.command("status")
@global_options
@click.pass_obj
@reports_errors
def auth_status(ctx: Context) -> None:
    """Each profile's base URL, key and where it comes from, and which of the five scopes work
    (one request per scope; none of them writes)."""
    from okrt_tui.config import read_config

    file = read_config(ctx.dirs)
    for warning in file.warnings:
        _say(f"warning: {warning}")
    if ctx.profile or os.environ.get("OKRT_PROFILE"):
        names: list[str | None] = [None]  # the chosen one (load_settings says when it does not exist)
    else:
        names = list(sorted(file.profiles)) or [None]
    problems = [_status_of(ctx, file, name) for name in names]
    sys.exit(next((code for code in problems if code), 0))


def _status_of(ctx: Context, file: ConfigFile, name: str | None) -> int:
    """Prints one profile's status; returns the exit code of its problem (0: none)."""
    from okrt_tui import keys

    settings = load_settings(
        ctx.dirs, base_url=ctx.base_url, profile=name or ctx.profile, file=file, with_key=False
    )
    title = settings.profile or "(no profile)"
    if settings.profile is not None and settings.profile == file.top.default_profile:
        title += " (default_profile)"
    click.echo(title)
    click.echo(f"  base URL  {settings.base_url}")
    try:
        settings = load_settings(ctx.dirs, base_url=ctx.base_url, profile=settings.profile, file=file)
        key = settings.require_key()
    except OkrtError as exc:
        click.echo(f"  key       none: {exc}")
        return exc.exit_code
    click.echo(f"  key       {keys.masked(key)}, from {settings.key_source}")
    held, sent, failure = run_async(_scopes(ctx, settings.base_url, key))
    if failure is not None:
        click.echo(f"  scopes    unknown: {failure}")
    else:
        works = [scope for scope, yes in held.items() if yes] or ["none"]
        lacks = [scope for scope, yes in held.items() if not yes] or ["none"]
        click.echo(f"  scopes    works: {', '.join(works)}; missing: {', '.join(lacks)}")
    click.echo(f"  requests  {sent} (none of them writes)")
    return failure.exit_code if failure is not None else 0


async def _scopes(ctx: Context, base_url: str, key: str) -> tuple[dict[str, bool], int, OkrtError | None]:
    from okrt_tui.api.scopes import held_scopes
    from okrt_tui.session import open_client

    async with open_client(base_url, key, dirs=ctx.dirs, max_wait=COMMAND_MAX_WAIT) as client:
        client.budget.on_wait = _say_wait
        try:
            return await held_scopes(client), client.requests_sent, None
        except OkrtError as exc:
            return {}, client.requests_sent, exc


@auth.command("logout")
@file_options
@click.pass_obj
@reports_errors
def auth_logout(ctx: Context) -> None:
    """Remove the profile's key from the OS keyring."""
    from okrt_tui import keys
    from okrt_tui.config import key_source_of, read_config

    file = read_config(ctx.dirs)
    settings = load_settings(ctx.dirs, profile=ctx.profile, file=file, with_key=False)
    who = f"profile {settings.profile}" if settings.profile else "okrt-tui"
    if keys.delete_from_keyring(settings.account):
        click.echo(f"The key of {who} was removed from the OS keyring.")
    else:
        click.echo(f"No key of {who} is stored in the OS keyring; nothing was removed.")
    _, table = key_source_of(file, settings.profile)
    other = next((n for n in ("key_env", "key_command", "key") if getattr(table, n) is not None), None)
    if other is not None:
        _say(f"{file.path} still names {other} as the key's source: okrt-tui did not store that key.")


@main.group("config", invoke_without_command=False)
def config_group() -> None:
    """Where okrt-tui keeps its files, and an example config.toml."""


@config_group.command("path")
@file_options
@click.pass_obj
@reports_errors
def config_path(ctx: Context) -> None:
    """Where each file lives."""
    dirs = ctx.dirs
    exists = "" if dirs.config_file.exists() else "  (none yet: `okrt-tui config init` writes one)"
    click.echo(f"config.toml          {dirs.config_file}{exists}")
    click.echo(f"databases            {dirs.data}/<workspace>.sqlite3")
    click.echo(f"rate ledgers         {dirs.state}/budget-<keyhash>")
    click.echo(f"log                  {dirs.log_file}")
    click.echo(f"cache                {dirs.cache}")


@config_group.command("init")
@file_options
@click.pass_obj
@reports_errors
def config_init(ctx: Context) -> None:
    """Write a commented example config.toml (never over an existing one)."""
    from okrt_tui.config import EXAMPLE

    path = ctx.dirs.config_file
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # Private from its first byte, as ssh wants its files: it will name where keys come from.
        with open(path, "x", encoding="utf-8", opener=lambda p, flags: os.open(p, flags, 0o600)) as out:
            out.write(EXAMPLE)
    except FileExistsError:
        raise InvalidInput(f"{path} exists already; nothing was written (move it away first).") from None
    click.echo(f"Wrote {path}: every line is commented out; uncomment and edit what you need.")
