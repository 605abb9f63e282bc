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
    BigInteger,
    ColumnElement,
    Select,
    cast,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    true,
)
from sqlalchemy.dialects.postgresql import TSQUERY

from app.models import SearchEntry
from app.search.query import Query, Term, Word

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

    def newest_many(self, found: Select) -> Select:
        """FTS5 reads positions from its index: its newest-first walk skips
        what does not match, however many are wanted."""
        return found.order_by(FTS.c.rowid.desc())


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

    def newest_many(self, found: Select) -> Select:
        """``found`` newest first, read range by range of entry ids — the
        newest ``FIRST_RANGE``, then ranges twice as wide each — for a query
        that wants many matches (a count). In each range PostgreSQL may take
        the GIN index's candidates there and check only those, where the
        newest-first walk reads every entry until enough match: a phrase of
        common words, whose candidates hold both words but mostly not in
        order, is then checked on 1 entry in 40 rather than on each. On the
        1M-post company, counting "equipe reporte": the floor 52 → 43 ms, an
        employee 82 → 48 ms; a rarer phrase of common words ("equipe projet",
        19 matches) 480 → 138 ms. A common word is still walked within a
        range: the planner chooses, range by range. Each range is sorted on
        its own; the ranges come newest first and the caller's limit stops
        them, so a count that the newest range fills reads no other."""
        newest = select(func.max(SearchEntry.id)).scalar_subquery()
        ranges = func.generate_series(0, MAX_RANGES - 1).table_valued("n").render_derived("ranges")
        before = _widths(ranges.c.n)
        within = (
            found.where(SearchEntry.id <= newest - before)
            .where(SearchEntry.id > newest - _widths(ranges.c.n + 1))
            .order_by(SearchEntry.id.desc())
            .lateral("ranged")
        )
        return select(*within.c).select_from(ranges).join(within, true()).where(before < newest)


# The newest range of ``Postgres.newest_many``, in entry ids. Each range reads
# the GIN index's lists of the words once (two common words: 13 ms on the
# 1M-post company), what checking the candidates of ~200,000 entries costs: a
# range should be worth that. At 2^18, an employee's phrase count, which wants
# ~260,000 entries, read a second range three times as wide (80 ms); at 3 × 2^17
# it reads one. MAX_RANGES: the last ends 2^40 ranges back, never reached.
FIRST_RANGE = 3 << 17
MAX_RANGES = 40


def _widths(n: ColumnElement) -> ColumnElement:
    """The ids the first ``n`` ranges span: FIRST_RANGE × (2^n − 1)."""
    return FIRST_RANGE * (literal(1, BigInteger).op("<<")(n.self_group()) - 1)


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
