"""The collection of unused files (app/services/files/garbage.py), run by the
time-driven jobs over a real store under the test's own ``var/``: what nothing
uses goes once the grace has passed, rows, bytes and previews; nothing used
ever goes, not even bytes a used file shares with an unused one."""

import os
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.jobs import run_jobs
from app.models import (
    Blob,
    Comment,
    FilePurpose,
    Post,
    SpaceDocument,
    StoredFile,
    User,
    WikiRevision,
    WikiRevisionFile,
)
from app.models.base import utcnow
from app.services.files import garbage
from app.services.files.uploads import PREVIEWS, preview_key
from tests.file_helpers import FILES, own_store, png, uploaded
from tests.stream_helpers import person, publish
from tests.test_files_area import a_pdf
from tests.test_files_area import uploaded as area_uploaded
from tests.wiki_helpers import create_page

# The grace is an hour: what happened two hours ago is past it, ten minutes ago not.
LONG_AGO = timedelta(hours=2)
LATELY = timedelta(minutes=10)


@pytest.fixture
def store(app, tmp_path):
    with own_store(app, tmp_path / "var", unused_file_grace_hours=1) as store:
        yield store


async def collect(db, app) -> dict[str, int]:
    """One run of the jobs, as ``ruche serve`` runs them; what it collected."""
    done = await run_jobs(db, store=app.state.files, settings=app.state.settings)
    return {key: done[key] for key in ("files_collected", "blobs_collected")}


async def backdate(session, model, key, **ages: timedelta) -> None:
    """Moves the row's moments ``ages`` into the past."""
    (column,) = model.__mapper__.primary_key
    now = utcnow()
    await session.execute(
        update(model).where(column == key).values({name: now - age for name, age in ages.items()})
    )
    await session.commit()


async def sha_of(session, file_id: int) -> str:
    return await session.scalar(select(StoredFile.blob_sha256).where(StoredFile.id == file_id))


async def aged_upload(session, client, content: bytes, name: str = "fichier.txt") -> dict:
    """An upload whose file and bytes are two hours old."""
    file = await uploaded(client, content, name)
    await backdate(session, StoredFile, file["id"], created_at=LONG_AGO)
    await backdate(session, Blob, await sha_of(session, file["id"]), created_at=LONG_AGO)
    return file


def stored(store, key: str) -> bool:
    return store.path_of(key).is_file()


def holds(store, sha: str) -> bool:
    """Whether the store has the bytes, or any of their previews."""
    return stored(store, sha) or any(stored(store, preview_key(sha, size)) for size in PREVIEWS)


async def test_what_nothing_uses_goes_after_the_grace_and_the_rest_stays(
    db, app, make, session, store
):
    author, client = await person(make)
    never_attached = await aged_upload(session, client, b"jamais attache")
    just_uploaded = await uploaded(client, b"tout juste envoye")
    await backdate(session, Blob, await sha_of(session, just_uploaded["id"]), created_at=LONG_AGO)
    on_a_post = await aged_upload(session, client, b"sur un billet")
    post = await publish(client, "Vivant", attachments=[on_a_post["id"]])
    image = await aged_upload(session, client, png(), "photo.png")
    deleted_long_ago = await publish(client, "Parti", attachments=[image["id"]])
    await backdate(session, Post, deleted_long_ago["id"], deleted_at=LONG_AGO)
    on_a_fresh_deletion = await aged_upload(session, client, b"supprime a l'instant")
    deleted_lately = await publish(client, "Regrette", attachments=[on_a_fresh_deletion["id"]])
    await backdate(session, Post, deleted_lately["id"], deleted_at=LATELY)
    on_a_comment = await aged_upload(session, client, b"sur un commentaire")
    comment = await client.post(
        f"/api/v1/posts/{post['id']}/comments",
        json={"body": "Voici", "attachments": [on_a_comment["id"]]},
    )
    await backdate(session, Comment, comment.json()["id"], deleted_at=LONG_AGO)
    taken_off = await aged_upload(session, client, b"retire il y a longtemps")
    taken_off_lately = await aged_upload(session, client, b"retire a l'instant")
    for file, age in ((taken_off, LONG_AGO), (taken_off_lately, LATELY)):
        assert (await client.delete(f"{FILES}/{file['id']}")).status_code == 204
        await backdate(session, StoredFile, file["id"], detached_at=age)
    # Worn as an avatar, though marked taken off (a stale mark must not lose it).
    avatar = await aged_upload(session, client, png(colour=(0, 90, 0)), "moi.png")
    await session.execute(
        update(StoredFile)
        .where(StoredFile.id == avatar["id"])
        .values(purpose=FilePurpose.AVATAR, detached_at=utcnow() - LONG_AGO)
    )
    await session.execute(
        update(User).where(User.id == author.id).values(avatar_file_id=avatar["id"])
    )
    # On a wiki page deleted long ago, which a moderator may still restore.
    on_a_page = await aged_upload(session, client, b"sur une page")
    page = await create_page(client, "Plan", "Le plan")
    await session.execute(
        update(StoredFile).where(StoredFile.id == on_a_page["id"]).values(page_id=page["id"])
    )
    revision_id = await session.scalar(
        select(func.max(WikiRevision.id)).where(WikiRevision.page_id == page["id"])
    )
    session.add(WikiRevisionFile(revision_id=revision_id, file_id=on_a_page["id"]))
    await session.commit()
    gone = [never_attached, image, on_a_comment, taken_off]
    kept = [just_uploaded, on_a_post, on_a_fresh_deletion, taken_off_lately, avatar, on_a_page]
    shas = {file["id"]: await sha_of(session, file["id"]) for file in gone + kept}
    assert all(holds(store, sha) for sha in shas.values())
    assert stored(store, preview_key(shas[image["id"]], "small"))

    assert await collect(db, app) == {"files_collected": 4, "blobs_collected": 4}

    session.expire_all()
    left = set(await session.scalars(select(StoredFile.id)))
    assert left == {file["id"] for file in kept}
    assert set(await session.scalars(select(Blob.sha256))) == {shas[f["id"]] for f in kept}
    for file in gone:
        assert not holds(store, shas[file["id"]]), file["name"]
    for file in kept:
        assert stored(store, shas[file["id"]]), file["name"]
    got = await client.get(on_a_post["url"])
    assert got.status_code == 200 and got.content == b"sur un billet"
    assert await collect(db, app) == {"files_collected": 0, "blobs_collected": 0}


