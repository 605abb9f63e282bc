"""The pages of spaces, invitations, the charter and the administration, in process:
who sees which page (404 for what the viewer may not see, 403 where a visible
thing is not theirs to change), and forms that work with the session's
anti-forgery token and do nothing without it."""

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import httpx
import pytest
from sqlalchemy import func, select

from app.levels import AccountKind, Level
from app.models import Invitation, JoinRequest, Membership, OutboxMail, Space, SpaceRole, User
from tests.api_helpers import BROWSER
from tests.test_web_pages import audit as csp_audit

HIDDEN_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
INVITATION_LINK = re.compile(r"data-invitation-link>([^<]+)</code>")
# A refusal above a form, or beside one of its fields.
ALERT_TEXT = re.compile(r'(?:role="alert"|class="field-error")[^>]*>([^<]*)<')


def alert(html: str) -> str:
    """The refusal a page shows beside its form."""
    return " ".join(unescape(found) for found in ALERT_TEXT.findall(html) if found.strip())


async def membership_of(session, space: Space, user: User) -> SpaceRole | None:
    return await session.scalar(
        select(Membership.role).where(
            Membership.space_id == space.id, Membership.user_id == user.id
        )
    )


def listed_space_ids(html: str) -> set[int]:
    return {int(found) for found in re.findall(r'data-space="(\d+)"', html)}


# --- the directory ------------------------------------------------------------


async def test_directory_sends_an_anonymous_browser_to_sign_in(client):
    response = await client.get("/spaces", headers=BROWSER)

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/spaces"


async def test_directory_shows_an_employee_open_private_and_own_secret_spaces(make, browser_of):
    employee = await make.user(language="en")
    open_space = await make.space(visibility="open", name="Open garden")
    private_space = await make.space(visibility="private", name="Private garden")
    others_secret = await make.space(visibility="secret", name="Hidden garden")
    own_secret = await make.space(visibility="secret", members=[employee], name="My garden")
    browser, _csrf = await browser_of(employee)

    page = await browser.get("/spaces")

    assert page.status_code == 200
    listed = listed_space_ids(page.text)
    assert {open_space.id, private_space.id, own_secret.id} <= listed
    assert others_secret.id not in listed
    assert "Hidden garden" not in page.text
    assert f'action="/spaces/{open_space.id}/join"' in page.text
    assert "Request to join" in page.text
    assert 'href="/spaces/new"' in page.text
    assert "badge visibility-private" in page.text and "space-kind-project" in page.text


async def test_directory_filters_by_kind_and_searches_by_name(make, browser_of):
    employee = await make.user()
    team = await make.space(kind="team", name="Ressources humaines")
    project = await make.space(kind="project", name="Projet Hermès")
    browser, _csrf = await browser_of(employee)

    by_kind = listed_space_ids((await browser.get("/spaces", params={"kind": "team"})).text)
    by_name = listed_space_ids((await browser.get("/spaces", params={"q": "hermès"})).text)
    everything = listed_space_ids((await browser.get("/spaces", params={"kind": ""})).text)

    assert team.id in by_kind and project.id not in by_kind
    assert by_name == {project.id}
    assert {team.id, project.id} <= everything


async def test_directory_shows_an_external_only_their_own_spaces(make, browser_of):
    contractor = await make.user(kind="contractor")
    theirs = await make.space(visibility="private", allows_externals=True, members=[contractor])
    await make.space(visibility="open")
    await make.space(visibility="private")
    browser, _csrf = await browser_of(contractor)

    page = await browser.get("/spaces")

    assert page.status_code == 200
    assert listed_space_ids(page.text) == {theirs.id}
    assert 'href="/spaces/new"' not in page.text
    assert "/join" not in page.text


async def test_pending_invitations_are_listed_and_accepted_with_the_token(
    make, browser_of, session
):
    owner = await make.user()
    employee = await make.user(language="en")
    space = await make.space(owner=owner, visibility="secret", name="Comité de direction")
    owner_browser, owner_csrf = await browser_of(owner)
    invited = await owner_browser.post(
        f"/spaces/{space.id}/invitations",
        data={"identifier": f"@{employee.handle}", "csrf_token": owner_csrf},
    )
    assert invited.status_code == 303
    browser, csrf = await browser_of(employee)

    directory = await browser.get("/spaces")
    invitation_id = int(re.search(r'action="/invitations/(\d+)/accept"', directory.text)[1])
    forged = await browser.post(f"/invitations/{invitation_id}/accept", data={})
    accepted = await browser.post(f"/invitations/{invitation_id}/accept", data={"csrf_token": csrf})

    assert "Comité de direction" in directory.text
    assert forged.status_code == 403
    assert accepted.status_code == 303
    assert accepted.headers["location"] == f"/spaces/{space.id}?done=joined"
    assert await membership_of(session, space, employee) is SpaceRole.MEMBER


