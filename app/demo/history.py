"""Five weeks of a working network, generated from the phrase banks with a
seeded random: the same plan every time for the same ``now`` (tests rely on
it), on weekdays and working hours mostly, by people who may write where they
write, at levels the place and their clearance allow."""

import random
from datetime import datetime, time, timedelta

from app.access import ItemRef, Reader, can_read, default_level_for, lower_level
from app.demo import phrases
from app.demo.people import COLLEAGUES, DEMO_PEOPLE, DEMO_SPACES, DemoSpace, Person
from app.demo.plan import (
    Plan,
    PlannedAnswer,
    PlannedComment,
    PlannedConfirmation,
    PlannedPost,
    PlannedReaction,
    PlannedVote,
)
from app.levels import AccountKind, Level, Role
from app.models import PostKind, ReactionKind, SpaceRole, Visibility

DAYS = 35
POSTS = 420
# Where posts go (None: the company stream), by weight.
PLACES = {
    None: 26,
    "projet-atlas": 14,
    "migration-erp": 9,
    "labo-innovation": 7,
    "equipe-commerciale": 7,
    "entraide-informatique": 8,
    "qualite-securite": 6,
    "communaute-anciens": 6,
    "equipe-rh": 6,
    "comite-de-direction": 5,
    "velo-mobilites": 4,
}
REACTIONS = {
    ReactionKind.LIKE: 10,
    ReactionKind.CELEBRATE: 4,
    ReactionKind.INSIGHTFUL: 3,
    ReactionKind.SUPPORT: 2,
    ReactionKind.CURIOUS: 1,
}
# Posts in each place get a deeper level now and then, when the author may.
RAISED = {"comite-de-direction": 0.25, "projet-atlas": 0.2, "equipe-rh": 0.15, None: 0.08}
PUBLIC_IN_STREAM = 0.2


