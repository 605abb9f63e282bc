"""The migrations build exactly the schema the models describe, and run both ways
on the database under test (SQLite by default, PostgreSQL when configured)."""

from datetime import timedelta

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import JSON, column, insert, inspect, select, table, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import create_engine
from app.levels import Level
from app.migrate import current_revision, downgrade, head_revision, upgrade
from app.models import (
    Base,
    Comment,
    Invitation,
    Notification,
    Post,
    Space,
    SpaceKind,
    User,
    Visibility,
)
from app.models.base import UTCDateTime, utcnow
from app.models.search import SearchEntry, described_by_models
from app.search.engine import Filters, statement
from app.search.query import parse
from tests.conftest import create_fresh_database, drop_database


def schema_differences(connection) -> list:
    """What ``alembic revision --autogenerate`` would write, with migrations/env.py's options."""
    context = MigrationContext.configure(
        connection,
        opts={
            "compare_type": True,
            "target_metadata": Base.metadata,
            "include_object": described_by_models,
        },
    )
    return compare_metadata(context, Base.metadata)


def insert_old_account(handle: str, **later_columns):
    """An account by the columns users had before the profiles (0011): the
    model's INSERT names columns an older schema does not have. ``later_columns``:
    those of a later schema that need a value, with it."""
    users = table(
        "users",
        *(column(name) for name in ("id", "email", "handle", "display_name", "kind", "role")),
        *(column(name) for name in ("clearance", "is_active", "language", "created_at")),
        *(column(name) for name in later_columns),
    )
    return (
        insert(users)
        .values(
            email=f"{handle}@example.test",
            handle=handle,
            display_name=handle.title(),
            kind="employee",
            role="member",
            clearance=1,
            is_active=True,
            language="fr",
            created_at=utcnow(),
            **later_columns,
        )
        .returning(users.c.id)
    )


ENTRY_COLUMNS = ("id", "kind", "item_id", "title_terms", "body_terms")