# --- creating a space ---------------------------------------------------------


SPACE_FORM = {
    "name": "Projet Atlas",
    "objective": "Livrer la nouvelle plateforme logistique avant juin.",
    "description": "Le projet de l'équipe logistique.",
    "kind": "project",
    "visibility": "private",
    "allows_externals": "true",
    "default_level": "internal",
}


async def test_create_space_form_makes_the_viewer_owner(make, browser_of, session):
    employee = await make.user(language="en")
    browser, csrf = await browser_of(employee)

    form = await browser.get("/spaces/new")
    created = await browser.post("/spaces/new", data={**SPACE_FORM, "csrf_token": csrf})

    assert form.status_code == 200
    assert 'name="objective" required' in form.text
    assert "a space without an objective" in form.text.lower()
    assert created.status_code == 303
    space_id = int(re.match(r"/spaces/(\d+)\?", created.headers["location"])[1])
    space = await session.get(Space, space_id)
    assert (space.name, space.allows_externals, space.visibility.value) == (
        "Projet Atlas",
        True,
        "private",
    )
    assert await membership_of(session, space, employee) is SpaceRole.OWNER
    page = await browser.get(created.headers["location"])
    assert page.status_code == 200
    assert SPACE_FORM["objective"] in page.text


async def test_create_space_refuses_a_missing_token_and_a_missing_objective(
    make, browser_of, session
):
    employee = await make.user()
    browser, csrf = await browser_of(employee)
    before = await session.scalar(select(func.count()).select_from(Space))

    forged = await browser.post("/spaces/new", data=SPACE_FORM)
    no_objective = await browser.post(
        "/spaces/new", data={**SPACE_FORM, "objective": "", "csrf_token": csrf}
    )

    assert forged.status_code == 403
    assert no_objective.status_code == 422
    assert await session.scalar(select(func.count()).select_from(Space)) == before


async def test_create_space_above_ones_clearance_shows_the_refusal(make, browser_of, session):
    employee = await make.user(language="en")  # cleared for internal
    browser, csrf = await browser_of(employee)

    response = await browser.post(
        "/spaces/new", data={**SPACE_FORM, "default_level": "secret", "csrf_token": csrf}
    )

    assert response.status_code == 403
    assert alert(response.text) == ("You cannot write at a level above your own clearance.")
    assert f'value="{SPACE_FORM["name"]}"' in response.text  # the form keeps what was typed
    assert await session.scalar(select(Space).where(Space.name == "Projet Atlas")) is None


async def test_externals_cannot_open_the_create_space_form(make, browser_of):
    alumni = await make.user(kind="alumni")
    browser, csrf = await browser_of(alumni)

    assert (await browser.get("/spaces/new")).status_code == 403
    posted = await browser.post("/spaces/new", data={**SPACE_FORM, "csrf_token": csrf})
    assert posted.status_code == 403


# --- a space's page -----------------------------------------------------------


@pytest.mark.parametrize("tab", ["", "stream", "members", "about", "settings"])
async def test_a_secret_space_is_not_found_for_a_non_member(make, browser_of, tab):
    space = await make.space(visibility="secret", name="Fusion confidentielle")
    outsider = await make.user(role="admin", clearance="secret")
    browser, _csrf = await browser_of(outsider)

    response = await browser.get(f"/spaces/{space.id}", params={"tab": tab})

    assert response.status_code == 404
    assert "Fusion confidentielle" not in response.text


async def test_space_pages_render_their_tabs_for_a_member(make, browser_of):
    member = await make.user(language="en")
    space = await make.space(visibility="secret", members=[member], default_level="public")
    browser, _csrf = await browser_of(member)

    pages = {
        tab: await browser.get(f"/spaces/{space.id}", params={"tab": tab})
        for tab in ("stream", "members", "about", "settings")
    }

    assert {tab: page.status_code for tab, page in pages.items()} == dict.fromkeys(pages, 200)
    assert "data-composer" in pages["stream"].text  # the space's stream, with its composer
    assert member.display_name in pages["members"].text
    about = pages["about"].text
    assert space.objective in about
    assert "badge level-public" in about
    assert "Unlisted: only its members know it exists." in about
    # A plain member has no settings tab and no management forms.
    assert f'action="/spaces/{space.id}/settings"' not in pages["settings"].text
    assert "/members/" not in pages["members"].text
    for page in pages.values():
        assert csp_audit(page.text).problems == []


