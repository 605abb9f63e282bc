"""Search snippets: where a search found its words in a text, shown as plain
text with the words marked. The text is the Markdown's plain text
(``markdown.plain_text``), never its source: a result shows what the page
reads, not its ``| tables |``, ``**`` or ``[[links]]``."""

import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from app.markdown import plain_text

ELLIPSIS = "…"


@dataclass(frozen=True)
class Snippet:
    """An excerpt and the spans of it (start, end) that match the search.

    In a template it renders itself (``__html__``): the text escaped, the
    matches in ``<mark>``; as a string (the API's), the plain excerpt."""

    text: str
    marks: tuple[tuple[int, int], ...] = ()

    def __str__(self) -> str:
        return self.text

    def __html__(self) -> str:
        shown, position = Markup(), 0
        for start, end in self.marks:
            shown += escape(self.text[position:start])
            shown += Markup("<mark>%s</mark>") % self.text[start:end]
            position = end
        return shown + escape(self.text[position:])


def _words(query: str) -> re.Pattern | None:
    """The query's words, longest first (so "wiki" does not hide "wikipedia"),
    matched whatever their case."""
    words = sorted(set(query.split()), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words)), re.IGNORECASE) if words else None


def snippet(body: str, query: str, width: int = 80) -> Snippet:
    """About ``width`` characters of the text on each side of the first place it
    holds ``query`` (else its first word found, else the text's start), each of
    the query's words marked."""
    text = plain_text(body)
    words = _words(query)
    whole = re.search(re.escape(query.strip()), text, re.IGNORECASE) if query.strip() else None
    first = whole or (words.search(text) if words else None)
    at, after = (first.start(), first.end()) if first else (0, 0)
    start = max(0, at - width)
    end = min(len(text), after + width if first else 2 * width)
    # Cut between words, unless a word is longer than the slack (cut inside it).
    slack = width // 4
    if start > 0 and 0 <= (space := text.find(" ", start, at)) < start + slack:
        start = space + 1
    if end < len(text) and (space := text.rfind(" ", after, end)) > max(after, end - slack):
        end = space
    excerpt = text[start:end].strip()
    lead = ELLIPSIS if start > 0 else ""
    tail = ELLIPSIS if end < len(text) else ""
    marks = tuple(
        (match.start() + len(lead), match.end() + len(lead))
        for match in (words.finditer(excerpt) if words else ())
    )
    return Snippet(lead + excerpt + tail, marks)
