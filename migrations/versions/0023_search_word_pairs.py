"""search word pairs: PostgreSQL's document also holds each pair of neighbouring terms

A phrase in quotes was checked on the positions of every entry holding its
words, read from each entry's stored tsvector; PostgreSQL, unable to estimate a
phrase, often walked the newest entries checking each (the facets of a
two-word phrase at 1M posts: 190,000 entries read for 1,000 matches, 112 ms).
Each pair of neighbouring terms of the title and of the body is now also a
lexeme (``mise_en``, ``en_production``; no typed word holds ``_``,
``app.search.text.words``), without positions: a phrase asks for its pairs
(one GIN lookup each, estimated from their own statistics) and checks the
positions only on the entries holding them all. The terms list a text's words
then its stems, so a few pairs join a word to a stem or two stems: those only
add candidates, which the positions' check removes. SQLite's FTS5 keeps
positions in its index and changes nothing.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 01:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _pairs(column: str) -> str:
    """The pairs of neighbouring space-separated terms of ``column``, as
    lexemes without positions: the odd pairs (1-2, 3-4...) then the even ones
    (2-3, 4-5...), built by two replacements (a generated column cannot call a
    set-returning function). A last term left alone is a lexeme already
    present with its positions: merged into it, it changes nothing."""
    pair = r"'(\S+) (\S+)', '\1_\2', 'g'"
    odd = f"regexp_replace({column}, {pair})"
    even = f"regexp_replace(regexp_replace({column}, '^\\S+ ?', ''), {pair})"
    return f"array_to_tsvector(array_remove(string_to_array({odd} || ' ' || {even}, ' '), ''))"


def _document(pairs: bool) -> list[str]:
    paired = f"\n            || {_pairs('title_terms')} || {_pairs('body_terms')}" if pairs else ""
    return [
        f"""ALTER TABLE search_entries ADD COLUMN document tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('simple', title_terms), 'A')
            || setweight(to_tsvector('simple', body_terms), 'D')
            || array_to_tsvector(ARRAY['~' || scope]){paired}) STORED""",
        "CREATE INDEX ix_search_entries_document ON search_entries USING gin (document)",
        "ALTER TABLE search_entries ALTER COLUMN document SET STATISTICS 1000",
        "CREATE INDEX ix_search_entries_titled ON search_entries USING gin (document) "
        "WHERE kind IN ('page', 'space', 'person', 'file')",
    ]


DROP = [
    "DROP INDEX ix_search_entries_titled",
    "DROP INDEX ix_search_entries_document",
    "ALTER TABLE search_entries DROP COLUMN document",
]


def _rewrite(pairs: bool) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in [*DROP, *_document(pairs)]:
        op.execute(statement)


def upgrade() -> None:
    _rewrite(pairs=True)


def downgrade() -> None:
    _rewrite(pairs=False)