async def test_a_private_space_shows_its_about_tab_but_not_its_members_to_outsiders(
    make, browser_of
):
    member = await make.user(display_name="Agnès Membre")
    space = await make.space(visibility="private", members=[member])
    outsider = await make.user(language="en")
    browser, _csrf = await browser_of(outsider)

    default = await browser.get(f"/spaces/{space.id}")
    members = await browser.get(f"/spaces/{space.id}", params={"tab": "members"})

    assert default.status_code == 200
    assert space.objective in default.text
    assert "Request to join" in default.text
    assert members.status_code == 200
    assert "Only members see who belongs to this space." in members.text
    assert "Agnès Membre" not in members.text


async def test_joining_an_open_space_and_asking_to_join_a_private_one(make, browser_of, session):
    owner = await make.user()
    open_space = await make.space(owner=owner, visibility="open")
    private_space = await make.space(owner=owner, visibility="private")
    employee = await make.user(language="en")
    browser, csrf = await browser_of(employee)

    forged = await browser.post(f"/spaces/{open_space.id}/join", data={})
    joined = await browser.post(f"/spaces/{open_space.id}/join", data={"csrf_token": csrf})
    asked = await browser.post(
        f"/spaces/{private_space.id}/join",
        data={"message": "Je rejoins l'équipe en mars.", "csrf_token": csrf},
    )

    assert forged.status_code == 403
    assert joined.headers["location"] == f"/spaces/{open_space.id}?done=joined"
    assert asked.headers["location"] == f"/spaces/{private_space.id}?done=requested"
    assert await membership_of(session, open_space, employee) is SpaceRole.MEMBER
    assert await membership_of(session, private_space, employee) is None
    page = await browser.get(asked.headers["location"])
    assert "Your request is sent" in page.text and "Request sent" in page.text

    owner_browser, owner_csrf = await browser_of(owner)
    requests_tab = await owner_browser.get(f"/spaces/{private_space.id}", params={"tab": "members"})
    request_id = int(re.search(rf"/spaces/{private_space.id}/requests/(\d+)", requests_tab.text)[1])
    approved = await owner_browser.post(
        f"/spaces/{private_space.id}/requests/{request_id}",
        data={"decision": "approve", "csrf_token": owner_csrf},
    )

    assert employee.display_name in requests_tab.text
    assert "Je rejoins l&#39;équipe en mars." in requests_tab.text
    assert approved.status_code == 303
    assert await membership_of(session, private_space, employee) is SpaceRole.MEMBER
    assert (await session.get(JoinRequest, request_id)).status.value == "approved"


async def test_leaving_a_space(make, browser_of, session):
    member = await make.user()
    space = await make.space(members=[member])
    browser, csrf = await browser_of(member)

    left = await browser.post(f"/spaces/{space.id}/leave", data={"csrf_token": csrf})

    assert left.headers["location"] == "/spaces?done=left"
    assert await membership_of(session, space, member) is None


# --- member management --------------------------------------------------------


async def test_an_owner_adds_changes_and_removes_members(make, browser_of, session):
    owner = await make.user(language="en")
    colleague = await make.user(email="paul.dupont@example.test")
    other = await make.user()
    space = await make.space(owner=owner, visibility="private")
    browser, csrf = await browser_of(owner)
    url = f"/spaces/{space.id}"

    by_email = await browser.post(
        f"{url}/members", data={"identifier": " paul.dupont@EXAMPLE.test", "csrf_token": csrf}
    )
    by_handle = await browser.post(
        f"{url}/members",
        data={"identifier": f"@{other.handle}", "role": "moderator", "csrf_token": csrf},
    )
    unknown = await browser.post(
        f"{url}/members", data={"identifier": "nobody@example.test", "csrf_token": csrf}
    )
    promoted = await browser.post(
        f"{url}/members/{colleague.id}/role", data={"role": "moderator", "csrf_token": csrf}
    )
    removed = await browser.post(f"{url}/members/{other.id}/remove", data={"csrf_token": csrf})

    assert by_email.headers["location"] == f"{url}?tab=members&done=added"
    assert by_handle.status_code == 303
    assert unknown.status_code == 422
    assert alert(unknown.text) == "No active account has this e-mail address or handle."
    assert promoted.status_code == 303 and removed.status_code == 303
    assert await membership_of(session, space, colleague) is SpaceRole.MODERATOR
    assert await membership_of(session, space, other) is None
    members_tab = await browser.get(url, params={"tab": "members"})
    assert f'action="{url}/members/{colleague.id}/remove"' in members_tab.text


