"""The directory sync against a real LDAP server (Debian's slapd, tests/slapd_server.py):
the first sync, a change, a leaver and their return, groups to spaces, paging,
dry runs."""

import argparse
import uuid
from datetime import timedelta

import ldap3
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from app import cli
from app.config import AD_DISABLED_FILTER, DirectoryGroup, Settings
from app.jobs import run_jobs
from app.levels import AccountKind
from app.models import AuditEvent, IdentityLink, Membership, User, UserSession
from app.models.base import utcnow
from app.models.directory import DirectoryDeparture, DirectoryGrant, DirectoryRun
from app.services.directory.reading import DirectoryError, read_directory, subject_of
from app.services.directory.runs import decide_return, directory_status, run_sync
from tests.slapd_server import (
    CROWD,
    CROWD_SIZE,
    GROUPS,
    PEOPLE,
    SIZE_LIMIT,
    SYNC_DN,
    SYNC_PASSWORD,
    slapd,  # noqa: F401 (a fixture)
)

ENGINEERING = f"cn=engineering,{GROUPS}"


def directory_settings(settings: Settings, url: str, **changes) -> Settings:
    return settings.model_copy(
        update={
            "ldap_url": url,
            "ldap_bind_dn": SYNC_DN,
            "ldap_bind_password": SecretStr(SYNC_PASSWORD),
            "ldap_base_dns": [PEOPLE],
            "ldap_disabled_filter": "(employeeType=disabled)",
            "ldap_page_size": 100,
            **changes,
        }
    )


async def counts(session) -> dict[str, int]:
    """Everything a sync could write."""
    tables = {
        "users": User,
        "links": IdentityLink,
        "memberships": Membership,
        "grants": DirectoryGrant,
        "audit": AuditEvent,
    }
    return {
        name: await session.scalar(select(func.count()).select_from(table))
        for name, table in tables.items()
    }


async def by_email(session, email: str) -> User:
    user = await session.scalar(select(User).where(User.email == email))
    await session.refresh(user)
    return user


def actions(run) -> list[tuple[str, str]]:
    return sorted((change["action"], change["person"]) for change in run.changes)


