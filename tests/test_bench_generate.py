"""bench/generate.py at its smallest: it fills what the schema requires (the
profiles of migration 0011 included), gives the company one org chart, and
writes the search index the app would write, the same every time."""

import sqlite3
import subprocess
import sys
from pathlib import Path

from app.search.text import terms

ROOT = Path(__file__).resolve().parent.parent


def generate(path: Path) -> sqlite3.Connection:
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "generate.py"),
            "--database-url",
            f"sqlite+aiosqlite:///{path}",
            "--scale",
            "0.0001",  # its floor: 60 accounts, 8 spaces, 500 posts
            "--now",
            "2026-12-06",
            "--viewers",
            "5",
            "--check",
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    return sqlite3.connect(path)


SAME_SEED_SAME_ROWS = (
    "SELECT id, email, job_title, department, site, manager_id, organisation, phone, bio"
    " FROM users UNION ALL SELECT user_id, kind, key, name, '', NULL, '', '', ''"
    " FROM profile_tags UNION ALL SELECT id, kind, item_id, title_terms, body_terms,"
    " NULL, '', '', '' FROM search_entries"
)


def test_the_generated_company_has_profiles_and_its_search_index(tmp_path):
    db = generate(tmp_path / "a.db")
    again = generate(tmp_path / "b.db").execute(SAME_SEED_SAME_ROWS).fetchall()
    assert again == db.execute(SAME_SEED_SAME_ROWS).fetchall()
    users = db.execute(
        "SELECT id, kind, email, job_title, department, site, manager_id, organisation, "
        "joined_year, left_year, phone FROM users"
    ).fetchall()
    assert all(row[3] and row[4] and row[5] and row[10].startswith("+33 ") for row in users)
    kind = {row[0]: row[1] for row in users}
    manager = {row[0]: row[6] for row in users}
    for user_id, user_kind, email, *_rest, organisation, joined, left, _phone in users:
        if user_kind == "employee":
            seen = {user_id}
            while manager[user_id] is not None:  # up to the head of the company
                user_id = manager[user_id]
                assert kind[user_id] == "employee" and user_id not in seen
                seen.add(user_id)
            assert user_id == 1
        else:
            assert manager[user_id] is None and organisation
        if user_kind == "contractor":
            assert email.split("@")[1].startswith(terms(organisation).split()[0])
        if user_kind == "alumni":
            assert joined < left
    skilled = db.execute("SELECT count(DISTINCT user_id) FROM profile_tags WHERE kind = 'skill'")
    assert skilled.fetchone()[0] >= len(users) // 2

    # One entry an item left standing, with the app's terms, all in the full-text index.
    expected = db.execute(
        "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM spaces)"
        " + (SELECT count(*) FROM posts WHERE deleted_at IS NULL)"
        " + (SELECT count(*) FROM comments WHERE deleted_at IS NULL)"
    ).fetchone()[0]
    assert db.execute("SELECT count(*) FROM search_entries").fetchone()[0] == expected
    assert db.execute("SELECT count(*) FROM search_fts_docsize").fetchone()[0] == expected
    for body, body_terms in db.execute(
        "SELECT p.body, e.body_terms FROM posts p JOIN search_entries e"
        " ON e.kind = 'post' AND e.item_id = p.id"
    ):
        assert body_terms == terms(body)
    # Someone has the skill a post is tagged with, and the index finds both.
    skill = db.execute(
        "SELECT t.key FROM profile_tags t JOIN hashtags h ON h.name = t.name COLLATE NOCASE"
        " JOIN post_hashtags ph ON ph.hashtag_id = h.id WHERE t.kind = 'skill' LIMIT 1"
    ).fetchone()
    found = db.execute(
        "SELECT DISTINCT e.kind FROM search_fts JOIN search_entries e ON e.id = search_fts.rowid"
        " WHERE search_fts MATCH ?",
        skill,
    )
    assert {row[0] for row in found} >= {"person", "post"}
    # The trigger set aside for the load is back.
    assert db.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'search_entries_ai'"
    ).fetchone() == (1,)
