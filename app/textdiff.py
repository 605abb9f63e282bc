"""Comparing and merging texts: the readable word-level diff that history and
the conflict screen show, and the line-level three-way merge that offers an
editor whose save conflicted both edits at once."""

import re
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher

# Words and the spaces between them, each its own token: a diff of tokens
# reads as a diff of words, and joining them gives the text back exactly.
WORDS = re.compile(r"\s+|[^\s]+")

# SequenceMatcher weighs every pair of equal tokens, quadratic when they repeat
# (spaces, blank lines, table rows): a 60,000-character page took half a minute,
# a page of blank lines far longer, with a worker busy and, on SQLite, the write
# lock held. Past this many pairs (shared by the changed lines of one diff), a
# stretch is shown replaced whole rather than compared: a fraction of a second.
MAX_PAIRS = 1_000_000


@dataclass(frozen=True)
class Segment:
    op: str  # "equal", "insert" or "delete"
    text: str


def word_diff(old: str, new: str) -> list[Segment]:
    """What changed from ``old`` to ``new``, word by word within the lines that
    changed; consecutive segments of the same kind are joined."""
    segments: list[Segment] = []
    before, after = old.splitlines(keepends=True), new.splitlines(keepends=True)
    lines = _opcodes(before, after)
    share = MAX_PAIRS // max(1, sum(tag != "equal" for tag, *_ in lines))
    for tag, i1, i2, j1, j2 in lines:
        if tag == "equal":
            _append(segments, "equal", "".join(before[i1:i2]))
        else:
            _word_changes(segments, "".join(before[i1:i2]), "".join(after[j1:j2]), share)
    return segments


def _word_changes(segments: list[Segment], old: str, new: str, max_pairs: int) -> None:
    before, after = WORDS.findall(old), WORDS.findall(new)
    for tag, i1, i2, j1, j2 in _opcodes(before, after, max_pairs):
        if tag == "equal":
            _append(segments, "equal", "".join(before[i1:i2]))
            continue
        if i2 > i1:
            _append(segments, "delete", "".join(before[i1:i2]))
        if j2 > j1:
            _append(segments, "insert", "".join(after[j1:j2]))


def _opcodes(
    before: list[str], after: list[str], max_pairs: int = MAX_PAIRS
) -> list[tuple[str, int, int, int, int]]:
    """SequenceMatcher's opcodes, the common start and end set aside first (they
    cost nothing), and the rest as one replacement when comparing it would
    weigh more than ``max_pairs`` pairs of equal tokens."""
    shortest = min(len(before), len(after))
    start = 0
    while start < shortest and before[start] == after[start]:
        start += 1
    end = 0
    while end < shortest - start and before[-end - 1] == after[-end - 1]:
        end += 1
    old, new = before[start : len(before) - end], after[start : len(after) - end]
    counts = Counter(new)
    if sum(counts[token] for token in old) <= max_pairs:
        middle = SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    else:
        middle = [("replace", 0, len(old), 0, len(new))]
    head = [("equal", 0, start, 0, start)] if start else []
    tail = [("equal", len(before) - end, len(before), len(after) - end, len(after))] if end else []
    shifted = [
        (tag, i1 + start, i2 + start, j1 + start, j2 + start) for tag, i1, i2, j1, j2 in middle
    ]
    return head + shifted + tail


def _append(segments: list[Segment], op: str, text: str) -> None:
    if segments and segments[-1].op == op:
        segments[-1] = Segment(op, segments[-1].text + text)
    else:
        segments.append(Segment(op, text))


@dataclass(frozen=True)
class Merge:
    text: str
    clean: bool  # False: some lines changed on both sides, marked in the text


def three_way_merge(base: str, theirs: str, mine: str, *, labels=("theirs", "mine")) -> Merge:
    """Both sides' changes to ``base``, line by line. Where both changed the
    same lines differently, both versions are kept between markers so that
    nothing is lost and the editor chooses."""
    base_lines = base.splitlines(keepends=True)
    their_changes = _changes(base_lines, theirs.splitlines(keepends=True))
    my_changes = _changes(base_lines, mine.splitlines(keepends=True))
    out: list[str] = []
    clean = True
    position = 0
    while their_changes or my_changes or position < len(base_lines):
        start = min(
            [change[0] for change in their_changes[:1] + my_changes[:1]] + [len(base_lines)]
        )
        out.extend(base_lines[position:start])
        position = start
        if not their_changes and not my_changes:
            break
        # Gather every change, on either side, that overlaps the region begun here.
        end, theirs_here, mine_here = start, [], []
        grew = True
        while grew:
            grew = False
            for changes, taken in ((their_changes, theirs_here), (my_changes, mine_here)):
                while changes and _overlaps(changes[0], start, end):
                    change = changes.pop(0)
                    taken.append(change)
                    end = max(end, change[1])
                    grew = True
        their_text = _apply(base_lines, start, end, theirs_here)
        my_text = _apply(base_lines, start, end, mine_here)
        if not theirs_here or their_text == my_text:
            out.extend(my_text)
        elif not mine_here:
            out.extend(their_text)
        else:
            clean = False
            out.append(f"<<<<<<< {labels[0]}\n")
            out.extend(_ended(their_text))
            out.append("=======\n")
            out.extend(_ended(my_text))
            out.append(f">>>>>>> {labels[1]}\n")
        position = end
    return Merge("".join(out), clean)


def _changes(base: list[str], other: list[str]) -> list[tuple[int, int, list[str]]]:
    """(start, end, replacement lines) for each base range the other side changed."""
    return [
        (i1, i2, other[j1:j2]) for tag, i1, i2, j1, j2 in _opcodes(base, other) if tag != "equal"
    ]


def _overlaps(change: tuple[int, int, list[str]], start: int, end: int) -> bool:
    first, last, _ = change
    # An insertion exactly at the region's edge overlaps it: two insertions at
    # one place are a conflict, not an arbitrary order.
    return first < end or first == start or (first == end and last == end)


def _apply(base: list[str], start: int, end: int, changes) -> list[str]:
    lines, position = [], start
    for first, last, replacement in changes:
        lines.extend(base[position:first])
        lines.extend(replacement)
        position = last
    lines.extend(base[position:end])
    return lines


def _ended(lines: list[str]) -> list[str]:
    if lines and not lines[-1].endswith("\n"):
        return [*lines[:-1], lines[-1] + "\n"]
    return lines
