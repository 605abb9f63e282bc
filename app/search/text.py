"""Words as the search index holds them, the same on both databases.

Text is cut into words, lower-cased and its accents folded (``équipe`` and
``equipe`` are one word). Each word is also reduced to its French and its
English stem by the Snowball stemmers — the algorithms PostgreSQL's own
``french`` and ``english`` configurations use — so that ``équipes`` finds
``équipe`` and ``teams`` finds ``team``, whichever language a post is in.

A text's terms are its folded words in order (what a "phrase in quotes" and a
prefix match read), then the stems not already among them. The index receives
them as plain space-separated tokens: SQLite's FTS5 with its ``unicode61``
tokenizer and PostgreSQL's ``simple`` configuration both split them on spaces and
change nothing else, so the two databases match exactly the same words.
"""

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

# Letters and digits, joined by an apostrophe or a hyphen inside a word: "aujourd'hui"
# and "Saint-Étienne" are cut at those by FTS5 too, so they are cut here.
WORD = re.compile(r"\w+", re.UNICODE)
# Words longer than this are not words people search for (hashes, base64...).
LONGEST_WORD = 40

_FRENCH = snowballstemmer.stemmer("french")
_ENGLISH = snowballstemmer.stemmer("english")


def fold(text: str) -> str:
    """Lower case without accents: ``Équipe`` → ``equipe``; ``œ`` → ``oe``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words(text: str) -> list[str]:
    """The folded words of ``text``, in order; the underscore counts as a space."""
    return [
        word for word in WORD.findall(fold(text).replace("_", " ")) if len(word) <= LONGEST_WORD
    ]


@lru_cache(maxsize=65536)
def stems(word: str) -> tuple[str, ...]:
    """The distinct stems of one folded word, French then English. Stemming the
    folded word means a word typed without its accents stems like the word with
    them."""
    found = []
    for stemmer in (_FRENCH, _ENGLISH):
        stem = stemmer.stemWord(word)
        if stem and stem not in found:
            found.append(stem)
    return tuple(found)


def word_stems(word: str) -> tuple[str, ...]:
    """What one word typed in a search matches: its stems, folded."""
    return stems(fold(word))


def terms(text: str) -> str:
    """What the index stores of ``text``: its words in order, then the stems
    that are not already words of it."""
    ordered = words(text)
    present = set(ordered)
    extra: dict[str, None] = {}
    for word in present:
        for stem in stems(word):
            if stem not in present:
                extra[stem] = None
    return " ".join([*ordered, *sorted(extra)])
