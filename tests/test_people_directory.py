"""The directory's filters and their counts, and the org chart: an external
sees, counts and is shown in a chain only the people they may know of; a hidden
person adds to no department, site or skill count."""

from tests.helpers import expect_error, with_profile

PEOPLE = "/api/v1/users"
FACETS = "/api/v1/users/facets"


async def handles(client, **params) -> list[str]:
    response = await client.get(PEOPLE, params=params)
    assert response.status_code == 200, response.text
    return [person["handle"] for person in response.json()["items"]]


async def test_filters_combine(make, session):
    viewer = await make.user(display_name="Zoé Viewer")
    ana = await with_profile(
        session,
        await make.user(display_name="Ana"),
        department="R&D",
        site="Lyon",
        skills=["Kubernetes", "Python"],
    )
    bob = await with_profile(
        session,
        await make.user(display_name="Bob"),
        department="R&D",
        site="Paris",
        skills=["Python"],
    )
    cleo = await with_profile(
        session,
        await make.user(display_name="Cléo", kind="contractor"),
        department="R&D",
        site="Lyon",
        skills=["Python"],
    )
    await with_profile(
        session, await make.user(display_name="Dan"), department="Ventes", site="Lyon"
    )
    client = await make.bearer(viewer)

    assert await handles(client, department="R&D") == [ana.handle, bob.handle, cleo.handle]
    assert await handles(client, skill="PYTHON", site="Lyon") == [ana.handle, cleo.handle]
    assert await handles(client, skill="python", kind="contractor") == [cleo.handle]
    assert await handles(client, skill="kubernetes", q="an") == [ana.handle]
    assert await handles(client, skill="cobol") == []
    card = (await client.get(PEOPLE, params={"skill": "kubernetes"})).json()["items"][0]
    assert card["department"] == "R&D"
    assert [tag["key"] for tag in card["skills"]] == ["kubernetes", "python"]
    expect_error(await client.get(PEOPLE, params={"kind": "robot"}), 422)


async def test_facets_count_active_people(make, session):
    viewer = await make.user()
    for site in ("Lyon", "Lyon", "Paris"):
        await with_profile(
            session, await make.user(), department="R&D", site=site, skills=["Python"]
        )
    await with_profile(
        session, await make.user(is_active=False), department="Ventes", skills=["Cobol"]
    )
    client = await make.bearer(viewer)

    facets = (await client.get(FACETS)).json()

    assert facets["departments"] == [{"value": "R&D", "label": "R&D", "count": 3}]
    assert facets["sites"] == [
        {"value": "Lyon", "label": "Lyon", "count": 2},
        {"value": "Paris", "label": "Paris", "count": 1},
    ]
    assert facets["skills"] == [{"value": "python", "label": "Python", "count": 3}]


async def test_an_external_counts_only_the_people_they_may_know_of(make, session):
    contractor = await make.user(kind="contractor")
    teammate = await with_profile(
        session, await make.user(), department="R&D", site="Lyon", skills=["Python"]
    )
    await with_profile(session, await make.user(), department="R&D", site="Lyon", skills=["Python"])
    await with_profile(session, await make.user(), department="Secret dept", site="Hidden site")
    await make.space(owner=teammate, allows_externals=True, members=[contractor])
    client = await make.bearer(contractor)

    facets = (await client.get(FACETS)).json()

    assert facets["departments"] == [{"value": "R&D", "label": "R&D", "count": 1}]
    assert facets["sites"] == [{"value": "Lyon", "label": "Lyon", "count": 1}]
    assert facets["skills"] == [{"value": "python", "label": "Python", "count": 1}]
    assert await handles(client, department="Secret dept") == []
    assert await handles(client, skill="python") == [teammate.handle]


async def test_the_org_chart_names_only_whom_the_viewer_may_know_of(make, session):
    ceo = await make.user(display_name="Ceo")
    director = await make.user(display_name="Director")
    lead = await make.user(display_name="Lead")
    member = await make.user(display_name="Member")
    hidden_report = await make.user(display_name="Hidden report")
    contractor = await make.user(kind="contractor")
    director.manager_id = ceo.id
    lead.manager_id = director.id
    member.manager_id = lead.id
    hidden_report.manager_id = lead.id
    await session.commit()
    # The contractor knows the lead, the member and the CEO, not the director.
    await make.space(owner=lead, allows_externals=True, members=[contractor, member])
    await make.post(author=ceo, level="public", body="Bienvenue")

    employee = await make.bearer(member)
    chart = (await employee.get(f"{PEOPLE}/{lead.id}/org-chart")).json()
    assert [p["id"] for p in chart["managers"]] == [ceo.id, director.id]
    assert sorted(p["id"] for p in chart["reports"]) == sorted([member.id, hidden_report.id])

    external = await make.bearer(contractor)
    chart = (await external.get(f"{PEOPLE}/{lead.id}/org-chart")).json()
    assert chart["person"]["id"] == lead.id
    assert [p["id"] for p in chart["managers"]] == [ceo.id]
    assert [p["id"] for p in chart["reports"]] == [member.id]
    assert "Director" not in str(chart) and "Hidden report" not in str(chart)
    # The director's own chart: as if the account did not exist.
    hidden = await external.get(f"{PEOPLE}/{director.id}/org-chart")
    missing = await external.get(f"{PEOPLE}/999999999/org-chart")
    expect_error(hidden, 404, "not_found")
    assert hidden.json() == missing.json()
