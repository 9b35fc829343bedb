"""The ``okrt-tui`` script, and ``python -m okrt_tui``: the CLI, with the collector kept out of its way
(``okrt_tui.heap``)."""

from okrt_tui import heap


def run() -> None:
    with heap.one_command():
        from okrt_tui.cli import main

        heap.command_loaded()
        main(prog_name="okrt-tui")


if __name__ == "__main__":
    run()
