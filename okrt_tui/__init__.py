"""okrt-tui: a terminal dashboard for the OKRs Tool API."""

__version__ = "0.1.0"
