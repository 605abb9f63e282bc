"""bench/generate.py at its smallest, on the database under test: it fills what
the schema requires (the profiles of migration 0011 included), gives the
company one org chart, and writes the search index the app would write, with
the database's full-text index whole after the load; the same every time."""

import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from app.db import create_engine
from app.search.text import terms
from tests.conftest import create_fresh_database, drop_database

ROOT = Path(__file__).resolve().parent.parent

SAME_SEED_SAME_ROWS = text(
    "SELECT id, email, job_title, department, site, manager_id, organisation, phone, bio"
    " FROM users UNION ALL SELECT user_id, kind, key, name, '', NULL, '', '', ''"
    " FROM profile_tags UNION ALL SELECT id, kind, CAST(item_id AS TEXT), title_terms,"
    " body_terms, NULL, '', '', '' FROM search_entries ORDER BY 1, 2, 3"
)
# By database: entries in the full-text index; the kinds of entries a word finds;
# whether the index the load set aside is back.
FULL_TEXT = {
    "sqlite": (
        "SELECT count(*) FROM search_fts_docsize",
        "SELECT DISTINCT e.kind FROM search_fts JOIN search_entries e"
        " ON e.id = search_fts.rowid WHERE search_fts MATCH :word",
        "SELECT count(*) FROM sqlite_master WHERE name = 'search_entries_ai'",
    ),
    "postgresql": (
        "SELECT count(*) FROM search_entries WHERE document IS NOT NULL",
        "SELECT DISTINCT kind FROM search_entries WHERE document @@ to_tsquery('simple', :word)",
        "SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_search_entries_document'",
    ),
}


def generate(url: str, tokens: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "generate.py"),
            "--database-url",
            url,
            "--scale",
            "0.0001",  # its floor: 60 accounts, 8 spaces, 500 posts
            "--now",
            "2026-12-06",
            "--viewers",
            "5",
            "--tokens-file",
            str(tokens),
            "--check",
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )


async def test_the_generated_company_has_profiles_and_its_search_index(tmp_path):
    urls = [await create_fresh_database(tmp_path) for _ in range(2)]
    engines = []
    try:
        for number, url in enumerate(urls):
            generate(url, tmp_path / f"{number}.tokens.json")
            engines.append(create_engine(url))
        async with engines[0].connect() as db, engines[1].connect() as again:
            rows = (await db.execute(SAME_SEED_SAME_ROWS)).all()
            assert rows and (await again.execute(SAME_SEED_SAME_ROWS)).all() == rows
            await check_company(db, FULL_TEXT[engines[0].dialect.name])
    finally:
        for engine in engines:
            await engine.dispose()
        for url in urls:
            await drop_database(url)


async def check_company(db, full_text: tuple[str, str, str]) -> None:
    async def rows(sql: str, **params):
        return (await db.execute(text(sql), params)).all()

    users = await rows(
        "SELECT id, kind, email, job_title, department, site, manager_id, organisation, "
        "joined_year, left_year, phone FROM users"
    )
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
    skilled = await rows("SELECT count(DISTINCT user_id) FROM profile_tags WHERE kind = 'skill'")
    assert skilled[0][0] >= len(users) // 2

    # One entry an item left standing, with the app's terms, all in the full-text index.
    expected = (
        await rows(
            "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM spaces)"
            " + (SELECT count(*) FROM posts WHERE deleted_at IS NULL)"
            " + (SELECT count(*) FROM comments WHERE deleted_at IS NULL)"
        )
    )[0][0]
    assert (await rows("SELECT count(*) FROM search_entries"))[0][0] == expected
    indexed, found_by, index_back = full_text
    assert (await rows(indexed))[0][0] == expected
    for body, body_terms in await rows(
        "SELECT p.body, e.body_terms FROM posts p JOIN search_entries e"
        " ON e.kind = 'post' AND e.item_id = p.id"
    ):
        assert body_terms == terms(body)
    # Someone has the skill a post is tagged with, and the index finds both.
    skill = (
        await rows(
            "SELECT t.key FROM profile_tags t JOIN hashtags h ON h.name = lower(t.name)"
            " JOIN post_hashtags ph ON ph.hashtag_id = h.id WHERE t.kind = 'skill' LIMIT 1"
        )
    )[0][0]
    assert {row[0] for row in await rows(found_by, word=skill)} >= {"person", "post"}
    assert (await rows(index_back))[0][0] == 1
