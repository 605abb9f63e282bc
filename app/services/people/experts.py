"""Who knows about X: people ranked by what they declared and what they wrote
on a topic, counting only what the viewer may read.

The signals, each with its weight (the score is the sum of weight × count):

- a declared skill matching the topic (its folded name equal to the topic, or
  holding every word of it): **8**, once — a claim the person makes, worth a
  few contributions but not more than a record of answering;
- an accepted answer the person wrote on a question about the topic (the
  question or the answer matches it): **5** each — a colleague said it solved
  their problem;
- a wiki page about the topic the person created or revised (in a revision the
  viewer is cleared for): **3** each — lasting, curated knowledge;
- a post about the topic they wrote: **2** each;
- a comment about the topic they wrote: **1** each.

Matching content is found by the search engine (``app.search.engine.statement``),
so the policy is inside each query: a post, comment or page the viewer may not
read adds nothing, and a person is listed only when active and known to the
viewer (``access.knowable_people``). To stay fast on a large network, content
is read through one window: the newest ``WINDOW`` posts, comments and pages
together that match and that the viewer may read; the counts are of those.
Ties go to the name (folded), then the account id. docs/people.md tells more.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import knowable_people, readable_level
from app.db import plan_statements
from app.errors import Invalid
from app.i18n import _
from app.models import (
    Comment,
    Post,
    SearchKind,
    User,
    WikiPage,
    WikiRevision,
)
from app.models.user import ProfileTag, TagKind
from app.search.engine import Filters, readers_scopes, statement
from app.search.query import Phrase, Query, Word, parse
from app.search.text import fold, words

MAX_TOPIC = 100
# The newest matches (posts, comments and pages together) read for the counts.
WINDOW = 500
# Candidates checked at a time against whom the viewer may know of.
KNOWN_BATCH = 50
WRITTEN = (SearchKind.POST, SearchKind.COMMENT, SearchKind.PAGE)


class ReasonKind(StrEnum):
    SKILL = "skill"
    ACCEPTED_ANSWERS = "accepted_answers"
    WIKI_PAGES = "wiki_pages"
    POSTS = "posts"
    COMMENTS = "comments"


WEIGHTS = {
    ReasonKind.SKILL: 8,
    ReasonKind.ACCEPTED_ANSWERS: 5,
    ReasonKind.WIKI_PAGES: 3,
    ReasonKind.POSTS: 2,
    ReasonKind.COMMENTS: 1,
}


@dataclass(frozen=True)
class Reason:
    kind: ReasonKind
    count: int
    topic: str
    # The skill as the person wrote it (kind SKILL only).
    skill: str | None = None


@dataclass
class Expert:
    person: User
    score: int
    reasons: list[Reason] = field(default_factory=list)


@dataclass(frozen=True)
class Topic:
    """The topic as shown, its query (a #tag: its words, which every post
    carrying the tag holds), and its folded words."""

    shown: str
    query: Query
    words: tuple[str, ...]


def parse_topic(text: str) -> Topic:
    """A word, words, a "phrase" or a #tag; 422 ``empty_topic`` when it holds
    none, ``topic_too_long`` past ``MAX_TOPIC`` characters."""
    shown = " ".join(text.split())
    if len(shown) > MAX_TOPIC:
        raise Invalid(
            _("The topic is too long (%(most)s characters at most).") % {"most": MAX_TOPIC},
            code="topic_too_long",
        )
    parsed = parse(shown)
    tag_terms = [
        Word(found[0]) if len(found) == 1 else Phrase(tuple(found))
        for found in (words(tag) for tag in parsed.hashtags)
        if found
    ]
    text_terms = [*parsed.terms, *tag_terms]
    if not text_terms:
        raise Invalid(_("Name a topic: a word, a phrase or a #tag."), code="empty_topic")
    folded = tuple(
        word
        for term in text_terms
        for word in ((term.word,) if isinstance(term, Word) else term.words)
    )
    return Topic(
        shown=shown,
        query=Query(terms=text_terms),
        words=folded,
    )


async def _window(session: AsyncSession, viewer: User, topic: Topic) -> dict[SearchKind, list]:
    """The ids of the newest ``WINDOW`` posts, comments and wiki pages matching
    the topic that the viewer may read, by kind: one walk of the index by the
    search engine's policy-checked statement (three walks, one per kind, would
    each read the whole index for a kind with few matches)."""
    found: dict[SearchKind, list] = {kind: [] for kind in WRITTEN}
    rows = await session.execute(
        statement(
            viewer,
            topic.query,
            Filters(types=frozenset(WRITTEN)),
            dialect=session.bind.dialect.name,
            band=None,
            limit=WINDOW,
            columns=lambda entries: (entries.c.kind, entries.c.item_id),
            scopes=await readers_scopes(session, viewer),
        )
    )
    for kind, item_id in rows:
        found[SearchKind(kind)].append(item_id)
    return found


async def _skills(session: AsyncSession, topic: Topic) -> dict[int, str]:
    """Active people with a skill matching the topic: {id: the skill's name}.
    The SQL narrows by substrings; the words decide. Whom the viewer may know
    of is decided once for every candidate, in ``who_knows``."""
    key = fold(topic.shown.lstrip("#"))
    wanted = set(topic.words)
    rows = await session.execute(
        select(ProfileTag.user_id, ProfileTag.key, ProfileTag.name)
        .join(User, User.id == ProfileTag.user_id)
        .where(
            ProfileTag.kind == TagKind.SKILL,
            and_(*(ProfileTag.key.contains(word, autoescape=True) for word in wanted))
            | (ProfileTag.key == key),
            User.is_active.is_(True),
        )
        .order_by(ProfileTag.user_id, ProfileTag.key)
    )
    found: dict[int, str] = {}
    for user_id, tag_key, name in rows:
        if tag_key == key or wanted <= set(words(name)):
            found.setdefault(user_id, name)
    return found


async def _counted(session: AsyncSession, rows) -> Counter:
    """{author: distinct items} of (author id, item id) rows."""
    by_author: dict[int, set[int]] = defaultdict(set)
    for author_id, item_id in await session.execute(rows):
        if author_id is not None:
            by_author[author_id].add(item_id)
    return Counter({author: len(items) for author, items in by_author.items()})


async def _contributions(
    session: AsyncSession, viewer: User, topic: Topic
) -> dict[ReasonKind, Counter]:
    """What each author wrote on the topic, among the windows of readable matches."""
    window = await _window(session, viewer, topic)
    posts, comments, pages = (window[kind] for kind in WRITTEN)
    accepted_of_matching_questions = select(Comment.author_id, Comment.id).where(
        Comment.id.in_(select(Post.accepted_comment_id).where(Post.id.in_(posts))),
        Comment.deleted_at.is_(None),
    )
    matching_accepted = select(Comment.author_id, Comment.id).where(
        Comment.id.in_(comments),
        Comment.id.in_(select(Post.accepted_comment_id).where(Post.id == Comment.post_id)),
    )
    page_authors = select(WikiPage.author_id, WikiPage.id).where(WikiPage.id.in_(pages))
    page_revisers = select(WikiRevision.author_id, WikiRevision.page_id).where(
        WikiRevision.page_id.in_(pages), readable_level(viewer, WikiRevision.level)
    )
    return {
        ReasonKind.POSTS: await _counted(
            session, select(Post.author_id, Post.id).where(Post.id.in_(posts))
        ),
        ReasonKind.COMMENTS: await _counted(
            session, select(Comment.author_id, Comment.id).where(Comment.id.in_(comments))
        ),
        ReasonKind.ACCEPTED_ANSWERS: await _counted(
            session, accepted_of_matching_questions.union(matching_accepted)
        ),
        ReasonKind.WIKI_PAGES: await _counted(session, page_authors.union(page_revisers)),
    }


def _reasons(person_id: int, topic: Topic, skills: dict, written: dict) -> list[Reason]:
    found = []
    if person_id in skills:
        found.append(Reason(ReasonKind.SKILL, 1, topic.shown, skills[person_id]))
    found.extend(
        Reason(kind, counts[person_id], topic.shown)
        for kind, counts in written.items()
        if counts[person_id]
    )
    return sorted(found, key=lambda reason: list(WEIGHTS).index(reason.kind))


async def who_knows(session: AsyncSession, *, viewer: User, topic: str, limit: int) -> list[Expert]:
    """The ``limit`` people who know most about ``topic`` as far as the viewer
    may tell, best first, each with the reasons of their score. Whom the viewer
    may know of is asked of the best candidates first, a batch at a time: for
    an external the clause costs a walk of what they may read, so it is run on
    a few ids rather than on every holder of a common skill."""
    parsed = parse_topic(topic)
    # A plan for each topic's own words: a generic plan walks the whole index
    # where a rare word reads its few matches (1.3 s against 40 ms at 1M posts).
    await plan_statements(session, "force_custom_plan")
    skills = await _skills(session, parsed)
    written = await _contributions(session, viewer, parsed)
    candidates = set(skills).union(*(counts.keys() for counts in written.values()))
    if not candidates:
        return []
    names = dict(
        (
            await session.execute(
                select(User.id, User.display_name).where(
                    User.id.in_(candidates), User.is_active.is_(True)
                )
            )
        ).all()
    )
    reasons = {person_id: _reasons(person_id, parsed, skills, written) for person_id in names}
    scores = {
        person_id: sum(WEIGHTS[reason.kind] * reason.count for reason in found)
        for person_id, found in reasons.items()
    }
    ranked = sorted(
        names, key=lambda person_id: (-scores[person_id], fold(names[person_id]), person_id)
    )
    experts: list[Expert] = []
    batch = max(limit, KNOWN_BATCH)
    for start in range(0, len(ranked), batch):
        wanted = ranked[start : start + batch]
        known = {
            person.id: person
            for person in await session.scalars(
                select(User).where(User.id.in_(wanted), knowable_people(viewer))
            )
        }
        experts.extend(
            Expert(known[person_id], scores[person_id], reasons[person_id])
            for person_id in wanted
            if person_id in known
        )
        if len(experts) >= limit:
            break
    return experts[:limit]
