"""Who knows about X, through the API and the page: the ranking of a built case
(skill, accepted answers, pages, posts), its reasons' counts, and that a
viewer's answer is made of what they may read and whom they may know of only."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.levels import Level
from app.models import Comment, Post, User, WikiPage, WikiRevision
from app.models.base import utcnow
from app.search.text import fold
from app.services.people import experts as experts_service
from tests.api_helpers import cookie_client
from tests.helpers import expect_error, with_profile

EXPERTS = "/api/v1/users/experts"


async def skill(session: AsyncSession, user: User, name: str) -> None:
    await with_profile(session, user, skills=[name])


async def answered(make, session, *, asker, helper, question: str, answer: str, **where) -> Post:
    """A question by ``asker`` whose accepted answer ``helper`` wrote."""
    post = await make.post(author=asker, body=question, **where)
    post.kind = "question"
    reply = Comment(post_id=post.id, author_id=helper.id, body=answer, body_html="")
    session.add(reply)
    await session.flush()
    post.accepted_comment_id = reply.id
    await session.commit()
    return post


async def page(session, author: User, title: str, *, level=Level.INTERNAL, reviser=None):
    """A company wiki page by ``author``, revised once by ``reviser``."""
    found = WikiPage(
        title=title,
        slug=fold(title).replace(" ", "-"),
        body=f"Tout sur {title}",
        level=level,
        author_id=author.id,
        revision=1,
        updated_at=utcnow(),
    )
    session.add(found)
    await session.flush()
    for number, who in enumerate([author, *([reviser] if reviser else [])], start=1):
        session.add(
            WikiRevision(
                page_id=found.id, number=number, level=level, title=title, body="", author_id=who.id
            )
        )
    found.revision = 1 + (reviser is not None)
    await session.commit()
    return found


async def experts(client, topic: str, **params) -> list[dict]:
    response = await client.get(EXPERTS, params={"topic": topic, **params})
    assert response.status_code == 200, response.text
    return response.json()["items"]


def reasons(item: dict) -> dict[str, int]:
    return {reason["kind"]: reason["count"] for reason in item["reasons"]}


async def test_skill_answers_pages_and_posts_rank_by_weight(make, session):
    viewer = await make.user()
    declared = await make.user(display_name="Déclarée")
    answerer = await make.user(display_name="Répondante")
    writer = await make.user(display_name="Rédactrice")
    poster = await make.user(display_name="Publiante")
    await skill(session, declared, "Kubernetes")
    for n in range(2):
        await answered(
            make,
            session,
            asker=viewer,
            helper=answerer,
            question=f"Comment monter kubernetes {n} ?",
            answer="Avec helm",
        )
    await page(session, writer, "Kubernetes en prod", reviser=poster)
    for n in range(3):
        await make.post(author=poster, body=f"Mon cluster #kubernetes {n}")
    await make.post(author=viewer, body="Rien à voir")
    client = await make.bearer(viewer)

    found = await experts(client, "Kubernetes")

    # answerer 2×5; poster 3×2 + a revision 3; declared 8; writer 3; viewer 2 questions ×2.
    assert [item["person"]["display_name"] for item in found] == [
        "Répondante",
        "Publiante",
        "Déclarée",
        found[3]["person"]["display_name"],
        found[4]["person"]["display_name"],
    ]
    assert [item["score"] for item in found] == [10, 9, 8, 4, 3]
    assert reasons(found[0]) == {"accepted_answers": 2}
    assert reasons(found[1]) == {"wiki_pages": 1, "posts": 3}
    assert found[2]["reasons"] == [
        {"kind": "skill", "count": 1, "topic": "Kubernetes", "skill": "Kubernetes"}
    ]
    assert found[3]["person"]["id"] == viewer.id and reasons(found[3]) == {"posts": 2}
    assert found[4]["person"]["id"] == writer.id
    # A #tag is matched as its word (a post carrying it holds it), shown as typed.
    tagged = await experts(client, "#kubernetes", limit=2)
    assert [item["person"]["id"] for item in tagged] == [answerer.id, poster.id]
    assert tagged[1]["reasons"][1] == {
        "kind": "posts",
        "count": 3,
        "topic": "#kubernetes",
        "skill": None,
    }


async def test_skill_words_and_ties(make, session):
    viewer = await make.user()
    zoe = await make.user(display_name="Zoé")
    adele = await make.user(display_name="Adèle")
    await skill(session, zoe, "Mise en production")
    await skill(session, adele, "Production")
    await skill(session, await make.user(), "Reproduction")
    client = await make.bearer(viewer)

    assert [item["person"]["id"] for item in await experts(client, "production")] == [
        adele.id,
        zoe.id,
    ]
    assert [item["person"]["id"] for item in await experts(client, '"mise en production"')] == [
        zoe.id
    ]
    assert await experts(client, "cobol") == []


async def test_a_contractor_counts_only_what_they_may_read(make, session, monkeypatch):
    employee = await make.user()
    contractor = await make.user(kind="contractor")
    space = await make.space(owner=employee, allows_externals=True, members=[contractor])
    both = await make.user(display_name="Both")
    hidden_only = await make.user(display_name="Hidden only")
    await make.space(owner=employee, members=[both, hidden_only])
    for body in ("Terraform public", "Terraform encore"):
        await make.post(author=both, space=space, level=Level.PUBLIC, body=body)
    await make.post(author=both, level=Level.INTERNAL, body="Terraform interne")
    await make.post(author=hidden_only, level=Level.INTERNAL, body="Terraform secret maison")
    await answered(
        make,
        session,
        asker=employee,
        helper=hidden_only,
        question="Terraform ou pulumi ?",
        answer="Terraform",
        level=Level.INTERNAL,
    )
    await page(session, hidden_only, "Terraform", level=Level.INTERNAL)
    await skill(session, await make.user(display_name="Unknown skilled"), "Terraform")
    contractor_client = await make.bearer(contractor)
    employee_client = await make.bearer(employee)

    seen = await experts(contractor_client, "terraform")

    assert [item["person"]["id"] for item in seen] == [both.id]
    assert reasons(seen[0]) == {"posts": 2}
    # The unknown skilled person ranks first among candidates; checked one at a
    # time, the next batch still finds the one the contractor may know of.
    monkeypatch.setattr(experts_service, "KNOWN_BATCH", 1)
    found = await experts_service.who_knows(session, viewer=contractor, topic="terraform", limit=1)
    assert [expert.person.id for expert in found] == [both.id]
    by_employee = {
        item["person"]["display_name"]: reasons(item)
        for item in await experts(employee_client, "terraform")
    }
    assert by_employee["Both"] == {"posts": 3}
    assert by_employee["Hidden only"] == {
        "accepted_answers": 1,
        "wiki_pages": 1,
        "posts": 1,
        "comments": 1,
    }
    assert by_employee["Unknown skilled"] == {"skill": 1}


async def test_deleted_content_and_inactive_people_do_not_count(make, session):
    viewer = await make.user()
    author = await make.user()
    gone = await make.user()
    post = await make.post(author=author, body="Ansible partout")
    question = await answered(
        make, session, asker=viewer, helper=author, question="Ansible ?", answer="Oui"
    )
    await make.post(author=gone, body="Ansible aussi")
    await skill(session, gone, "Ansible")
    client = await make.bearer(viewer)
    before = {item["person"]["id"]: reasons(item) for item in await experts(client, "ansible")}
    assert before == {
        gone.id: {"skill": 1, "posts": 1},
        author.id: {"accepted_answers": 1, "posts": 1},
        viewer.id: {"posts": 1},
    }

    post.deleted_at = utcnow()
    reply = await session.get(Comment, question.accepted_comment_id)
    reply.deleted_at = utcnow()
    gone.is_active = False
    await session.commit()

    assert [item["person"]["id"] for item in await experts(client, "ansible")] == [viewer.id]


async def test_bad_topics(make):
    client = await make.bearer(await make.user())
    expect_error(await client.get(EXPERTS, params={"topic": "  "}), 422, "empty_topic")
    expect_error(await client.get(EXPERTS, params={"topic": "@alice -x"}), 422, "empty_topic")
    expect_error(await client.get(EXPERTS, params={"topic": "x" * 101}), 422)
    expect_error(await client.get(EXPERTS), 422)
    expect_error(await make.client().get(EXPERTS, params={"topic": "x"}), 401)


async def test_the_page_gives_reasons_in_french_and_english(make, session):
    person = await make.user(display_name="Ana Kube")
    person.job_title, person.department = "SRE", "Infra"
    await skill(session, person, "Kubernetes")
    for n in range(2):
        await answered(
            make,
            session,
            asker=await make.user(),
            helper=person,
            question=f"Kubernetes {n} ?",
            answer="Voici",
        )
    await make.post(author=person, body="Un seul post kubernetes")
    hidden = await make.user(display_name="Hidden Kube")
    await make.post(author=hidden, body="kubernetes interne", level=Level.INTERNAL)
    contractor = await make.user(kind="contractor", language="en")
    french = await cookie_client(make, await make.user(language="fr"))
    english = await cookie_client(make, await make.user(language="en"))

    page = (await french.get("/experts", params={"topic": "kubernetes"})).text
    assert 'lang="fr"' in page and f'data-expert="{person.handle}"' in page
    assert "SRE · Infra" in page
    assert "Compétence déclarée\u202f: Kubernetes" in page
    assert "2 réponses acceptées sur kubernetes" in page
    assert "1 publication sur kubernetes" in page
    page = (await english.get("/experts", params={"topic": "kubernetes"})).text
    assert "Declared skill: Kubernetes" in page and "2 accepted answers on kubernetes" in page
    assert "1 post on kubernetes" in page
    # The directory leads there, and a profile's skills do.
    assert 'action="/experts"' in (await english.get("/people")).text
    profile = (await english.get(f"/people/{person.handle}")).text
    assert 'href="/experts?topic=Kubernetes"' in profile
    # Empty states: no topic yet; nobody found; a topic without words.
    assert "data-empty-state" in (await english.get("/experts")).text
    nobody = (await english.get("/experts", params={"topic": "cobol"})).text
    assert "data-empty-state" in nobody and 'href="/search?q=cobol"' in nobody
    assert 'role="alert"' in (await english.get("/experts", params={"topic": "@x"})).text
    # A contractor who knows nobody here sees nobody.
    page = (await (await cookie_client(make, contractor)).get("/experts?topic=kubernetes")).text
    assert "Ana Kube" not in page and "Hidden Kube" not in page and "data-empty-state" in page


async def test_a_revision_counts_only_for_readers_cleared_for_its_level(make, session):
    author = await make.user(clearance="confidential")
    reviser = await make.user(display_name="Reviser", clearance="confidential")
    internal = await make.user()
    cleared = await make.user(clearance="confidential")
    written = await page(session, author, "Vault", reviser=reviser)
    # The page was confidential when the reviser wrote, and lowered since.
    revision = await session.scalar(
        select(WikiRevision).where(WikiRevision.page_id == written.id, WikiRevision.number == 2)
    )
    revision.level = Level.CONFIDENTIAL
    await session.commit()

    seen = await experts(await make.bearer(internal), "vault")
    assert [item["person"]["id"] for item in seen] == [author.id]
    by_cleared = await experts(await make.bearer(cleared), "vault")
    assert {item["person"]["id"]: reasons(item) for item in by_cleared} == {
        author.id: {"wiki_pages": 1},
        reviser.id: {"wiki_pages": 1},
    }
