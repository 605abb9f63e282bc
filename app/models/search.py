"""The search index: one row per searchable item (a post, a comment, a wiki
page, a space, a person, a file, a calendar event), holding its words already folded and stemmed
by ``app.search.text`` — what the database's full-text index reads.

The row does not decide who may read the item: a search joins each hit back to
the item's own table and applies ``app.access`` there, so a change of level,
audience, space or deletion is seen by the next query. Its ``scope`` (the item's
container and level as one word, ``app.search.scope``) only lets a narrow
reader's search skip what is plainly outside their reach.

Each database adds its full-text index in migrations 0011 and 0012, outside
these models: SQLite an FTS5 table ``search_fts`` over the three columns (kept
in step by triggers), PostgreSQL a stored ``document`` tsvector (title weighted
A, body D, the scope as the lexeme ``~scope``, which no typed word can give)
with a GIN index. ``SEARCH_INDEX_OBJECTS`` names them for the schema comparison.
"""

from enum import StrEnum

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigId, IdPk
from app.models.user import str_enum


class SearchKind(StrEnum):
    POST = "post"
    COMMENT = "comment"
    PAGE = "page"
    SPACE = "space"
    PERSON = "person"
    FILE = "file"
    EVENT = "event"


class SearchEntry(Base):
    __tablename__ = "search_entries"
    __table_args__ = (UniqueConstraint("kind", "item_id", name="uq_search_entries_kind_item"),)

    # Allocated when the item is first indexed: newer items have larger ids,
    # which is the order results come in within a band (see app.search).
    id: Mapped[IdPk]
    kind: Mapped[SearchKind] = mapped_column(str_enum(SearchKind, 10))
    item_id: Mapped[int] = mapped_column(BigId)
    title_terms: Mapped[str] = mapped_column(Text, default="")
    body_terms: Mapped[str] = mapped_column(Text, default="")
    scope: Mapped[str] = mapped_column(String(24), default="any", server_default="any")


# Database objects of the full-text index that the models do not describe.
SEARCH_INDEX_TABLES = frozenset(
    {"search_fts", "search_fts_data", "search_fts_idx", "search_fts_docsize", "search_fts_config"}
)
SEARCH_INDEX_COLUMNS = frozenset({("search_entries", "document")})
SEARCH_INDEX_INDEXES = frozenset({"ix_search_entries_document", "ix_search_entries_titled"})


def described_by_models(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's ``include_object``: leaves the full-text index out of the
    comparison of the migrated schema with the models."""
    if type_ == "table":
        return name not in SEARCH_INDEX_TABLES
    if type_ == "column":
        return (obj.table.name, name) not in SEARCH_INDEX_COLUMNS
    if type_ == "index":
        return name not in SEARCH_INDEX_INDEXES
    return True