async def test_the_last_owner_cannot_step_down_and_sees_why(make, browser_of, session):
    owner = await make.user(language="en")
    space = await make.space(owner=owner)
    browser, csrf = await browser_of(owner)

    left = await browser.post(f"/spaces/{space.id}/leave", data={"csrf_token": csrf})

    assert left.status_code == 409
    assert "at least one owner" in alert(left.text)
    assert await membership_of(session, space, owner) is SpaceRole.OWNER


async def test_transfer_of_ownership(make, browser_of, session):
    owner = await make.user()
    heir = await make.user()
    space = await make.space(owner=owner, members=[heir])
    browser, csrf = await browser_of(owner)

    forged = await browser.post(f"/spaces/{space.id}/ownership", data={"user_id": heir.id})
    moved = await browser.post(
        f"/spaces/{space.id}/ownership", data={"user_id": heir.id, "csrf_token": csrf}
    )

    assert forged.status_code == 403
    assert moved.headers["location"] == f"/spaces/{space.id}?tab=members&done=transferred"
    assert await membership_of(session, space, heir) is SpaceRole.OWNER
    assert await membership_of(session, space, owner) is SpaceRole.MODERATOR


async def test_a_moderator_cannot_name_owners(make, browser_of, session):
    moderator = await make.user(language="en")
    member = await make.user()
    space = await make.space(moderators=[moderator], members=[member])
    browser, csrf = await browser_of(moderator)

    response = await browser.post(
        f"/spaces/{space.id}/members/{member.id}/role", data={"role": "owner", "csrf_token": csrf}
    )

    assert response.status_code == 403
    assert "Only an owner" in alert(response.text)
    assert await membership_of(session, space, member) is SpaceRole.MEMBER


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("members", {"identifier": "someone@example.test"}),
        ("invitations", {"identifier": "someone@example.test"}),
        ("ownership", {"user_id": "1"}),
        ("settings", {k: v for k, v in SPACE_FORM.items()}),
        ("archive", {"archived": "true"}),
    ],
)
async def test_management_forms_refuse_members_who_do_not_manage(
    make, browser_of, session, path, data
):
    member = await make.user()
    space = await make.space(visibility="open", members=[member], allows_externals=True)
    browser, csrf = await browser_of(member)

    response = await browser.post(f"/spaces/{space.id}/{path}", data={**data, "csrf_token": csrf})

    assert response.status_code == 403
    await session.refresh(space)
    assert not space.is_archived and space.name != SPACE_FORM["name"]


async def test_management_forms_of_an_invisible_space_answer_404(make, browser_of):
    space = await make.space(visibility="secret")
    outsider = await make.user()
    browser, csrf = await browser_of(outsider)

    for path, data in [
        ("members", {"identifier": outsider.email}),
        ("join", {}),
        ("archive", {"archived": "true"}),
        ("invitations/email", {"email": "a@example.com", "external_kind": "alumni"}),
    ]:
        response = await browser.post(
            f"/spaces/{space.id}/{path}", data={**data, "csrf_token": csrf}
        )
        assert response.status_code == 404, path


async def test_settings_and_archiving(make, browser_of, session):
    owner = await make.user(language="en")
    space = await make.space(owner=owner, kind="project")
    browser, csrf = await browser_of(owner)
    url = f"/spaces/{space.id}"

    forged = await browser.post(f"{url}/settings", data=SPACE_FORM)
    saved = await browser.post(f"{url}/settings", data={**SPACE_FORM, "csrf_token": csrf})
    archived = await browser.post(f"{url}/archive", data={"archived": "true", "csrf_token": csrf})
    settings_tab = await browser.get(url, params={"tab": "settings"})

    assert forged.status_code == 403
    assert saved.headers["location"] == f"{url}?tab=settings&done=saved"
    assert archived.headers["location"] == f"{url}?tab=settings&done=archived"
    await session.refresh(space)
    assert (space.name, space.visibility.value, space.is_archived) == (
        "Projet Atlas",
        "private",
        True,
    )
    assert "Unarchive the space" in settings_tab.text
    assert f'action="{url}/settings"' not in settings_tab.text

    unarchived = await browser.post(
        f"{url}/archive", data={"archived": "false", "csrf_token": csrf}
    )
    assert unarchived.status_code == 303
    await session.refresh(space)
    assert not space.is_archived


# --- invitations and their acceptance -------------------------------------------


def in_days(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).date().isoformat()


async def invite_contractor(browser, csrf, space, email="ext@partner.example.com") -> str:
    """Invites a contractor by e-mail through the members tab; returns the link's path."""
    response = await browser.post(
        f"/spaces/{space.id}/invitations/email",
        data={
            "email": email,
            "external_kind": "contractor",
            "access_ends_on": in_days(90),
            "csrf_token": csrf,
        },
    )
    assert response.status_code == 200, alert(response.text)
    return INVITATION_LINK.search(response.text)[1].removeprefix("http://testserver")


