"""The word diff that history and the conflict screen show, and the line-level
three-way merge offered to an editor whose save conflicted: nothing either
side wrote may be lost, and a clash is shown, never decided."""

import time
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.textdiff import Segment, three_way_merge, word_diff

# --- word_diff -------------------------------------------------------------------


def test_a_changed_word_is_deleted_then_inserted_between_equal_runs():
    assert word_diff("le chat dort", "le chien dort") == [
        Segment("equal", "le "),
        Segment("delete", "chat"),
        Segment("insert", "chien"),
        Segment("equal", " dort"),
    ]


def test_identical_texts_are_one_equal_segment():
    assert word_diff("rien\nne change", "rien\nne change") == [Segment("equal", "rien\nne change")]


def test_empty_texts():
    assert word_diff("", "") == []
    assert word_diff("", "tout neuf") == [Segment("insert", "tout neuf")]
    assert word_diff("tout parti", "") == [Segment("delete", "tout parti")]


def test_spaces_and_line_breaks_are_kept_exactly():
    segments = word_diff("a b", "a  b\n")

    assert "".join(s.text for s in segments if s.op != "delete") == "a  b\n"
    assert {s.op for s in segments} == {"equal", "delete", "insert"}


def test_segments_of_one_kind_are_joined():
    segments = word_diff("un deux trois quatre", "un quatre")

    assert segments == [
        Segment("equal", "un "),
        Segment("delete", "deux trois "),
        Segment("equal", "quatre"),
    ]


TEXTS = st.text(alphabet=st.sampled_from("ab é\n\t-"), max_size=40)


@given(old=TEXTS, new=TEXTS)
def test_word_diff_rebuilds_both_texts(old, new):
    segments = word_diff(old, new)

    assert "".join(s.text for s in segments if s.op != "delete") == new
    assert "".join(s.text for s in segments if s.op != "insert") == old
    assert all(s.text for s in segments)
    assert all(a.op != b.op for a, b in pairwise(segments))


# --- three_way_merge -------------------------------------------------------------

BASE = "titre\nun\ndeux\ntrois\nquatre\n"


def test_edits_of_different_lines_merge_cleanly():
    theirs = "titre\nUN\ndeux\ntrois\nquatre\n"
    mine = "titre\nun\ndeux\ntrois\nQUATRE\ncinq\n"

    merged = three_way_merge(BASE, theirs, mine)

    assert merged.clean
    assert merged.text == "titre\nUN\ndeux\ntrois\nQUATRE\ncinq\n"


def test_edits_of_adjacent_lines_merge_cleanly():
    merged = three_way_merge(BASE, BASE.replace("un", "UN"), BASE.replace("deux", "DEUX"))

    assert merged.clean
    assert merged.text == "titre\nUN\nDEUX\ntrois\nquatre\n"


def test_the_same_edit_on_both_sides_is_taken_once():
    edited = BASE.replace("deux", "2")

    merged = three_way_merge(BASE, edited, edited)

    assert merged == three_way_merge(BASE, BASE, edited)
    assert merged.clean and merged.text == edited


def test_one_side_unchanged_gives_the_other():
    theirs = "tout\nautre\n"

    assert three_way_merge(BASE, theirs, BASE).text == theirs
    assert three_way_merge(BASE, BASE, theirs).text == theirs
    assert three_way_merge(BASE, "", BASE).text == ""


def test_a_clash_keeps_both_versions_between_markers():
    merged = three_way_merge(
        BASE,
        BASE.replace("deux", "deux selon eux"),
        BASE.replace("deux", "deux selon moi"),
        labels=("leur version", "votre version"),
    )

    assert not merged.clean
    assert merged.text == (
        "titre\nun\n"
        "<<<<<<< leur version\ndeux selon eux\n=======\ndeux selon moi\n>>>>>>> votre version\n"
        "trois\nquatre\n"
    )


def test_a_clash_does_not_stop_clean_edits_elsewhere():
    theirs = BASE.replace("titre", "Titre").replace("trois", "3")
    mine = BASE.replace("un", "UN").replace("trois", "III")

    merged = three_way_merge(BASE, theirs, mine)

    assert not merged.clean
    assert merged.text == "Titre\nUN\ndeux\n<<<<<<< theirs\n3\n=======\nIII\n>>>>>>> mine\nquatre\n"


def test_insertions_at_the_same_place_are_a_clash_not_an_arbitrary_order():
    theirs = BASE.replace("deux\n", "deux\neux\n")
    mine = BASE.replace("deux\n", "deux\nmoi\n")

    merged = three_way_merge(BASE, theirs, mine)

    assert not merged.clean
    assert "<<<<<<< theirs\neux\n=======\nmoi\n>>>>>>> mine\n" in merged.text
    assert merged.text.startswith("titre\nun\ndeux\n<<<<<<<")


def test_a_deleted_line_that_the_other_side_edited_is_a_clash():
    merged = three_way_merge(BASE, BASE.replace("deux\n", ""), BASE.replace("deux", "DEUX"))

    assert not merged.clean
    assert "<<<<<<< theirs\n=======\nDEUX\n>>>>>>> mine\n" in merged.text


