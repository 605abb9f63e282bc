"""Comparing and merging texts: the readable word-level diff that history and
the conflict screen show, and the line-level three-way merge that offers an
editor whose save conflicted both edits at once."""

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

# Words and the spaces between them, each its own token: a diff of tokens
# reads as a diff of words, and joining them gives the text back exactly.
WORDS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Segment:
    op: str  # "equal", "insert" or "delete"
    text: str


def word_diff(old: str, new: str) -> list[Segment]:
    """What changed from ``old`` to ``new``, word by word; consecutive segments
    of the same kind are joined."""
    before, after = WORDS.findall(old), WORDS.findall(new)
    segments: list[Segment] = []
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _append(segments, "equal", "".join(before[i1:i2]))
            continue
        if i2 > i1:
            _append(segments, "delete", "".join(before[i1:i2]))
        if j2 > j1:
            _append(segments, "insert", "".join(after[j1:j2]))
    return segments


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
    matcher = SequenceMatcher(None, base, other, autojunk=False)
    return [
        (i1, i2, other[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
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