async def test_an_email_invitation_shows_its_link_once(make, browser_of, session):
    owner = await make.user(language="en")
    space = await make.space(owner=owner, allows_externals=True)
    browser, csrf = await browser_of(owner)

    link = await invite_contractor(browser, csrf, space)
    members_tab = await browser.get(f"/spaces/{space.id}", params={"tab": "members"})

    assert link.startswith("/invitations/")
    assert link not in members_tab.text
    assert "ext@partner.example.com" in members_tab.text  # listed as pending
    invitation = await session.scalar(select(Invitation).where(Invitation.space_id == space.id))
    assert invitation.external_kind is AccountKind.CONTRACTOR
    assert invitation.access_ends_at is not None
    # Its mail in the inviter's language unless they choose another.
    assert '<option value="en" selected>' in members_tab.text
    await browser.post(
        f"/spaces/{space.id}/invitations/email",
        data={"email": "fr@partner.example.com", "external_kind": "alumni", "language": "fr"}
        | {"csrf_token": csrf},
    )
    mails = await session.scalars(select(OutboxMail).where(OutboxMail.kind == "email_invitation"))
    assert {mail.address: mail.data["language"] for mail in mails} == {
        "ext@partner.example.com": "en",
        "fr@partner.example.com": "fr",
    }


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"external_kind": "contractor"}, 422, "A contractor's access needs an end date"),
        (
            {"external_kind": "contractor", "access_ends_on": in_days(4000)},
            422,
            "three years at most",
        ),
        ({"external_kind": "contractor", "access_ends_on": "31/12/2030"}, 422, "date is not valid"),
    ],
)
async def test_an_email_invitation_with_bad_dates_shows_why(
    make, browser_of, session, data, status, message
):
    owner = await make.user(language="en")
    space = await make.space(owner=owner, allows_externals=True)
    browser, csrf = await browser_of(owner)

    response = await browser.post(
        f"/spaces/{space.id}/invitations/email",
        data={"email": "ext@partner.example.com", **data, "csrf_token": csrf},
    )

    assert response.status_code == status
    assert message in alert(response.text)
    assert await session.scalar(select(Invitation).where(Invitation.space_id == space.id)) is None


async def test_a_space_closed_to_externals_refuses_email_invitations(make, browser_of):
    owner = await make.user(language="en")
    space = await make.space(owner=owner, allows_externals=False)
    browser, csrf = await browser_of(owner)

    members_tab = await browser.get(f"/spaces/{space.id}", params={"tab": "members"})
    response = await browser.post(
        f"/spaces/{space.id}/invitations/email",
        data={"email": "ext@partner.example.com", "external_kind": "alumni", "csrf_token": csrf},
    )

    assert "invitations/email" not in members_tab.text
    assert response.status_code == 422
    assert "does not accept external accounts" in alert(response.text)


async def test_revoking_an_invitation_makes_its_link_dead(make, browser_of, client):
    owner = await make.user()
    space = await make.space(owner=owner, allows_externals=True)
    browser, csrf = await browser_of(owner)
    link = await invite_contractor(browser, csrf, space)
    members_tab = await browser.get(f"/spaces/{space.id}", params={"tab": "members"})
    revoke = re.search(rf"/spaces/{space.id}/invitations/(\d+)/revoke", members_tab.text)[0]

    forged = await browser.post(revoke, data={})
    revoked = await browser.post(revoke, data={"csrf_token": csrf})

    assert forged.status_code == 403
    assert revoked.headers["location"] == f"/spaces/{space.id}?tab=members&done=revoked"
    assert (await client.get(link, headers=BROWSER)).status_code == 404


async def open_acceptance(client, link: str) -> tuple[httpx.Response, str]:
    page = await client.get(link, headers={**BROWSER, "Accept-Language": "en"})
    assert page.status_code == 200, page.text
    return page, HIDDEN_CSRF.search(page.text)[1]


ACCEPTANCE = {"display_name": "Léa Prestataire", "password": "a long pass phrase"}