class History:
    """The generator's state: who is who, who reads and writes where."""

    def __init__(self, now: datetime, seed: int):
        self.rng = random.Random(seed)  # noqa: S311 (content, not secrets)
        self.now = now
        self.people = {person.handle: person for person in DEMO_PEOPLE + COLLEAGUES}
        self.spaces = {space.slug: space for space in DEMO_SPACES}
        numbers = {handle: number for number, handle in enumerate(self.people, start=1)}
        self.numbers = numbers
        self.readers = {
            handle: Reader(
                user_id=numbers[handle],
                kind=person.kind,
                clearance=person.clearance,
                is_active=True,
                member_space_ids=frozenset(
                    number
                    for number, space in enumerate(DEMO_SPACES, start=1)
                    if handle in space.roles
                ),
            )
            for handle, person in self.people.items()
        }
        self.space_numbers = {space.slug: n for n, space in enumerate(DEMO_SPACES, start=1)}
        self.plan = Plan()
        self._able: dict[tuple, list[str]] = {}

    # --- who -----------------------------------------------------------------

    def writers(self, slug: str | None) -> list[str]:
        """Who may write there (members; any employee in an open space; anyone
        in the company stream), members first in the draw by being repeated."""
        if slug is None:
            return [h for h, p in self.people.items() if p.kind is AccountKind.EMPLOYEE] * 4 + [
                h for h, p in self.people.items() if p.kind is not AccountKind.EMPLOYEE
            ]
        space = self.spaces[slug]
        members = list(space.roles) * 4
        if space.visibility is Visibility.OPEN:
            members += [h for h, p in self.people.items() if p.kind is AccountKind.EMPLOYEE]
        return members

    def item(self, post: PlannedPost) -> ItemRef:
        space = self.spaces[post.space] if post.space else None
        return ItemRef(
            space_id=self.space_numbers[post.space] if post.space else None,
            space_visibility=space.visibility if space else None,
            level=post.level,
            author_id=self.numbers[post.author],
            audience=None,
        )

    def audience(self, post: PlannedPost, exclude: set[str]) -> list[str]:
        """Who may read the post and write under it, distinct, in a random order."""
        key = (post.space, post.level)
        if key not in self._able:
            item = self.item(post)
            self._able[key] = sorted(
                {h for h in self.writers(post.space) if can_read(self.readers[h], item)}
            )
        able = [h for h in self._able[key] if h not in exclude]
        self.rng.shuffle(able)
        return able

    def mentionable(self, post: PlannedPost, writer: str) -> list[str]:
        """Readers of the post whom the writer surely may know of: anyone for an
        employee, their spaces' members for an external."""
        known = None
        if self.people[writer].kind is not AccountKind.EMPLOYEE:
            known = {h for s in self.spaces.values() if writer in s.roles for h in s.roles}
        return [h for h in self.audience(post, {writer}) if known is None or h in known]

    # --- what ----------------------------------------------------------------

    def fill(self, template: str, post: PlannedPost | None, writer: str) -> str:
        rng = self.rng
        who = ""
        if "{who}" in template:
            candidates = self.mentionable(post, writer) if post else []
            who = f"@{candidates[0]}" if candidates else "l'équipe"
        return template.format(
            who=who,
            site=rng.choice(phrases.SITES),
            day=rng.choice(phrases.DAYS),
            time=rng.choice(phrases.TIMES),
            n=rng.randint(2, 95),
            small=rng.randint(1, 9),
        )

    def level(self, author: Person, slug: str | None, kind: PostKind) -> Level:
        space: DemoSpace | None = self.spaces[slug] if slug else None
        level = default_level_for(author, space.default_level if space else Level.INTERNAL)
        roll = self.rng.random()
        if slug is None and level is Level.INTERNAL and roll < PUBLIC_IN_STREAM:
            return Level.PUBLIC
        if (
            kind is PostKind.ORDINARY
            and level is not Level.SECRET
            and roll > 1 - RAISED.get(slug, 0.05)
        ):
            levels = list(Level)  # from public to secret
            deeper = levels[levels.index(level) + 1]
            # Secret only in the board's space; nobody above their clearance.
            if lower_level(deeper, author.clearance) is deeper and (
                deeper is not Level.SECRET or slug == "comite-de-direction"
            ):
                return deeper
        return level

    def when(self) -> datetime:
        """A working moment of the last weeks (a weekend now and then), before now."""
        rng = self.rng
        while True:
            day = (self.now - timedelta(days=rng.randint(1, DAYS))).date()
            if day.weekday() >= 5 and rng.random() > 0.05:
                continue
            minute = rng.randint(7 * 60 + 15, 17 * 60 + 45)  # 8 h 15 to 18 h 45 in Paris
            at = datetime.combine(day, time(minute // 60, minute % 60), self.now.tzinfo)
            if at < self.now - timedelta(hours=2):
                return at

    def later(self, at: datetime, mean_hours: float) -> datetime:
        """A moment after ``at``, not after the history's end."""
        end = self.now - timedelta(hours=1)
        delay = timedelta(minutes=3 + int(self.rng.expovariate(1 / (mean_hours * 60))))
        return min(at + delay, end - timedelta(seconds=self.rng.randint(1, 3000)))

    # --- the history ---------------------------------------------------------

    def posts(self, count: int) -> None:
        rng = self.rng
        places = list(PLACES)
        moments = sorted(self.when() for _ in range(count))
        for at in moments:
            slug = rng.choices(places, weights=list(PLACES.values()))[0]
            roll = rng.random()
            if roll < 0.03 and self._share(at):
                continue
            kind = PostKind.ORDINARY
            if roll < 0.10 and phrases.QUESTIONS.get(slug):
                kind = PostKind.QUESTION
            elif roll < 0.15 and phrases.POLLS.get(slug):
                kind = PostKind.POLL
            elif roll < 0.18 and phrases.ANNOUNCEMENTS.get(slug):
                kind = PostKind.ANNOUNCEMENT
            author = self._author(slug, kind)
            level = self.level(self.people[author], slug, kind)
            draft = PlannedPost(author=author, body="", at=at, space=slug, level=level, kind=kind)
            poll = None
            if kind is PostKind.QUESTION:
                template = rng.choice(phrases.QUESTIONS[slug])[0]
            elif kind is PostKind.POLL:
                template, options = rng.choice(phrases.POLLS[slug])
                poll = tuple(options)
            elif kind is PostKind.ANNOUNCEMENT:
                template = rng.choice(phrases.ANNOUNCEMENTS[slug])
            else:
                template = rng.choice(phrases.POSTS[slug])
            body = self.fill(template, draft, author)
            self.plan.posts.append(PlannedPost(author, body, at, slug, level, kind, poll=poll))

    def _author(self, slug: str | None, kind: PostKind) -> str:
        if kind is PostKind.ANNOUNCEMENT:
            if slug is None:
                return self.rng.choice([h for h, p in self.people.items() if p.role is Role.ADMIN])
            space = self.spaces[slug]
            return self.rng.choice([h for h, r in space.roles.items() if r is not SpaceRole.MEMBER])
        writers = self.writers(slug)
        if kind is not PostKind.ORDINARY:  # externals ask and poll in their own spaces only
            writers = [h for h in writers if self.people[h].kind is AccountKind.EMPLOYEE]
        return self.rng.choice(writers)

    def _share(self, at: datetime) -> bool:
        """Shares an earlier company post in the company stream, at its level:
        nobody new may read it there."""
        earlier = [
            index
            for index, post in enumerate(self.plan.posts)
            if post.space is None and post.shared_from is None and post.kind is PostKind.ORDINARY
        ]
        if not earlier:
            return False
        index = self.rng.choice(earlier[-30:])
        original = self.plan.posts[index]
        sharers = self.audience(original, {original.author})
        sharers = [h for h in sharers if self.people[h].kind is AccountKind.EMPLOYEE]
        if not sharers:
            return False
        body = self.fill(self.rng.choice(phrases.SHARES), None, sharers[0])
        self.plan.posts.append(
            PlannedPost(sharers[0], body, at, None, original.level, shared_from=index)
        )
        return True

    def around(self, index: int, post: PlannedPost) -> list[PlannedComment]:
        rng = self.rng
        comments: list[PlannedComment] = []
        count = rng.choices([0, 1, 2, 3, 4, 6], weights=[22, 26, 20, 15, 10, 7])[0]
        if post.kind is PostKind.QUESTION:
            count = max(count, 2)
        people = self.audience(post, set())
        if people and people[0] == post.author:  # a question is answered by someone else
            people.append(people.pop(0))
        top: list[int] = []
        at = post.at
        for number in range(min(count, len(people))):
            author = people[number]
            at = self.later(at, 3)
            if post.kind is PostKind.QUESTION and number == 0 and author != post.author:
                answer = dict(phrases.QUESTIONS[post.space])[post.body]
                comments.append(PlannedComment(index, author, answer, at))
                top.append(len(comments) - 1)
                continue
            replying = [c for c in top if comments[c].author != author]
            if replying and rng.random() < 0.3:
                body = self.fill(rng.choice(phrases.REPLIES), post, author)
                comments.append(
                    PlannedComment(index, author, body, at, parent=rng.choice(replying))
                )
            else:
                body = self.fill(rng.choice(phrases.COMMENTS), post, author)
                comments.append(PlannedComment(index, author, body, at))
                top.append(len(comments) - 1)
        return comments

    def comments(self) -> None:
        """Comments for every post, then numbered in time order (their ids
        follow it); an accepted answer for most questions."""
        # Each comment with the position of its post's first one, so that a
        # reply finds its parent once all are sorted by time.
        drafted: list[tuple[int, PlannedComment]] = []
        for index, post in enumerate(self.plan.posts):
            first = len(drafted)
            drafted += [(first, comment) for comment in self.around(index, post)]
        order = sorted(range(len(drafted)), key=lambda i: drafted[i][1].at)
        position = {old: new for new, old in enumerate(order)}
        for old in order:
            first, comment = drafted[old]
            parent = None if comment.parent is None else position[first + comment.parent]
            self.plan.comments.append(
                PlannedComment(comment.post, comment.author, comment.body, comment.at, parent)
            )
        for number, comment in enumerate(self.plan.comments):
            post = self.plan.posts[comment.post]
            if (
                post.kind is PostKind.QUESTION
                and comment.parent is None
                and comment.author != post.author
                and self.rng.random() < 0.75
                and not any(a.post == comment.post for a in self.plan.answers)
            ):
                self.plan.answers.append(
                    PlannedAnswer(comment.post, number, self.later(comment.at, 4))
                )

    def reactions_and_votes(self) -> None:
        rng = self.rng
        for index, post in enumerate(self.plan.posts):
            people = self.audience(post, {post.author})
            count = rng.choices([0, 1, 2, 3, 5, 8, 12], weights=[14, 18, 18, 16, 14, 12, 8])[0]
            for person in people[:count]:
                kind = rng.choices(list(REACTIONS), weights=list(REACTIONS.values()))[0]
                self.plan.reactions.append(
                    PlannedReaction(index, person, kind, self.later(post.at, 6))
                )
            if post.kind is PostKind.POLL:
                favourite = rng.randrange(len(post.poll))
                for person in people[: rng.randint(3, 14)]:
                    option = favourite if rng.random() < 0.5 else rng.randrange(len(post.poll))
                    self.plan.votes.append(
                        PlannedVote(index, person, option, self.later(post.at, 8))
                    )
            if post.kind is PostKind.ANNOUNCEMENT:
                share = rng.uniform(0.3, 0.8)
                for person in people[: int(len(people) * share)]:
                    self.plan.confirmations.append(
                        PlannedConfirmation(index, person, self.later(post.at, 10))
                    )


def plan_history(now: datetime, seed: int = 2026, posts: int = POSTS) -> Plan:
    history = History(now, seed)
    history.posts(posts)
    history.comments()
    history.reactions_and_votes()
    return history.plan
