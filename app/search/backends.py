"""The two full-text backends, one shape: given the parsed terms, the clause
that an entry matches them (in its title alone, or anywhere), and the column
its index returns entries in (newest first is a backward walk of it).

Every token put in a MATCH or a to_tsquery text comes from
``app.search.text.words`` (letters and digits only) and is quoted where the
syntax quotes: no operator a person types reaches either database.

- SQLite: the FTS5 table ``search_fts`` (external content over
  ``search_entries``, rowid = entry id), columns ``title_terms``,
  ``body_terms`` and ``scope``; a title match is the column filter
  ``{title_terms} : (...)``, any other ``{title_terms body_terms} : (...)``.
- PostgreSQL: the stored tsvector ``search_entries.document``, the title
  weighted A; a title match labels every lexeme ``:A``; ``<->`` for phrases.

Either way, ``scopes`` (an external's: ``access.readable_scopes``) adds that
the entry's scope is one of them, which the index intersects with the words.
"""

from collections.abc import Collection, Sequence

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    cast,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    union_all,
)
from sqlalchemy.dialects.postgresql import TSQUERY

from app.models import SearchEntry
from app.search.query import Phrase, Query, Term, Word

FTS = table("search_fts", column("rowid"))
DOCUMENT = literal_column("search_entries.document")


class Sqlite:
    def term(self, term: Term, title: bool) -> str:
        if isinstance(term, Word):
            text = " OR ".join(f'"{form}"' for form in term.forms)
        else:
            text = '"' + " ".join(term.words) + '"'
        return f"{{{'title_terms' if title else 'title_terms body_terms'}}} : ({text})"

    def all(self, terms: Sequence[Term], title: bool) -> str:
        return " AND ".join(self.term(term, title) for term in terms)

    def any(self, terms: Sequence[Term]) -> str:
        return " OR ".join(self.term(term, False) for term in terms)

    def without(self, kept: str, dropped: str) -> str:
        return f"({kept}) NOT ({dropped})"

    def matching(
        self, statement: Select, expression: str, scopes: Collection[str] | None
    ) -> Select:
        if scopes is not None:
            expression = f"({expression}) AND {{scope}} : ({' OR '.join(sorted(scopes))})"
        return statement.join(FTS, FTS.c.rowid == SearchEntry.id).where(
            literal_column("search_fts").op("MATCH")(expression)
        )

    @property
    def order(self) -> ColumnElement:
        """FTS5 walks its rowids (the entry ids) backwards itself."""
        return FTS.c.rowid

    def counts_in_ranges(self, query: Query) -> bool:
        """FTS5 keeps positions in its index: its newest-first walk skips what
        does not match, phrases included."""
        return False


class Postgres:
    def term(self, term: Term, title: bool) -> str:
        label = ":A" if title else ""
        if isinstance(term, Word):
            return "(" + " | ".join(form + label for form in term.forms) + ")"
        return "(" + " <-> ".join(word + label for word in term.words) + ")"

    def all(self, terms: Sequence[Term], title: bool) -> str:
        return " & ".join(self.term(term, title) for term in terms)

    def any(self, terms: Sequence[Term]) -> str:
        return " | ".join(self.term(term, False) for term in terms)

    def without(self, kept: str, dropped: str) -> str:
        return f"({kept}) & !({dropped})"

    def matching(
        self, statement: Select, expression: str, scopes: Collection[str] | None
    ) -> Select:
        tsquery = func.to_tsquery(literal_column("'simple'::regconfig"), expression)
        if scopes is not None:
            # Lexemes as they are ('~s12public'): tsquery's own input, not to_tsquery's parser.
            within = " | ".join(f"'~{scope}'" for scope in sorted(scopes))
            tsquery = tsquery.op("&&")(cast(literal(within), TSQUERY))
        return statement.where(DOCUMENT.op("@@")(tsquery))

    @property
    def order(self) -> ColumnElement:
        return SearchEntry.id

    def counts_in_ranges(self, query: Query) -> bool:
        """Whether a count is read range by range (``in_ranges``): a phrase's.
        GIN keeps no positions, so the newest-first walk checks each entry's
        own until a thousand match, where the index knows which entries hold
        all the words (1 in 37 for "equipe reporte"); a word's plan, walk or
        index, checks only entries that match already."""
        return any(isinstance(term, Phrase) and len(term.words) > 1 for term in query.terms)

    def in_ranges(self, found: Select, newest: int) -> CompoundSelect:
        """``found`` newest first, range by range of the ids at or below
        ``newest`` (``COUNT_RANGE`` ids, then twice as many each time), each
        range a query planned for its own bounds — one plan for all, blind to
        them, read a bitmap of every id of each range — and the caller's limit
        stopping them in turn (docs/search.md)."""
        ranges, upper, width = [], newest, COUNT_RANGE
        while upper > 0:
            lower = max(upper - width, 0)
            ranges.append(
                found.where(SearchEntry.id <= upper, SearchEntry.id > lower)
                .order_by(SearchEntry.id.desc())
                .subquery()
            )
            upper, width = lower, width * 2
        return union_all(*(select(*each.c) for each in ranges))


# The newest range of ``Postgres.in_ranges``, in entry ids. A range reads the
# GIN index's lists of the words once (two common words: 13 ms on the 1M-post
# company), what checking the candidates of ~200,000 entries costs: a range
# should be worth that. At 2^18, an employee's count of a phrase, which wants
# ~260,000 entries, read the next range too (80 ms); at 3 × 2^17, one (48 ms).
COUNT_RANGE = 3 << 17


def backend_for(dialect_name: str) -> Sqlite | Postgres:
    return Postgres() if dialect_name == "postgresql" else Sqlite()


TITLE_BAND, BODY_BAND = 0, 1


def expression(backend: Sqlite | Postgres, query: Query, band: int | None) -> str | None:
    """The match text of a band (None: both bands, as counts read it); None
    when the query has no words (only #tags or @people)."""
    if not query.terms:
        return None
    anywhere = backend.all(query.terms, title=False)
    in_title = backend.all(query.terms, title=True)
    matched = {
        TITLE_BAND: in_title,
        BODY_BAND: backend.without(anywhere, in_title),
        None: anywhere,
    }[band]
    if query.excluded:
        matched = backend.without(matched, backend.any(query.excluded))
    return matched
