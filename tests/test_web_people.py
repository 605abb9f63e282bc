"""The people pages: a profile with its chips, org chart, spaces and posts (only
those the viewer may see), the directory's filters, and editing one's own
profile (refusals beside their fields), in French and in English."""

import re

from app.models import User
from tests.api_helpers import BROWSER, cookie_client
from tests.helpers import with_profile


async def post(make, session, *, author: User, body: str, level: str):
    """A post as the composer leaves it: its body rendered too."""
    made = await make.post(author=author, body=body, level=level)
    made.body_html = f"<p>{body}</p>"
    await session.commit()


async def test_a_profile_shows_chips_org_chart_spaces_and_posts(make, session):
    boss = await make.user(display_name="Bea Boss")
    person = await with_profile(
        session,
        await make.user(display_name="Carl Worker", language="en"),
        job_title="Engineer",
        department="R&D",
        site="Lyon",
        bio="I like **Kubernetes** <script>alert(1)</script>",
        skills=["Kubernetes"],
        manager_id=boss.id,
    )
    report = await with_profile(
        session, await make.user(display_name="Dora Report"), manager_id=person.id
    )
    viewer = await make.user(language="en")
    await make.space(owner=person, name="Open Atlas", visibility="open")
    await make.space(owner=person, name="Secret Borealis", visibility="secret")
    await post(make, session, author=person, body="A public word", level="public")
    client = await cookie_client(make, viewer)

    page = (await client.get(f"/people/{person.handle}")).text

    assert "Engineer" in page and "R&amp;D" in page
    assert "<strong>Kubernetes</strong>" in page and "<script>alert" not in page
    assert 'href="/people?skill=kubernetes"' in page
    org_chart = page[page.index('class="card org-chart"') :]
    assert (
        org_chart.index("Bea Boss")
        < org_chart.index("Carl Worker")
        < org_chart.index("Dora Report")
    )
    assert f'href="/people/{report.handle}"' in org_chart
    assert "Open Atlas" in page and "Secret Borealis" not in page
    assert "A public word" in page


async def test_a_contractor_sees_no_hidden_space_post_or_person_on_a_profile(make, session):
    boss = await make.user(display_name="Hidden Boss")
    person = await with_profile(
        session, await make.user(display_name="Carl Worker"), manager_id=boss.id
    )
    contractor = await make.user(kind="contractor")
    await make.space(owner=person, name="Shared Space", allows_externals=True, members=[contractor])
    await make.space(owner=person, name="Open Atlas", visibility="open")
    await post(make, session, author=person, body="Internal words", level="internal")
    await post(make, session, author=person, body="Public words", level="public")
    client = await cookie_client(make, contractor)

    page = (await client.get(f"/people/{person.handle}")).text

    assert "Shared Space" in page and "Open Atlas" not in page
    assert "Public words" in page and "Internal words" not in page
    assert "Hidden Boss" not in page
    assert (await client.get(f"/people/{boss.handle}")).status_code == 404


async def test_the_directory_filters_by_skill_and_department(make, session):
    viewer = await make.user(language="fr")
    ana = await with_profile(
        session, await make.user(display_name="Ana"), department="R&D", skills=["Python"]
    )
    await with_profile(session, await make.user(display_name="Bob"), department="Ventes")
    client = await cookie_client(make, viewer)

    page = (await client.get("/people", params={"skill": "python"})).text

    assert f'data-person="{ana.handle}"' in page and "Bob" not in page
    assert '<option value="R&amp;D"' in page and "R&amp;D (1)" in page
    assert 'lang="fr"' in page and "Compétence" in page
    other = (await client.get("/people", params={"department": "Ventes"})).text
    assert "Bob" in other and f'data-person="{ana.handle}"' not in other


async def test_editing_my_profile_saves_and_refuses_beside_the_field(make, session):
    person = await make.user(language="en")
    client = await cookie_client(make, person)

    form = (await client.get("/settings/profile")).text
    assert 'action="/settings/profile"' in form and "Edit my profile" in form

    saved = await client.post(
        "/settings/profile",
        data={
            "csrf_token": client.headers["X-CSRF-Token"],
            "phone": "01 02 03 04 05",
            "bio": "Hello",
            "skills": "Python, Kubernetes, python",
            "interests": "",
            "languages": "English",
        },
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/people/{person.handle}?done=profile_saved"
    page = (await client.get(saved.headers["location"])).text
    assert re.search(r'href="/people\?skill=python">Python<', page)

    refused = await client.post(
        "/settings/profile",
        headers=BROWSER,
        data={
            "csrf_token": client.headers["X-CSRF-Token"],
            "phone": "call me",
            "skills": "x" * 61,
        },
    )
    assert refused.status_code == 422
    assert 'id="error-phone"' in refused.text and 'aria-invalid="true" autofocus' in refused.text
    assert 'value="call me"' in refused.text
    await session.refresh(person)
    assert person.phone == "01 02 03 04 05"


async def test_the_edit_page_reads_in_french(make):
    person = await make.user(language="fr")
    client = await cookie_client(make, person)

    page = (await client.get("/settings/profile")).text

    assert "Modifier mon profil" in page and "Compétences" in page


async def test_an_admin_sets_the_organisation_on_the_account_page(make, session):
    admin = await make.user(role="admin", language="en")
    boss = await make.user()
    alumnus = await make.user(kind="alumni")
    client = await cookie_client(make, admin)
    token = client.headers["X-CSRF-Token"]

    page = (await client.get(f"/admin/users/{alumnus.id}")).text
    assert f'action="/admin/users/{alumnus.id}/profile"' in page

    saved = await client.post(
        f"/admin/users/{alumnus.id}/profile",
        data={
            "csrf_token": token,
            "job_title": "Analyst",
            "department": "Finance",
            "site": "",
            "manager": f"@{boss.handle}",
            "organisation": "Direction financière",
            "joined_year": "2010",
            "left_year": "2020",
        },
    )
    assert saved.status_code == 303
    await session.refresh(alumnus)
    assert (alumnus.department, alumnus.manager_id, alumnus.left_year) == ("Finance", boss.id, 2020)

    refused = await client.post(
        f"/admin/users/{alumnus.id}/profile",
        headers=BROWSER,
        data={"csrf_token": token, "department": "Sales", "manager": f"@{alumnus.handle}"},
    )
    assert refused.status_code == 422
    assert 'id="error-manager"' in refused.text and 'value="Sales"' in refused.text
    await session.refresh(alumnus)
    assert alumnus.department == "Finance"


async def test_a_contractor_directory_counts_only_the_people_they_may_know_of(make, session):
    contractor = await make.user(kind="contractor", language="en")
    teammate = await with_profile(session, await make.user(), department="Design")
    await with_profile(session, await make.user(), department="Design")
    await with_profile(session, await make.user(), department="Hidden Lab", skills=["Secret"])
    await make.space(owner=teammate, allows_externals=True, members=[contractor])
    client = await cookie_client(make, contractor)

    page = (await client.get("/people")).text

    assert "Design (1)" in page
    assert "Hidden Lab" not in page and "Secret" not in page
    refused = await client.get("/people", params={"kind": "robot"}, headers=BROWSER)
    assert refused.status_code == 422
