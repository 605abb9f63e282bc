"""Contractors' access ends on its date: their sponsor is told a week before,
once, and on the date the account is deactivated (run_due_jobs)."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.models import AccessToken, AuditEvent, UserSession
from app.services.lifecycle import run_due_jobs
from tests.helpers import expect_error
from tests.space_helpers import ADMIN_SCOPES, notifications_of

ENDS = datetime(2031, 6, 30, 17, 0, tzinfo=UTC)


async def contractor_with_sponsor(make, session, *, ends=ENDS, kind="contractor"):
    sponsor = await make.user()
    contractor = await make.user(kind=kind)
    contractor.sponsor_id = sponsor.id
    contractor.access_ends_at = ends
    await session.commit()
    return sponsor, contractor


async def run(make, now):
    """The contractors' share of a run of the jobs."""
    state = make.app.state
    done = await run_due_jobs(make.session, now=now, store=state.files, settings=state.settings)
    await make.session.commit()
    return {key: done[key] for key in ("sponsors_warned", "access_ended")}


async def test_the_sponsor_is_warned_once_a_week_before(make, session):
    sponsor, contractor = await contractor_with_sponsor(make, session)

    assert await run(make, ENDS - timedelta(days=8)) == {
        "sponsors_warned": 0,
        "access_ended": 0,
    }
    assert await notifications_of(session, sponsor, "contractor_access_ending") == []

    assert await run(make, ENDS - timedelta(days=6)) == {
        "sponsors_warned": 1,
        "access_ended": 0,
    }
    assert await run(make, ENDS - timedelta(days=5)) == {
        "sponsors_warned": 0,
        "access_ended": 0,
    }
    assert await run(make, ENDS - timedelta(hours=1)) == {
        "sponsors_warned": 0,
        "access_ended": 0,
    }

    warnings = await notifications_of(session, sponsor, "contractor_access_ending")
    assert len(warnings) == 1
    assert warnings[0].data["user_id_ending"] == contractor.id
    assert datetime.fromisoformat(warnings[0].data["access_ends_at"]) == ENDS
    await session.refresh(contractor)
    assert contractor.is_active is True
    assert contractor.sponsor_warned_at == ENDS - timedelta(days=6)
    # The sponsor reads it through the API.
    told = (await (await make.bearer(sponsor)).get("/api/v1/notifications")).json()["items"]
    assert [(n["kind"], n["data"]["user_name"]) for n in told] == [
        ("contractor_access_ending", contractor.display_name)
    ]
    # Nobody else is told.
    assert await notifications_of(session, contractor, "contractor_access_ending") == []


async def test_a_sponsor_offboarded_since_is_not_told_the_contractor_s_name(make, session):
    """People are data: an alumnus may not know of a contractor of a space they left."""
    sponsor, contractor = await contractor_with_sponsor(make, session)
    await run(make, ENDS - timedelta(days=6))
    admin = await make.user(role="admin")
    offboarded = await (await make.bearer(admin, scopes=ADMIN_SCOPES)).post(
        f"/api/v1/admin/users/{sponsor.id}/offboard"
    )
    assert offboarded.status_code == 200, offboarded.text
    await session.refresh(sponsor)
    sponsor.charter_accepted_at = ENDS  # signs in again as alumni, charter accepted
    await session.commit()

    told = (await (await make.bearer(sponsor)).get("/api/v1/notifications")).json()["items"]

    assert [n["kind"] for n in told] == ["contractor_access_ending"]
    assert "user_name" not in told[0]["data"] and "user_id_ending" not in told[0]["data"]
    assert contractor.display_name not in str(told)