async def test_bytes_a_used_file_shares_with_an_unused_one_stay(db, app, make, session, store):
    _author, client = await person(make)
    unused = await aged_upload(session, client, b"les memes octets")
    used = await uploaded(client, b"les memes octets")
    await publish(client, "Gardé", attachments=[used["id"]])
    sha = await sha_of(session, used["id"])
    assert sha == await sha_of(session, unused["id"])

    assert await collect(db, app) == {"files_collected": 1, "blobs_collected": 0}

    assert stored(store, sha)
    got = await client.get(used["url"])
    assert got.status_code == 200 and got.content == b"les memes octets"


async def test_bytes_of_an_upload_in_flight_stay_until_the_grace_has_passed(
    db, app, session, store
):
    """An upload keeps its new bytes, and their blob, before its file row exists."""
    with store.temporary() as incoming:
        incoming.write(b"en cours d'envoi")
        sha = await store.keep(incoming)
    session.add(Blob(sha256=sha, size=16, content_type="text/plain", created_at=utcnow() - LATELY))
    await session.commit()

    assert await collect(db, app) == {"files_collected": 0, "blobs_collected": 0}
    assert stored(store, sha)

    await backdate(session, Blob, sha, created_at=LONG_AGO)
    assert await collect(db, app) == {"files_collected": 0, "blobs_collected": 1}
    assert not stored(store, sha)


@pytest.mark.parametrize("grace_hours", [1, 0])
async def test_temporary_files_left_behind_go_and_uploads_coming_in_stay(
    db, app, tmp_path, grace_hours
):
    """Even with no grace at all, a temporary file of the last hour may be an
    upload still coming in."""
    with own_store(app, tmp_path / "var", unused_file_grace_hours=grace_hours) as store:
        store.incoming_dir.mkdir(parents=True)
        left = {age: store.incoming_dir / f"upload-{age}" for age in ("2h", "30min", "now")}
        for age, path in left.items():
            path.write_bytes(b"...")
            moment = time.time() - {"2h": 7200, "30min": 1800, "now": 0}[age]
            os.utime(path, (moment, moment))

        done = await run_jobs(db, store=store, settings=app.state.settings)

    assert done["temporary_files_removed"] == 1
    assert sorted(path.name for path in store.incoming_dir.iterdir()) == [
        "upload-30min",
        "upload-now",
    ]


async def test_a_long_backlog_goes_over_several_runs(db, app, make, session, store, monkeypatch):
    monkeypatch.setattr(garbage, "BATCH", 2)
    _author, client = await person(make)
    for n in range(3):
        await aged_upload(session, client, b"arriere %d" % n)

    assert await collect(db, app) == {"files_collected": 2, "blobs_collected": 2}
    assert await collect(db, app) == {"files_collected": 1, "blobs_collected": 1}
    assert await collect(db, app) == {"files_collected": 0, "blobs_collected": 0}


async def test_the_versions_of_a_document_deleted_long_ago_are_collected(
    db, app, session, store, make
):
    author, client = await person(make)
    space = await make.space(owner=author)
    first = await area_uploaded(client, space.id, a_pdf("v1"))
    await area_uploaded(client, space.id, a_pdf("v2"))
    kept = await area_uploaded(client, space.id, a_pdf("other"), "autre.pdf")
    assert (await client.delete(f"/api/v1/documents/{first['id']}")).status_code == 204
    assert await collect(db, app) == {"files_collected": 0, "blobs_collected": 0}

    await backdate(session, SpaceDocument, first["id"], deleted_at=LONG_AGO)
    await session.execute(update(Blob).values(created_at=utcnow() - LONG_AGO))
    await session.commit()

    assert await collect(db, app) == {"files_collected": 2, "blobs_collected": 2}
    assert (await client.get(kept["file"]["url"])).status_code == 200
