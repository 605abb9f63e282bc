"""Full-text search: one interface (``app.search.engine``), two backends
(SQLite's FTS5, PostgreSQL's tsvector: ``app.search.backends``), one index
kept in step with writes (``app.search.indexing``), the same words on both
(``app.search.text``). docs/search.md tells the whole of it."""