async def test_on_the_date_the_contractor_is_deactivated_and_signed_out(make, session):
    sponsor, contractor = await contractor_with_sponsor(make, session)
    space = await make.space(allows_externals=True, members=[contractor])
    cookie_client = await make.signed_in(contractor)
    token_client = await make.bearer(contractor)
    assert (await cookie_client.get(f"/api/v1/spaces/{space.id}")).status_code == 200

    assert await run(make, ENDS) == {"sponsors_warned": 0, "access_ended": 1}

    await session.refresh(contractor)
    assert contractor.is_active is False
    expect_error(await cookie_client.get("/api/v1/me"), 401)
    expect_error(await token_client.get("/api/v1/me"), 401)
    sessions = (
        await session.scalars(select(UserSession).where(UserSession.user_id == contractor.id))
    ).all()
    assert sessions == []
    tokens = (
        await session.scalars(select(AccessToken).where(AccessToken.user_id == contractor.id))
    ).all()
    assert tokens and all(token.revoked_at is not None for token in tokens)
    ended = await session.scalar(
        select(AuditEvent).where(AuditEvent.action == "account.access_ended")
    )
    assert (ended.actor_id, ended.target_id) == (None, contractor.id)
    # Signing in again is refused like any wrong password.
    response = await make.client().post(
        "/api/v1/auth/login", json={"email": contractor.email, "password": "correct horse battery"}
    )
    expect_error(response, 401, "sign_in_failed")
    # A second run changes nothing and tells nobody.
    assert await run(make, ENDS + timedelta(days=1)) == {
        "sponsors_warned": 0,
        "access_ended": 0,
    }
    assert await notifications_of(session, sponsor, "contractor_access_ending") == []


async def test_a_late_first_run_warns_and_ends_in_the_right_order(make, session):
    """A contractor met for the first time two days before the end is warned at
    once; met after the end, deactivated without a useless warning."""
    warned_sponsor, _soon = await contractor_with_sponsor(make, session)
    late_sponsor, late = await contractor_with_sponsor(make, session, ends=ENDS - timedelta(days=3))

    assert await run(make, ENDS - timedelta(days=2)) == {
        "sponsors_warned": 1,
        "access_ended": 1,
    }

    assert len(await notifications_of(session, warned_sponsor, "contractor_access_ending")) == 1
    assert await notifications_of(session, late_sponsor, "contractor_access_ending") == []
    await session.refresh(late)
    assert late.is_active is False


async def test_only_contractors_expire(make, session):
    _sponsor, alumni = await contractor_with_sponsor(make, session, kind="alumni")
    employee = await make.user()
    employee.access_ends_at = ENDS
    await session.commit()

    assert await run(make, ENDS + timedelta(days=1)) == {
        "sponsors_warned": 0,
        "access_ended": 0,
    }
    await session.refresh(alumni)
    await session.refresh(employee)
    assert alumni.is_active and employee.is_active


async def test_a_new_end_date_earns_a_new_warning(make, session):
    sponsor, contractor = await contractor_with_sponsor(make, session)
    await run(make, ENDS - timedelta(days=6))
    admin = await make.user(role="admin")
    extended = ENDS + timedelta(days=30)

    response = await (await make.bearer(admin, scopes=ADMIN_SCOPES)).patch(
        f"/api/v1/admin/users/{contractor.id}", json={"access_ends_at": extended.isoformat()}
    )
    assert response.status_code == 200, response.text
    await session.refresh(contractor)  # the jobs run on this test's session

    assert await run(make, ENDS) == {"sponsors_warned": 0, "access_ended": 0}
    assert await run(make, extended - timedelta(days=2)) == {
        "sponsors_warned": 1,
        "access_ended": 0,
    }
    warnings = await notifications_of(session, sponsor, "contractor_access_ending")
    assert [datetime.fromisoformat(w.data["access_ends_at"]) for w in warnings] == [
        ENDS,
        extended,
    ]


async def test_an_end_date_given_with_an_offset_is_kept_as_that_moment(make, session):
    """17:00 UTC sent as 19:00+02:00, as a French admin's tool would: stored and
    answered as 17:00Z (SQLite keeps no offset, so one not turned to UTC first
    would shift the end by two hours)."""
    _sponsor, contractor = await contractor_with_sponsor(make, session, ends=None)
    admin = await make.user(role="admin")

    response = await (await make.bearer(admin, scopes=ADMIN_SCOPES)).patch(
        f"/api/v1/admin/users/{contractor.id}", json={"access_ends_at": "2031-06-30T19:00:00+02:00"}
    )

    assert response.status_code == 200, response.text
    assert response.json()["access_ends_at"] == "2031-06-30T17:00:00Z"
    await session.refresh(contractor)
    assert contractor.access_ends_at == ENDS