def table_names(connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_the_migrated_schema_matches_the_models(engine):
    async with engine.connect() as connection:
        differences = await connection.run_sync(schema_differences)

    assert differences == []


async def test_the_activity_log_never_reuses_an_id(engine):
    """Its ids follow commit order and a client resumes after the last it saw:
    AUTOINCREMENT, which a batch rebuild of the table (0005's) once dropped."""
    async with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            created = await connection.scalar(
                text("SELECT sql FROM sqlite_master WHERE name = 'activity'")
            )
            assert "AUTOINCREMENT" in created
        else:
            sequence = await connection.scalar(
                text("SELECT pg_get_serial_sequence('activity', 'id')")
            )
            assert sequence is not None


async def test_migrations_run_down_to_base_and_up_again(tmp_root):
    url = await create_fresh_database(tmp_root)
    engine = create_engine(url)
    model_tables = set(Base.metadata.tables)
    try:
        await upgrade(engine)
        async with engine.connect() as connection:
            assert model_tables <= await connection.run_sync(table_names)
        assert await current_revision(engine) == head_revision()

        await downgrade(engine)
        async with engine.connect() as connection:
            assert await connection.run_sync(table_names) <= {"alembic_version"}
        assert await current_revision(engine) is None

        await upgrade(engine)
        async with engine.connect() as connection:
            assert model_tables <= await connection.run_sync(table_names)
            assert await connection.run_sync(schema_differences) == []
        assert await current_revision(engine) == head_revision()
    finally:
        await engine.dispose()
        await drop_database(url)


async def test_notifications_stored_with_names_get_their_people_by_id(tmp_root):
    """0007: an invitation's inviter and the person asking to join, once stored by
    name only, are named by id, as notifications now are (names read when shown)."""
    url = await create_fresh_database(tmp_root)
    engine = create_engine(url)
    try:
        await upgrade(engine, "0006")
        async with AsyncSession(engine, expire_on_commit=False) as session:
            inviter_id, asker_id, told_id = [
                await session.scalar(insert_old_account(n)) for n in ("ines", "paul", "lea")
            ]
            space = Space(
                slug="atlas",
                name="Atlas",
                objective="Livrer.",
                kind=SpaceKind.PROJECT,
                visibility=Visibility.PRIVATE,
            )
            session.add(space)
            await session.flush()
            invitation = Invitation(
                space_id=space.id,
                inviter_id=inviter_id,
                invitee_id=told_id,
                token_hash="0" * 64,
                expires_at=utcnow() + timedelta(days=7),
            )
            session.add(invitation)
            await session.flush()
            old = {
                "invitation": {
                    "space_id": space.id,
                    "invitation_id": invitation.id,
                    "space_name": "Atlas",
                    "inviter_name": "Ines",
                },
                "join_request": {
                    "space_id": space.id,
                    "user_id_requesting": asker_id,
                    "user_name": "Paul",
                },
                "invitation_answered": {"space_id": space.id, "accepted": True, "user_name": "Lea"},
            }
            # By the columns notifications had then: the model's INSERT names later ones.
            stored = table(
                "notifications",
                *(column(name) for name in ("user_id", "kind")),
                column("data", JSON),
                column("created_at", UTCDateTime()),
            )
            for kind, data in old.items():
                await session.execute(
                    insert(stored).values(
                        user_id=told_id, kind=kind, data=data, created_at=utcnow()
                    )
                )
            await session.commit()

        await upgrade(engine)

        async with AsyncSession(engine) as session:
            actors = dict(
                (await session.execute(select(Notification.kind, Notification.actor_id))).all()
            )
        assert actors == {
            "invitation": inviter_id,
            "join_request": asker_id,
            "invitation_answered": None,
        }
    finally:
        await engine.dispose()
        await drop_database(url)


async def test_accounts_that_exist_count_as_having_seen_the_tour(tmp_root):
    """0009: the first-run tour is for new accounts; those already there when it
    arrives are not shown it (their menu keeps it)."""
    url = await create_fresh_database(tmp_root)
    engine = create_engine(url)
    try:
        await upgrade(engine, "0008")
        async with AsyncSession(engine) as session:
            await session.execute(insert_old_account("old"))
            await session.commit()
        await upgrade(engine)
        async with AsyncSession(engine) as session:
            old = await session.scalar(select(User).where(User.handle == "old"))
            assert old.tour_seen_at == old.created_at
            session.add(User(email="new@example.test", handle="new", display_name="New"))
            await session.commit()
            new = await session.scalar(select(User).where(User.handle == "new"))
            assert new.tour_seen_at is None
    finally:
        await engine.dispose()
        await drop_database(url)


async def test_entries_that_exist_get_their_scopes(tmp_root):
    """0012: the entries indexed before scopes get their item's container and
    level (a comment its post's), the rest ``any``; and the full-text index,
    rebuilt, finds them by word and by scope."""
    url = await create_fresh_database(tmp_root)
    engine = create_engine(url)
    try:
        await upgrade(engine, "0011")
        async with AsyncSession(engine) as session:
            # Posts and comments are as the models say at 0011; users are not
            # (later columns), so the account is written by the old columns.
            profile = ("job_title", "department", "site", "organisation", "phone", "bio")
            person_id = await session.scalar(
                insert_old_account("old", **dict.fromkeys(profile, ""))
            )
            post = Post(author_id=person_id, level=Level.INTERNAL, body="Menhir")
            session.add(post)
            await session.flush()
            comment = Comment(post_id=post.id, author_id=person_id, body="Menhir", body_html="")
            session.add(comment)
            await session.flush()
            entries = table("search_entries", *(column(n) for n in ENTRY_COLUMNS))
            for kind, item in (("post", post.id), ("comment", comment.id), ("person", person_id)):
                await session.execute(
                    insert(entries).values(
                        kind=kind, item_id=item, title_terms="", body_terms="menhir"
                    )
                )
            await session.commit()
        await upgrade(engine)
        async with AsyncSession(engine) as session:
            scopes = dict(
                (await session.execute(select(SearchEntry.kind, SearchEntry.scope))).all()
            )
            assert scopes == {"post": "s0internal", "comment": "s0internal", "person": "any"}
            matched = await session.execute(
                statement(
                    User(id=0),
                    parse("menhir"),
                    Filters(),
                    dialect=engine.dialect.name,
                    band=None,
                    limit=10,
                    policy=False,
                    scopes=frozenset({"s0internal"}),
                )
            )
            assert {kind for _id, kind, _item in matched} == {"post", "comment"}
    finally:
        await engine.dispose()
        await drop_database(url)
