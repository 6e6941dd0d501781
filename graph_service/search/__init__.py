"""Label search: a SQLite FTS5 side index of the store, rebuilt when the data version changes."""