async def test_first_sync_a_change_a_leaver_and_their_return(slapd, settings, session, make):  # noqa: F811
    admin = await make.user(role="admin")
    # Alice has an account already: the sync links it by its address.
    alice = await make.user(email="alice@example.com", display_name="Alice (old)")
    keeper = await make.user()
    # A disabled entry's address is never enough to link (nor offboard) an account.
    namesake = await make.user(email="gone@example.com")
    space = await make.space(owner=admin, members=[keeper])
    sync_settings = directory_settings(
        settings,
        slapd.url,
        ldap_groups={ENGINEERING: DirectoryGroup(space_id=space.id, role="member")},
    )
    before = await counts(session)

    preview = await run_sync(session, settings=sync_settings, dry_run=True)
    assert preview.error is None
    assert await counts(session) == before  # a dry run changes nothing
    assert actions(preview) == [
        ("create", "Bob Durand <bob@example.com>"),
        ("create", "Béatrice Patron <boss@example.com>"),
        ("grant", "Alice Martin <Alice@Example.com>"),
        ("grant", "Bob Durand <bob@example.com>"),
        ("link", "Alice Martin <Alice@Example.com>"),
        ("manager", "Alice Martin <Alice@Example.com>"),
        ("manager", "Bob Durand <bob@example.com>"),
        ("update", "Alice Martin <Alice@Example.com>"),
    ]

    first = await run_sync(session, settings=sync_settings, dry_run=False)
    await session.commit()
    assert actions(first) == actions(preview)
    boss = await by_email(session, "boss@example.com")
    bob = await by_email(session, "bob@example.com")
    await session.refresh(alice)
    assert (alice.display_name, alice.job_title, alice.department, alice.site) == (
        "Alice Martin",
        "Engineer",
        "R&D",
        "Paris",
    )
    assert (boss.job_title, boss.phone, boss.password_hash) == ("CEO", "+33 1 00 00 00 01", None)
    assert alice.manager_id == bob.manager_id == boss.id
    await session.refresh(namesake)
    assert namesake.kind is AccountKind.EMPLOYEE
    linked = set(await session.scalars(select(IdentityLink.user_id)))
    assert linked == {alice.id, bob.id, boss.id}
    members = set(
        await session.scalars(select(Membership.user_id).where(Membership.space_id == space.id))
    )
    assert members == {admin.id, keeper.id, alice.id, bob.id}
    granted = set(await session.scalars(select(DirectoryGrant.user_id)))
    assert granted == {alice.id, bob.id}  # the sync removes only these
    logged = set(await session.scalars(select(AuditEvent.action)))
    assert {
        "account.created",
        "directory.linked",
        "directory.profile_updated",
        "directory.manager_changed",
        "membership.added",
        "directory.synced",
    } <= logged

    again = await run_sync(session, settings=sync_settings, dry_run=False)
    assert again.changes == []  # nothing moved: nothing to do

    # A change: a new title; Bob now reports to Alice.
    directory = slapd.connect()
    directory.modify(f"uid=alice,{PEOPLE}", {"title": [(ldap3.MODIFY_REPLACE, ["Lead"])]})
    directory.modify(
        f"uid=bob,{PEOPLE}", {"manager": [(ldap3.MODIFY_REPLACE, [f"uid=alice,{PEOPLE}"])]}
    )
    changed = await run_sync(session, settings=sync_settings, dry_run=False)
    await session.commit()
    assert actions(changed) == [
        ("manager", "Bob Durand <bob@example.com>"),
        ("update", "Alice Martin <Alice@Example.com>"),
    ]
    await session.refresh(alice)
    await session.refresh(bob)
    assert (alice.job_title, bob.manager_id) == ("Lead", alice.id)

    # A leaver: Bob is disabled. Signed in until now, he is offboarded at once.
    session.add(
        UserSession(
            user_id=bob.id,
            token_hash=uuid.uuid4().hex,
            csrf_token="csrf",
            last_seen_at=utcnow(),
            expires_at=utcnow() + timedelta(days=1),
        )
    )
    await session.commit()
    directory.modify(f"uid=bob,{PEOPLE}", {"employeeType": [(ldap3.MODIFY_ADD, ["disabled"])]})
    left = await run_sync(session, settings=sync_settings, dry_run=False)
    await session.commit()
    assert actions(left) == [
        ("offboard", "Bob Durand <bob@example.com>"),
        ("revoke", "Bob Durand <bob@example.com>"),
    ]
    bob = await by_email(session, "bob@example.com")
    assert bob.kind is AccountKind.ALUMNI
    assert await session.scalar(select(UserSession.id).where(UserSession.user_id == bob.id)) is None
    assert await session.get(Membership, (space.id, bob.id)) is None
    assert await session.get(Membership, (space.id, keeper.id)) is not None  # not the sync's

    # Back in the directory: listed for a decision, not an employee again by itself.
    directory.modify(f"uid=bob,{PEOPLE}", {"employeeType": [(ldap3.MODIFY_DELETE, ["disabled"])]})
    back = await run_sync(session, settings=sync_settings, dry_run=False)
    await session.commit()
    assert ("returned", "Bob Durand <bob@example.com>") in actions(back)
    bob = await by_email(session, "bob@example.com")
    assert bob.kind is AccountKind.ALUMNI
    status = await directory_status(session, viewer=admin, settings=sync_settings)
    assert [user.id for _, user in status.returned] == [bob.id]
    await decide_return(session, viewer=admin, settings=sync_settings, user_id=bob.id, restore=True)
    await session.commit()
    bob = await by_email(session, "bob@example.com")
    assert bob.kind is AccountKind.EMPLOYEE
    status = await directory_status(session, viewer=admin, settings=sync_settings)
    assert status.returned == []


async def test_a_thousand_people_read_in_pages(slapd, settings, session):  # noqa: F811
    sync_settings = directory_settings(settings, slapd.url, ldap_base_dns=[CROWD])
    # Above the server's size limit for this account: only pages read them all.
    unpaged = ldap3.Connection(
        ldap3.Server(slapd.url), user=SYNC_DN, password=SYNC_PASSWORD, auto_bind=True
    )
    unpaged.search(CROWD, "(objectClass=inetOrgPerson)", attributes=["mail"])
    assert len(unpaged.entries) == SIZE_LIMIT < CROWD_SIZE
    snapshot = read_directory(sync_settings)
    assert len(snapshot.people) == CROWD_SIZE
    # One page of disabled people (none), then ten of a hundred.
    assert snapshot.pages == 1 + CROWD_SIZE // 100
    before = await counts(session)
    preview = await run_sync(session, settings=sync_settings, dry_run=True)
    assert preview.summary["create"] == CROWD_SIZE
    assert await counts(session) == before


async def test_an_unreadable_directory_changes_nothing(settings, session):
    before = await counts(session)
    run = await run_sync(
        session,
        settings=directory_settings(settings, "ldap://127.0.0.1:9", ldap_timeout_seconds=2),
        dry_run=False,
    )
    assert run.error and run.changes == []
    assert (await counts(session))["users"] == before["users"]


def test_active_directory_names_and_disabled_rule(settings):
    guid = uuid.uuid4()
    assert subject_of(guid.bytes_le) == str(guid)
    ad = settings.model_copy(update={"ldap_flavour": "active_directory"})
    assert (ad.ldap_id_attribute, ad.ldap_disabled_rule) == ("objectGUID", AD_DISABLED_FILTER)