async def test_accepting_an_email_invitation_signs_the_contractor_in_to_that_space_only(
    make, browser_of, client, session
):
    owner = await make.user()
    space = await make.space(owner=owner, visibility="private", allows_externals=True)
    await make.space(visibility="open")
    await make.space(visibility="secret", members=[owner])
    browser, csrf = await browser_of(owner)
    link = await invite_contractor(browser, csrf, space)

    page, form_token = await open_acceptance(client, link)
    accepted = await client.post(
        link,
        data={**ACCEPTANCE, "accept_charter": "true", "csrf_token": form_token},
        headers={**BROWSER, "Accept-Language": "en"},
    )

    assert space.objective in page.text
    assert "respect the confidentiality" in page.text  # the charter
    assert "I accept the charter" in page.text
    assert accepted.status_code == 303
    assert accepted.headers["location"] == f"/spaces/{space.id}?done=welcome"
    assert "ruche_session" in accepted.cookies
    contractor = await session.scalar(select(User).where(User.email == "ext@partner.example.com"))
    assert contractor.kind is AccountKind.CONTRACTOR
    assert contractor.clearance is Level.PUBLIC
    assert contractor.charter_accepted_at is not None
    assert contractor.sponsor_id == owner.id
    assert contractor.language.value == "en"  # the language they signed up in
    landing = await client.get(accepted.headers["location"], headers=BROWSER)
    assert landing.status_code == 200
    assert "your account is ready" in landing.text
    directory = await client.get("/spaces", headers=BROWSER)
    assert listed_space_ids(directory.text) == {space.id}
    # The link worked once.
    assert (await client.get(link, headers=BROWSER)).status_code == 404


@pytest.mark.parametrize(
    ("send_cookie", "form_token"), [(False, "form"), (True, None), (True, "other")]
)
async def test_the_acceptance_form_needs_its_double_submit_token(
    make, browser_of, client, session, send_cookie, form_token
):
    owner = await make.user()
    space = await make.space(owner=owner, allows_externals=True)
    browser, csrf = await browser_of(owner)
    link = await invite_contractor(browser, csrf, space)
    _page, token = await open_acceptance(client, link)
    if not send_cookie:
        client.cookies.clear()
    data = {**ACCEPTANCE, "accept_charter": "true"}
    if form_token is not None:
        data["csrf_token"] = token if form_token == "form" else "x" * len(token)

    response = await client.post(link, data=data, headers=BROWSER)

    assert response.status_code == 403
    assert "ruche_session" not in response.cookies
    assert await session.scalar(select(User).where(User.email == "ext@partner.example.com")) is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"accept_charter": None}, "Accept the network's charter to join."),
        ({"password": "short"}, "at least 10 characters"),
    ],
)
async def test_the_acceptance_form_shows_what_to_fix(
    make, browser_of, client, session, changes, message
):
    owner = await make.user()
    space = await make.space(owner=owner, allows_externals=True)
    browser, csrf = await browser_of(owner)
    link = await invite_contractor(browser, csrf, space)
    _page, token = await open_acceptance(client, link)
    data = {**ACCEPTANCE, "accept_charter": "true", **changes, "csrf_token": token}

    response = await client.post(
        link,
        data={key: value for key, value in data.items() if value is not None},
        headers={**BROWSER, "Accept-Language": "en"},
    )

    assert response.status_code == 422
    assert message in alert(response.text)
    assert 'value="Léa Prestataire"' in response.text
    assert await session.scalar(select(User).where(User.email == "ext@partner.example.com")) is None
    # The form shown again carries a fresh token that works.
    retry = await client.post(
        link,
        data={
            **ACCEPTANCE,
            "accept_charter": "true",
            "csrf_token": HIDDEN_CSRF.search(response.text)[1],
        },
        headers=BROWSER,
    )
    assert retry.status_code == 303


async def test_an_unknown_invitation_link_is_not_found(client):
    response = await client.get("/invitations/not-a-real-token-at-all", headers=BROWSER)

    assert response.status_code == 404


async def test_a_signed_in_browser_is_asked_to_sign_out_before_accepting(make, browser_of):
    owner = await make.user(language="en")
    space = await make.space(owner=owner, allows_externals=True)
    browser, csrf = await browser_of(owner)
    link = await invite_contractor(browser, csrf, space)

    page = await browser.get(link)
    posted = await browser.post(link, data={**ACCEPTANCE, "accept_charter": "true"})

    assert page.status_code == 200
    assert "sign out first" in page.text
    assert 'name="display_name"' not in page.text
    assert posted.status_code == 403


# --- the charter --------------------------------------------------------------


async def test_an_external_who_has_not_accepted_the_charter_is_sent_to_it(
    make, browser_of, session
):
    alumni = await make.user(kind="alumni", charter_accepted=False, language="en")
    browser, csrf = await browser_of(alumni)

    home = await browser.get("/")
    directory = await browser.get("/spaces")
    charter_page = await browser.get("/charter")
    forged = await browser.post("/charter", data={})
    accepted = await browser.post("/charter", data={"csrf_token": csrf})

    assert home.status_code == 303 and home.headers["location"] == "/charter"
    assert directory.headers["location"] == "/charter"
    assert charter_page.status_code == 200
    assert "I accept the charter" in charter_page.text
    assert forged.status_code == 403
    assert accepted.status_code == 303
    await session.refresh(alumni)
    assert alumni.charter_accepted_at is not None
    assert (await browser.get("/spaces")).status_code == 200


