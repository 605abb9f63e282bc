"""A result's snippet: the readable text around the first word the search
matched, each matched word marked. Words are told matched by the same folding
and stems as the index (``app.search.text``), so what is marked is what
matched: ``équipes`` is marked for a search of ``equipe``. The text is escaped
first, marked after (``app.snippets.Snippet.__html__``)."""

import re
import unicodedata

from app.search.query import Query
from app.search.text import fold, stems
from app.snippets import ELLIPSIS, Snippet

WORD = re.compile(r"[^\W_]+")
WIDTH = 80


def marked_spans(text: str, query: Query) -> list[tuple[int, int]]:
    forms, exact = query.marked()
    spans = []
    for match in WORD.finditer(text):
        for word in fold(match.group()).split():
            if word in exact or word in forms or forms.intersection(stems(word)):
                spans.append(match.span())
                break
    return spans


def highlight(text: str, query: Query, width: int = WIDTH) -> Snippet:
    """About ``width`` characters before the first match and twice that after
    (else the text's start), cut between words."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    spans = marked_spans(text, query)
    at = spans[0][0] if spans else 0
    start = max(0, at - width)
    if start > 0 and (space := text.find(" ", start, at)) >= 0:
        start = space + 1
    end = min(len(text), at + 2 * width)
    if end < len(text) and (space := text.rfind(" ", at, end)) > at:
        end = space
    lead = ELLIPSIS if start > 0 else ""
    tail = ELLIPSIS if end < len(text) else ""
    shift = len(lead) - start
    marks = tuple((s + shift, e + shift) for s, e in spans if s >= start and e <= end)
    return Snippet(lead + text[start:end] + tail, marks)
