"""The local SQLite database: cache of the last good answers and remembered ids."""
