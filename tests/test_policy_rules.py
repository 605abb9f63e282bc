"""Rules about the policy's code itself: levels are compared in app/access.py and
nowhere else (ARCHITECTURE.md, "Confidentiality"; STYLE.md, "One access rule")."""

import ast
import re
from pathlib import Path

import pytest

from app.access import (
    Reader,
    check_can_write_in,
    check_clearance_allowed,
    check_no_write_up,
    check_not_below,
    named_in_presence,
)
from app.errors import Conflict, Forbidden, Invalid
from app.levels import AccountKind, Level, Role
from app.models import Space, SpaceRole, User, Visibility

APP = Path(__file__).resolve().parent.parent / "app"
# Where ranks may appear: the policy compares them; the vocabulary defines them;
# the column type stores them.
ALLOWED = {"access.py", "levels.py", "models/base.py"}
ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
LEVELISH = re.compile(r"level|clearance|rank", re.IGNORECASE)
ORDERING_CALLS = {"max", "min", "sorted"}


def level_comparisons(source: str) -> list[tuple[int, str]]:
    """(line, code) of every place ``source`` orders levels: a ``.rank``, an ordering
    comparison (<, <=, >, >=) with a level or clearance on either side, or a
    max/min/sorted over them. Strings and comments do not count."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "rank":
            found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.Compare) and any(isinstance(op, ORDERING) for op in node.ops):
            if any(LEVELISH.search(ast.unparse(side)) for side in [node.left, *node.comparators]):
                found.append((node.lineno, ast.unparse(node)))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ORDERING_CALLS
            and LEVELISH.search(ast.unparse(node))
        ):
            found.append((node.lineno, ast.unparse(node)))
    return found


@pytest.mark.parametrize(
    "code",
    [
        "ok = item.level.rank <= viewer.clearance.rank",
        "query = select(Post).where(Post.level <= viewer.clearance)",
        "if user.clearance > Level.PUBLIC: pass",
        "allowed = [lvl for lvl in Level if lvl.rank < 3]",
        "if Level.SECRET >= level: pass",
        "highest = max(post.level, parent_level)",
        "ordered = sorted(levels, key=lambda one: one.rank)",
        "x = 1 < viewer.clearance_rank",
    ],
)
def test_the_detector_finds_level_comparisons(code):
    assert level_comparisons(code), code


@pytest.mark.parametrize(
    "code",
    [
        "def level_label(level: Level) -> str: return LABELS[level]",
        "same = post.level == Level.PUBLIC",
        "query = select(Post).where(Post.level.in_(shown))",
        "note = 'level < clearance'  # clearance > level, in a comment",
        "if count > 3 and kind is AccountKind.ALUMNI: pass",
        "ok = Level(value) is Level.SECRET",
    ],
)
def test_the_detector_leaves_other_code_alone(code):
    assert level_comparisons(code) == [], code


def test_levels_are_compared_only_in_app_access():
    offences = []
    for path in sorted(APP.rglob("*.py")):
        relative = path.relative_to(APP).as_posix()
        if relative in ALLOWED:
            continue
        offences += [
            f"app/{relative}:{line}: {code}"
            for line, code in level_comparisons(path.read_text(encoding="utf-8"))
        ]
    assert offences == [], "Levels are compared in app/access.py only:\n" + "\n".join(offences)


def test_app_access_is_where_the_comparisons_are():
    """The scan is not vacuous: the policy module itself is full of them."""
    assert len(level_comparisons((APP / "access.py").read_text(encoding="utf-8"))) >= 3


# --- the write rules of app/access.py -----------------------------------------------


def person(kind="employee", clearance="internal", is_active=True) -> User:
    return User(
        id=1,
        kind=AccountKind(kind),
        clearance=Level(clearance),
        is_active=is_active,
        role=Role.MEMBER,
    )


def space_of(visibility="open", is_archived=False) -> Space:
    return Space(id=7, visibility=Visibility(visibility), is_archived=is_archived)


@pytest.mark.parametrize("clearance", list(Level))
@pytest.mark.parametrize("level", list(Level))
def test_nobody_writes_above_their_clearance(clearance, level):
    writer = person(clearance=clearance)
    if list(Level).index(level) > list(Level).index(clearance):
        with pytest.raises(Forbidden) as refused:
            check_no_write_up(writer, level)
        assert refused.value.code == "write_up"
    else:
        check_no_write_up(writer, level)


@pytest.mark.parametrize("parent", list(Level))
@pytest.mark.parametrize("level", list(Level))
def test_nothing_is_placed_below_its_parent(parent, level):
    if list(Level).index(level) < list(Level).index(parent):
        with pytest.raises(Invalid) as refused:
            check_not_below(parent, level)
        assert refused.value.code == "write_down"
    else:
        check_not_below(parent, level)


@pytest.mark.parametrize("kind", ["alumni", "contractor"])
def test_externals_are_never_cleared_above_public(kind):
    check_clearance_allowed(AccountKind(kind), Level.PUBLIC)
    for level in (Level.INTERNAL, Level.CONFIDENTIAL, Level.SECRET):
        with pytest.raises(Invalid):
            check_clearance_allowed(AccountKind(kind), level)
    check_clearance_allowed(AccountKind.EMPLOYEE, Level.SECRET)


@pytest.mark.parametrize(
    ("writer", "space", "role", "outcome"),
    [
        (person(), None, None, None),  # the company stream
        (person(kind="contractor", clearance="public"), None, None, None),
        (person(), space_of("open"), None, None),  # open: any employee
        (person(kind="alumni", clearance="public"), space_of("open"), None, "not_member"),
        (person(), space_of("private"), None, "not_member"),
        (person(), space_of("secret"), SpaceRole.MEMBER, None),
        (person(kind="contractor", clearance="public"), space_of("secret"), SpaceRole.MEMBER, None),
        (person(), space_of("open", is_archived=True), SpaceRole.OWNER, "space_archived"),
        (person(is_active=False), None, None, "forbidden"),
    ],
)
def test_writing_in_a_container_needs_access_and_a_live_space(writer, space, role, outcome):
    if outcome is None:
        check_can_write_in(writer, space, role)
        return
    with pytest.raises((Forbidden, Conflict)) as refused:
        check_can_write_in(writer, space, role)
    assert refused.value.code == outcome


# --- who may know of whom lives in app/access.py too ---------------------------------

KNOWING = re.compile(r"know(n|able)", re.IGNORECASE)


def test_the_people_rule_is_defined_only_in_app_access():
    """Services ask ``knowable_people``/``knowable_among``; none writes its own
    rule of whom a viewer may know of (as ``services/people.py`` once did)."""
    offences = [
        f"app/{path.relative_to(APP).as_posix()}:{node.lineno}: {node.name}"
        for path in sorted(APP.rglob("*.py"))
        if path.relative_to(APP).as_posix() != "access.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and KNOWING.search(node.name)
    ]
    assert offences == [], "Whom a viewer may know of is decided in app/access.py:\n" + "\n".join(
        offences
    )


@pytest.mark.parametrize(
    ("kind", "user_id", "is_member", "named"),
    [
        ("employee", 2, False, True),  # employees know everyone
        ("alumni", 2, True, True),  # a member of the space
        ("contractor", 2, False, False),  # anyone else: counted, not named
        ("contractor", 1, False, True),  # oneself
    ],
)
def test_presence_names_to_an_external_only_the_spaces_members(kind, user_id, is_member, named):
    reader = Reader(
        user_id=1,
        kind=AccountKind(kind),
        clearance=Level.PUBLIC,
        is_active=True,
        member_space_ids=frozenset({7}),
    )
    assert named_in_presence(reader, user_id, is_member) is named