async def test_a_script_gets_the_charter_error_as_json(make):
    alumni = await make.user(kind="alumni", charter_accepted=False)
    async with await make.bearer(alumni) as script:
        response = await script.get("/api/v1/spaces", headers={"Accept": "application/json"})

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "charter_required"


# --- administration -----------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/admin/users", "/admin/audit", "/admin/charter", "/admin/directory", "/admin/sso"]
)
async def test_admin_pages_are_for_administrators_only(make, browser_of, client, path):
    member = await make.user(clearance="secret")
    browser, _csrf = await browser_of(member)

    assert (await browser.get(path)).status_code == 403
    anonymous = await client.get(path, headers=BROWSER)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login")


async def test_admin_forms_refuse_members_and_missing_tokens(make, browser_of, session):
    admin = await make.user(role="admin", clearance="secret")
    member = await make.user()
    target = await make.user()
    member_browser, member_csrf = await browser_of(member)
    admin_browser, _admin_csrf = await browser_of(admin)
    edit = {"kind": "employee", "role": "admin", "clearance": "secret", "is_active": "true"}

    by_member = await member_browser.post(
        f"/admin/users/{target.id}", data={**edit, "csrf_token": member_csrf}
    )
    without_token = await admin_browser.post(f"/admin/users/{target.id}", data=edit)
    offboard_by_member = await member_browser.post(
        f"/admin/users/{target.id}/offboard", data={"confirm": "true", "csrf_token": member_csrf}
    )

    assert by_member.status_code == 403
    assert without_token.status_code == 403
    assert offboard_by_member.status_code == 403
    await session.refresh(target)
    assert (target.role.value, target.clearance, target.kind) == (
        "member",
        Level.INTERNAL,
        AccountKind.EMPLOYEE,
    )


async def test_admin_users_page_lists_kinds_roles_and_clearances(make, browser_of):
    admin = await make.user(role="admin", clearance="secret", language="en")
    contractor = await make.user(kind="contractor", display_name="Marc Prestataire")
    await make.user(is_active=False, display_name="Ancien Compte")
    browser, _csrf = await browser_of(admin)

    page = await browser.get("/admin/users")
    found = await browser.get("/admin/users", params={"q": "prestataire"})
    detail = await browser.get(f"/admin/users/{contractor.id}")

    assert page.status_code == 200
    assert "badge kind-contractor" in page.text and "badge level-secret" in page.text
    assert "badge role-admin" in page.text and "Deactivated" in page.text
    assert "Marc Prestataire" in found.text and "Ancien Compte" not in found.text
    assert detail.status_code == 200
    assert "Offboard" not in detail.text  # only employees are offboarded
    assert csp_audit(page.text).problems == [] and csp_audit(detail.text).problems == []


async def test_raising_an_external_shows_the_services_refusal(make, browser_of, session):
    admin = await make.user(role="admin", clearance="secret", language="en")
    contractor = await make.user(kind="contractor")
    browser, csrf = await browser_of(admin)

    response = await browser.post(
        f"/admin/users/{contractor.id}",
        data={
            "kind": "contractor",
            "role": "member",
            "clearance": "confidential",
            "is_active": "true",
            "csrf_token": csrf,
        },
    )

    assert response.status_code == 422
    # Beside the clearance field, which keeps the level that was chosen.
    assert (
        "cannot be cleared above public"
        in re.search(r'<p class="field-error" id="error-clearance">([^<]*)</p>', response.text)[1]
    )
    assert re.search(r'<option value="confidential" selected>', response.text)
    await session.refresh(contractor)
    assert contractor.clearance is Level.PUBLIC


async def test_an_admin_changes_clearance_and_deactivates(make, browser_of, session):
    admin = await make.user(role="admin", clearance="secret")
    employee = await make.user()
    browser, csrf = await browser_of(admin)

    raised = await browser.post(
        f"/admin/users/{employee.id}",
        data={
            "kind": "employee",
            "role": "member",
            "clearance": "confidential",
            "is_active": "true",
            "csrf_token": csrf,
        },
    )
    deactivated = await browser.post(
        f"/admin/users/{employee.id}",
        data={
            "kind": "employee",
            "role": "member",
            "clearance": "confidential",
            "csrf_token": csrf,
        },
    )

    assert raised.headers["location"] == f"/admin/users/{employee.id}?done=saved"
    assert deactivated.status_code == 303
    await session.refresh(employee)
    assert employee.clearance is Level.CONFIDENTIAL
    assert not employee.is_active