async def test_the_admin_page_previews_and_takes_decisions(
    slapd,  # noqa: F811
    settings,
    app,
    make,
    session,
    browser_of,
):
    app.state.settings = directory_settings(settings, slapd.url)
    try:
        await _admin_page_previews_and_takes_decisions(make, session, browser_of)
    finally:
        app.state.settings = settings


async def _admin_page_previews_and_takes_decisions(make, session, browser_of):
    admin, member = await make.user(role="admin"), await make.user()
    client, csrf = await browser_of(member)
    assert (await client.get("/admin/directory")).status_code == 403
    client, csrf = await browser_of(admin)
    previewed = await client.post("/admin/directory/preview", data={"csrf_token": csrf})
    assert previewed.status_code == 303
    page = await client.get("/admin/directory")
    assert "Béatrice Patron &lt;boss@example.com&gt;" in page.text
    assert await session.scalar(select(User.id).where(User.email == "boss@example.com")) is None

    # Someone the sync offboarded, enabled again: the administrator keeps them alumni.
    back = await make.user(kind="alumni")
    session.add(
        DirectoryDeparture(
            directory="directory",
            user_id=back.id,
            former_kind=AccountKind.EMPLOYEE,
            departed_at=utcnow(),
            returned_at=utcnow(),
        )
    )
    await session.commit()
    assert back.display_name in (await client.get("/admin/directory")).text
    decided = await client.post(
        f"/admin/directory/returned/{back.id}", data={"csrf_token": csrf, "decision": "keep"}
    )
    assert decided.status_code == 303
    assert back.display_name not in (await client.get("/admin/directory")).text
    await session.refresh(back)
    assert back.kind is AccountKind.ALUMNI


def test_the_command_line_dry_run(slapd, settings, capsys):  # noqa: F811
    """In this process, on the tests' database (migrated already): what
    `ruche directory-sync --dry-run` prints. It keeps only the run's record."""
    cli.directory_sync(argparse.Namespace(dry_run=True), directory_settings(settings, slapd.url))
    printed = capsys.readouterr().out
    assert "Would change: 5" in printed
    assert "create     Béatrice Patron <boss@example.com>" in printed
    assert "people: 4" in printed


async def test_the_jobs_loop_syncs_when_due(slapd, settings, db, make, session):  # noqa: F811
    sync_settings = directory_settings(settings, slapd.url)
    store = make.app.state.files
    first = await run_jobs(db, store=store, settings=sync_settings)
    assert first["directory_changes"] == 5  # three new accounts, two managers
    second = await run_jobs(db, store=store, settings=sync_settings)
    assert second["directory_changes"] == 0  # not due again for an hour
    assert await session.scalar(select(func.count()).select_from(DirectoryRun)) >= 1


def test_ldaps_and_starttls_check_the_server_certificate(slapd, settings):  # noqa: F811
    over_ldaps = directory_settings(settings, slapd.ldaps_url, ldap_ca_file=str(slapd.ca_file))
    over_starttls = directory_settings(
        settings, slapd.url, ldap_start_tls=True, ldap_ca_file=str(slapd.ca_file)
    )
    for secured in (over_ldaps, over_starttls):
        assert len(read_directory(secured).people) == 4
    # A certificate no trusted CA signed: nothing is read.
    with pytest.raises(DirectoryError, match="certificate"):
        read_directory(over_ldaps.model_copy(update={"ldap_ca_file": ""}))


def test_nested_groups_are_followed_once_and_within_bounds(slapd, settings, monkeypatch):  # noqa: F811
    """A mapped group's people include those of the groups nested in it, at
    any depth; a cycle is read once; a member that is neither a person nor a
    group (the sync's own account) counts for nothing."""
    directory = slapd.connect()
    department, team = f"cn=department,{GROUPS}", f"cn=team,{GROUPS}"
    directory.add(department, "groupOfNames", {"member": [f"uid=boss,{PEOPLE}", team, SYNC_DN]})
    directory.add(team, "groupOfNames", {"member": [f"uid=alice,{PEOPLE}", department]})
    sync_settings = directory_settings(
        settings, slapd.url, ldap_groups={department: DirectoryGroup(space_id=1, role="member")}
    )
    snapshot = read_directory(sync_settings)
    assert snapshot.groups == {
        f"cn=department,{GROUPS}": {f"uid=boss,{PEOPLE}", f"uid=alice,{PEOPLE}"}
    }
    assert snapshot.missing_groups == []

    # The bound counts groups, not the other entries read (the sync's account).
    monkeypatch.setattr("app.services.directory.reading.MAX_NESTED_GROUPS", 1)
    assert read_directory(sync_settings).groups == snapshot.groups
    # Wider than the bound: not read at all, so the sync changes nothing.
    monkeypatch.setattr("app.services.directory.reading.MAX_NESTED_GROUPS", 0)
    with pytest.raises(DirectoryError, match="groups nested in"):
        read_directory(sync_settings)
