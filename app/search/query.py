"""The search language, parsed into terms that only ever hold words from
``app.search.text.words``: nothing a person types reaches FTS5's MATCH or
PostgreSQL's to_tsquery as syntax.

- ``équipe projet``: every word must match, each in any of its forms (the
  folded word or its French and English stems);
- ``"mise en production"``: the folded words in that order, unstemmed;
- ``-brouillon``: no item holding that word (in any form) or ``-"a phrase"``;
- ``#kubernetes``: posts carrying that hashtag;
- ``@alice``: items written by that person (their handle);
- for suggestions, the last word is a prefix unless the text ends with a space.
"""

import re
from dataclasses import dataclass, field

from app.errors import Invalid
from app.i18n import _
from app.markdown import HASHTAG_NAME, normalise_hashtag
from app.search.text import stems, words

MAX_QUERY = 200
MAX_TERMS = 12
TOKEN = re.compile(r'-?"[^"]*"?|\S+')


@dataclass(frozen=True)
class Word:
    """One word and the forms it matches: itself, then its stems."""

    word: str

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.word, *(stem for stem in stems(self.word) if stem != self.word))


@dataclass(frozen=True)
class Phrase:
    """Folded words that must follow each other, unstemmed."""

    words: tuple[str, ...]


Term = Word | Phrase


@dataclass
class Query:
    terms: list[Term] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)
    handles: list[str] = field(default_factory=list)
    # Suggestions: what the last word starts with.
    prefix: str | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.terms or self.hashtags or self.handles or self.prefix)

    def marked(self) -> tuple[frozenset[str], frozenset[str]]:
        """What a snippet marks: words whose forms meet these forms, and
        words equal to one of these (phrases' words)."""
        forms = {form for term in self.terms if isinstance(term, Word) for form in term.forms}
        exact = {word for term in self.terms if isinstance(term, Phrase) for word in term.words}
        return frozenset(forms), frozenset(exact)


def _terms(text: str, quoted: bool) -> list[Term]:
    found = words(text)
    if quoted:
        return [Phrase(tuple(found))] if found else []
    return [Word(word) for word in found]


def parse(text: str, *, prefix: bool = False) -> Query:
    """``text`` as a query; ``prefix``: its last word is the start of a word
    (suggestions as one types)."""
    if len(text) > MAX_QUERY:
        raise Invalid(
            _("The search is too long (%(most)s characters at most).") % {"most": MAX_QUERY},
            code="query_too_long",
        )
    query = Query()
    tokens = TOKEN.findall(text)
    for token in tokens:
        if token.startswith("-") and len(token) > 1:
            rest = token[1:]
            query.excluded.extend(_terms(rest, rest.startswith('"')))
        elif token.startswith("#") and HASHTAG_NAME.fullmatch(token[1:]):
            query.hashtags.append(normalise_hashtag(token[1:]))
        elif token.startswith("@") and len(token) > 1:
            query.handles.append(token[1:].lower())
        else:
            query.terms.extend(_terms(token, token.startswith('"')))
    if prefix and text and not text[-1].isspace() and query.terms:
        last = query.terms[-1]
        if isinstance(last, Word):
            query.terms.pop()
            query.prefix = last.word
    if len(query.terms) + len(query.excluded) + len(query.hashtags) > MAX_TERMS:
        raise Invalid(
            _("The search has too many words (%(most)s at most).") % {"most": MAX_TERMS},
            code="query_too_long",
        )
    return query