async def test_an_admin_creates_an_account(make, browser_of, session):
    admin = await make.user(role="admin", clearance="secret", language="en")
    browser, csrf = await browser_of(admin)
    form = {
        "email": "Nouvelle.Recrue@example.com",
        "display_name": "Nouvelle Recrue",
        "password": "bienvenue a bord",
        "kind": "employee",
        "role": "member",
        "clearance": "",
        "language": "fr",
    }

    created = await browser.post("/admin/users", data={**form, "csrf_token": csrf})
    again = await browser.post("/admin/users", data={**form, "csrf_token": csrf})

    assert created.status_code == 303
    user = await session.scalar(select(User).where(User.email == "nouvelle.recrue@example.com"))
    assert created.headers["location"] == f"/admin/users/{user.id}?done=created"
    assert user.clearance is Level.INTERNAL
    assert again.status_code == 409
    # Beside the e-mail; what was typed is kept, but never the password.
    assert (
        "already exists"
        in re.search(r'<p class="field-error" id="error-email">([^<]*)</p>', again.text)[1]
    )
    assert 'value="Nouvelle Recrue"' in again.text and "bienvenue a bord" not in again.text
    assert '<option value="fr" selected>' in again.text


async def test_offboarding_asks_for_a_confirmation(make, browser_of, session):
    admin = await make.user(role="admin", clearance="secret", language="en")
    leaving = await make.user(clearance="confidential")
    closed = await make.space(members=[leaving], allows_externals=False)
    browser, csrf = await browser_of(admin)

    unconfirmed = await browser.post(
        f"/admin/users/{leaving.id}/offboard", data={"csrf_token": csrf}
    )
    await session.refresh(leaving)
    assert unconfirmed.status_code == 422
    assert "Tick the confirmation box" in alert(unconfirmed.text)
    assert leaving.kind is AccountKind.EMPLOYEE

    confirmed = await browser.post(
        f"/admin/users/{leaving.id}/offboard", data={"confirm": "true", "csrf_token": csrf}
    )
    assert confirmed.headers["location"] == f"/admin/users/{leaving.id}?done=offboarded"
    await session.refresh(leaving)
    assert (leaving.kind, leaving.clearance) == (AccountKind.ALUMNI, Level.PUBLIC)
    assert await membership_of(session, closed, leaving) is None


async def test_an_admin_edits_the_charter(make, browser_of, client):
    admin = await make.user(role="admin", clearance="secret", language="en")
    browser, csrf = await browser_of(admin)
    text = "Nous respectons la confidentialité de ce que nous lisons ici."

    forged = await browser.post("/admin/charter", data={"text": text})
    saved = await browser.post("/admin/charter", data={"text": text, "csrf_token": csrf})

    assert forged.status_code == 403
    assert saved.headers["location"] == "/admin/charter?done=saved"
    assert text in (await browser.get("/charter")).text


async def test_new_pages_need_nothing_the_content_security_policy_blocks(make, browser_of):
    admin = await make.user(role="admin", clearance="secret")
    space = await make.space(owner=admin, allows_externals=True)
    browser, csrf = await browser_of(admin)
    link = await invite_contractor(browser, csrf, space)

    pages = [
        await browser.get(path)
        for path in (
            "/spaces",
            "/spaces/new",
            f"/spaces/{space.id}?tab=members",
            f"/spaces/{space.id}?tab=settings",
            f"/spaces/{space.id}?tab=about",
            "/admin/users",
            "/admin/audit",
            "/admin/charter",
            "/admin/directory",
            "/admin/sso",
            "/charter",
        )
    ]
    pages.append(await make.client(**BROWSER).get(link))

    for page in pages:
        assert page.status_code == 200, page.url
        checked = csp_audit(page.text)
        assert checked.problems == [], (page.url, checked.problems)
        assert checked.scripts >= 1


async def test_an_id_beyond_any_row_is_refused_not_a_server_error(make):
    """Path ids are bounded like the API's: a number too large for the database is
    bad input (422), never a 500."""
    client = await make.signed_in(await make.user())
    huge = 2**70

    for path in (f"/spaces/{huge}", f"/spaces/{huge}/members/{huge}/remove"):
        method = client.get if path.count("/") == 2 else client.post
        response = await method(path, headers={"Accept": "text/html"})
        assert response.status_code == 422, (path, response.status_code)