def test_empty_texts_merge():
    assert three_way_merge("", "", "").text == ""
    assert three_way_merge("", "", "").clean
    assert three_way_merge("", "eux", "").text == "eux"
    assert three_way_merge("", "", "moi").text == "moi"

    clash = three_way_merge("", "eux", "moi")

    assert not clash.clean
    assert clash.text == "<<<<<<< theirs\neux\n=======\nmoi\n>>>>>>> mine\n"


def test_a_clash_on_a_last_line_without_line_break_keeps_markers_on_their_own_lines():
    merged = three_way_merge("a\nb", "a\nB", "a\nβ")

    assert merged.text == "a\n<<<<<<< theirs\nB\n=======\nβ\n>>>>>>> mine\n"


# Each base line's fate: kept, replaced or deleted by one side only.
FATES = ("keep", "theirs", "mine", "theirs_delete", "mine_delete")


@st.composite
def separate_edits(draw):
    """A base text, both sides' edits of different lines (and insertions by one
    side between two lines nobody touched), and the text with both applied."""
    fates = draw(st.lists(st.sampled_from(FATES), max_size=12))
    inserted = {}
    for slot in range(len(fates) + 1):
        untouched = all(fates[i] == "keep" for i in (slot - 1, slot) if 0 <= i < len(fates))
        if untouched and draw(st.booleans()):
            inserted[slot] = draw(st.sampled_from(("theirs", "mine")))
    base, sides, both = [], {"theirs": [], "mine": []}, []
    for slot in range(len(fates) + 1):
        if slot in inserted:
            line = f"{inserted[slot]} added at {slot}\n"
            sides[inserted[slot]].append(line)
            both.append(line)
        if slot == len(fates):
            break
        line, fate = f"base {slot}\n", fates[slot]
        base.append(line)
        for side, lines in sides.items():
            if fate == side:
                lines.append(f"{side} wrote {slot}\n")
            elif fate != f"{side}_delete":
                lines.append(line)
        if fate in sides:
            both.append(f"{fate} wrote {slot}\n")
        elif fate == "keep":
            both.append(line)
    return "".join(base), "".join(sides["theirs"]), "".join(sides["mine"]), "".join(both)


@given(edits=separate_edits())
def test_a_merge_of_separate_line_edits_is_clean_and_holds_both(edits):
    base, theirs, mine, both = edits

    merged = three_way_merge(base, theirs, mine)

    assert merged.clean, merged.text
    assert merged.text == both


@given(edits=separate_edits(), extra=st.sampled_from(("eux\n", "moi\n")))
def test_nothing_either_side_wrote_is_lost(edits, extra):
    """Clean or not (both sides here also add a first line, the same or not),
    every line that either side wrote is in the merge."""
    base, theirs, mine, _both = edits
    theirs, mine = extra + theirs, "moi\n" + mine

    merged = set(three_way_merge(base, theirs, mine).text.splitlines(keepends=True))

    written = set(theirs.splitlines(keepends=True)) | set(mine.splitlines(keepends=True))
    assert written - set(base.splitlines(keepends=True)) <= merged


LINES = st.text(alphabet=st.sampled_from("ab\n"), max_size=16)


@given(base=LINES, other=LINES)
def test_an_edit_on_one_side_only_or_the_same_on_both_is_taken_as_is(base, other):
    """Texts with or without a last line break, blank lines, repeated lines."""
    assert three_way_merge(base, base, other) == three_way_merge(base, other, base)
    assert three_way_merge(base, base, other).text == other
    assert three_way_merge(base, other, other).text == other
    assert three_way_merge(base, other, other).clean


# --- bounded work ----------------------------------------------------------------

HUGE = [
    ("\n" * 100_000, "x" + "\n" * 99_998 + "y"),  # blank lines
    ("a\nb\n" * 25_000, "b\na\n" * 25_000),
    ("a " * 50_000, "b " + "a " * 49_998 + "c"),  # one line
    ("|  |  |\n" * 12_000, "| x |  |\n" + "|  |  |\n" * 11_998 + "| y |  |\n"),
]


@pytest.mark.parametrize(("old", "new"), HUGE, ids=["blank", "alternating", "one-line", "table"])
def test_pages_of_repeated_lines_and_words_are_compared_at_once(old, new):
    """SequenceMatcher is quadratic in repeated tokens: these took minutes (with
    a worker, and on SQLite the write lock, held by a conflicting save)."""
    started = time.monotonic()

    segments = word_diff(old, new)
    one_side = three_way_merge(old, new, old)
    three_way_merge(old, new, old[::-1])  # both sides changed everything

    assert time.monotonic() - started < 5
    assert "".join(s.text for s in segments if s.op != "delete") == new
    assert "".join(s.text for s in segments if s.op != "insert") == old
    assert one_side.text == new


def test_a_long_page_with_scattered_edits_still_diffs_word_by_word():
    paragraphs = [" ".join(f"mot{(n * 7 + i) % 300}" for i in range(150)) for n in range(100)]
    edited = [p.replace("mot", "MOT", 1) if n % 2 else p for n, p in enumerate(paragraphs)]

    segments = word_diff("\n\n".join(paragraphs), "\n\n".join(edited))

    changes = [s for s in segments if s.op != "equal"]
    assert len(changes) == 100
    assert {s.text[:3] for s in changes} == {"mot", "MOT"}
    assert max(len(s.text) for s in changes) <= 6
