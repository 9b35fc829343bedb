"""`python -m okrt_tui` runs the same CLI as the `okrt-tui` script."""

from okrt_tui.cli import main

main(prog_name="okrt-tui")
