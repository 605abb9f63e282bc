"""Profiles: who may change what (the person their phone, bio and tags; an
administrator the organisational fields), the manager's rules (an active
employee, nobody their own manager, no loop), tags cleaned, and the admin's
changes audited and told in a sentence."""

from app.i18n import current_language
from app.levels import Language
from app.services.audit_entries import describe_all
from tests.api_helpers import audit_events
from tests.helpers import expect_error

PEOPLE = "/api/v1/users"
OWN = "/api/v1/users/me/profile"


def org(user_id: int) -> str:
    return f"/api/v1/admin/users/{user_id}/profile"


async def test_a_person_edits_their_own_fields_and_tags(make):
    person = await make.user()
    client = await make.bearer(person)

    response = await client.patch(
        OWN,
        json={
            "phone": " +33 1 23  45 67 89 ",
            "bio": "J'aime **Kubernetes**.",
            "skills": ["Kubernetes", " kubernetes ", "Équipe  agile", "", "équipe agile"],
            "languages": ["Français", "English"],
        },
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["phone"] == "+33 1 23 45 67 89"
    assert body["bio"] == "J'aime **Kubernetes**."
    # One per folded name, the first spelling kept, in key order.
    assert body["skills"] == [
        {"key": "equipe agile", "name": "Équipe agile"},
        {"key": "kubernetes", "name": "Kubernetes"},
    ]
    assert [tag["name"] for tag in body["languages"]] == ["English", "Français"]
    assert body["interests"] == []
    # A later list replaces the former one; a kind left out is kept.
    again = await client.patch(OWN, json={"skills": ["Python"]})
    assert [tag["key"] for tag in again.json()["skills"]] == ["python"]
    assert len(again.json()["languages"]) == 2


async def test_a_person_may_not_set_an_organisational_field_of_their_own(make, session):
    person = await make.user()
    client = await make.bearer(person)

    for field, value in [("department", "R&D"), ("manager_id", person.id), ("job_title", "PDG")]:
        response = await client.patch(OWN, json={"phone": "0102030405", field: value})
        expect_error(response, 403, "organisational_field", sent=field)

    await session.refresh(person)
    assert (person.department, person.job_title, person.phone) == ("", "", "")


async def test_bad_own_input_is_refused_with_nothing_written(make, session):
    person = await make.user()
    client = await make.bearer(person)

    expect_error(await client.patch(OWN, json={"phone": "call me"}), 422)
    expect_error(await client.patch(OWN, json={"skills": ["x" * 61]}), 422)
    expect_error(await client.patch(OWN, json={"skills": [f"s{n}" for n in range(31)]}), 422)
    expect_error(await client.patch(OWN, json={"role": "admin"}), 422)
    await session.refresh(person)
    assert person.phone == ""


async def test_an_admin_sets_the_organisational_fields_and_it_is_audited(make, session):
    admin = await make.user(role="admin", display_name="Ada Admin")
    boss = await make.user(display_name="Bea Boss")
    person = await make.user(display_name="Carl Worker")
    client = await make.bearer(admin, scopes=("admin",))

    response = await client.patch(
        org(person.id),
        json={
            "job_title": " Ingénieur ",
            "department": "R&D",
            "site": "Lyon",
            "manager_id": boss.id,
        },
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["job_title"], body["department"], body["site"]) == ("Ingénieur", "R&D", "Lyon")
    assert body["manager"]["id"] == boss.id
    [event] = await audit_events(session, "account.profile_changed")
    assert (event.actor_id, event.target_id) == (admin.id, person.id)
    assert event.detail["after"]["manager_id"] == boss.id
    language = current_language.set(Language.EN)
    try:
        [entry] = await describe_all(session, viewer=admin, events=[event])
    finally:
        current_language.reset(language)
    assert entry.text() == "Ada Admin changed the organisational profile of Carl Worker"
    assert "Manager: none → Bea Boss" in entry.details
    # The same values again change nothing, and record nothing.
    await client.patch(org(person.id), json={"department": "R&D"})
    assert len(await audit_events(session, "account.profile_changed")) == 1


async def test_a_member_may_not_set_anyones_organisational_fields(make):
    member = await make.user()
    other = await make.user()
    client = await make.bearer(member)

    for target in (member, other):
        expect_error(await client.patch(org(target.id), json={"site": "Paris"}), 403)


async def test_the_manager_is_an_active_employee_and_makes_no_loop(make, session):
    admin = await make.user(role="admin")
    top = await make.user()
    middle = await make.user()
    person = await make.user()
    contractor = await make.user(kind="contractor")
    former = await make.user(is_active=False)
    client = await make.bearer(admin, scopes=("admin",))
    assert (await client.patch(org(middle.id), json={"manager_id": top.id})).status_code == 200
    assert (await client.patch(org(person.id), json={"manager_id": middle.id})).status_code == 200

    refusals = [
        (person.id, person.id, "own_manager"),
        (top.id, person.id, "manager_cycle"),
        (top.id, middle.id, "manager_cycle"),
        (person.id, contractor.id, "invalid_manager"),
        (person.id, former.id, "invalid_manager"),
        (person.id, 999999999, "invalid_manager"),
    ]
    for user_id, manager_id, code in refusals:
        response = await client.patch(org(user_id), json={"manager_id": manager_id})
        expect_error(response, 422, code, sent=(user_id, manager_id))
    await session.refresh(top)
    assert top.manager_id is None
    # Null takes the manager away.
    response = await client.patch(org(person.id), json={"manager_id": None})
    assert response.json()["manager"] is None


async def test_years_are_checked_together(make):
    admin = await make.user(role="admin")
    alumnus = await make.user(kind="alumni")
    client = await make.bearer(admin, scopes=("admin",))

    response = await client.patch(
        org(alumnus.id),
        json={"organisation": "Direction financière", "joined_year": 2010, "left_year": 2020},
    )
    assert response.json()["organisation"] == "Direction financière"
    expect_error(
        await client.patch(org(alumnus.id), json={"left_year": 2005}), 422, "invalid_years"
    )
    expect_error(await client.patch(org(alumnus.id), json={"joined_year": 1800}), 422)


async def test_a_profile_names_the_manager_only_to_those_who_may_know_of_them(make, session):
    boss = await make.user()
    teammate = await make.user()
    contractor = await make.user(kind="contractor")
    await make.space(owner=teammate, allows_externals=True, members=[contractor])
    teammate.manager_id = boss.id
    await session.commit()

    employee_view = (await (await make.bearer(teammate)).get(f"{PEOPLE}/{teammate.id}")).json()
    contractor_view = (await (await make.bearer(contractor)).get(f"{PEOPLE}/{teammate.id}")).json()

    assert employee_view["manager"]["id"] == boss.id
    assert contractor_view["manager"] is None


async def test_an_own_profile_change_needs_a_session(client):
    expect_error(await client.patch(OWN, json={"phone": "01"}), 401)
