"""The wall monitor served to browsers (``okrt-tui monitor --serve``): ``server.py`` and its page."""
