"""Names and links between wiki pages: slugs (old ones kept to redirect), the
``[[links]]`` of each page, what they resolve to for one reader, and
backlinks — each filtered by the policy, so a link never tells a reader that
a page they may not read exists, nor what it was called before they could.

A slug is not unique per wiki: a page hidden from a writer neither keeps a
title from them nor gives theirs a ``-2``. A slug therefore names, for one
reader, the page they may read that holds it: its current holder before a
page it used to name, then the first to claim it. An old slug answers only
readers cleared for the level the page had while it bore that name."""

import re
import unicodedata
from collections.abc import Sequence
from urllib.parse import quote, urlencode

from sqlalchemy import delete, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import lower_level, readable, readable_level, visible_spaces
from app.db import serialise_on
from app.errors import Conflict, NotFound
from app.i18n import _
from app.markdown import WikiHref, WikiTarget, render, wiki_targets
from app.models import Space, User, WikiLink, WikiPage, WikiSlug
from app.models.wiki import COMPANY_WIKI
from app.services.files.uploads import FileView
from app.services.wiki.attachments import attachment_links

LIVE = WikiPage.deleted_at.is_(None)


def in_wiki(space_id: int | None):
    return WikiPage.space_id.is_(None) if space_id is None else WikiPage.space_id == space_id


# Addresses of the wiki's own screens (/wiki/new, /wiki/deleted, /wiki/pages/<id>):
# a page titled "New" lives at /wiki/new-page.
RESERVED_SLUGS = frozenset({"new", "deleted", "pages"})


def wiki_key(space_id: int | None) -> int:
    return COMPANY_WIKI if space_id is None else space_id


def page_slug(title: str) -> str:
    """Lower-case words joined by hyphens, without accents: "Équipe RH" gives
    "equipe-rh". Letters of other scripts stay ("Привет", "日本語"): were they
    dropped, every such title would be "page", taken by the first of them and
    the target of all their links."""
    decomposed = unicodedata.normalize("NFKD", title.lower())
    letters = unicodedata.normalize(
        "NFC", "".join(char for char in decomposed if not unicodedata.combining(char))
    )
    slug = re.sub(r"[\W_]+", "-", letters).strip("-")[:120].strip("-") or "page"
    return f"{slug}-page" if slug in RESERVED_SLUGS else slug


def wiki_path(space_id: int | None) -> str:
    return "/wiki" if space_id is None else f"/spaces/{space_id}/wiki"


def page_path(space_id: int | None, slug: str) -> str:
    return f"{wiki_path(space_id)}/{quote(slug)}"


def new_page_path(space_id: int | None, title: str) -> str:
    return f"{wiki_path(space_id)}/new?{urlencode({'title': title})}"


async def claim_slug(
    session: AsyncSession, *, viewer: User, page: WikiPage, reuse_taken: bool = False
) -> str:
    """The slug of ``page``'s title, recorded for it at its level. A live page
    of the same title that the viewer may read is a 409, unless
    ``reuse_taken``; a page hidden from them does not count, so the slug never
    depends on what they may not read. Writers of one slug wait for each other,
    so that of two pages created at once under one title, one is refused."""
    wiki, slug = wiki_key(page.space_id), page_slug(page.title)
    await serialise_on(session, f"wiki-slug:{wiki}:{slug}")
    if not reuse_taken:
        holders = await session.execute(
            select(WikiPage.id, WikiPage.title)
            .where(
                in_wiki(page.space_id),
                # A suffixed slug (``-2``...) of the same title: given before slugs
                # stopped being unique. Slugs hold no LIKE wildcard (page_slug).
                or_(WikiPage.slug == slug, WikiPage.slug.like(f"{slug}-%")),
                WikiPage.id != page.id,
                LIVE,
                readable(viewer, WikiPage),
            )
            .order_by(WikiPage.id)
        )
        holder = next((id_ for id_, title in holders.all() if page_slug(title) == slug), None)
        if holder is not None:
            raise Conflict(
                _("A page with this title already exists in this wiki."),
                code="title_taken",
                page_id=holder,
            )
    # A name borne again is claimed again: a page that took it meanwhile keeps it.
    earlier = await session.scalar(
        select(WikiSlug).where(WikiSlug.page_id == page.id, WikiSlug.slug == slug)
    )
    level = page.level
    if earlier is not None:
        level = lower_level(earlier.level, level)
        await session.delete(earlier)
        await session.flush()
    session.add(WikiSlug(wiki=wiki, slug=slug, page_id=page.id, level=level))
    return slug


async def lower_slug_level(session: AsyncSession, page: WikiPage) -> None:
    """The page's level changed: its current name has now been shown at that
    level too, and answers those cleared for it once it is an old name."""
    row = await session.scalar(
        select(WikiSlug).where(WikiSlug.page_id == page.id, WikiSlug.slug == page.slug)
    )
    if row is not None:
        row.level = lower_level(row.level, page.level)


def _answering(viewer: User):
    """A slug row that names a page for ``viewer``: the page's current slug, or
    an old one borne at a level they are cleared for (the page's own rule is
    applied beside it)."""
    return or_(WikiSlug.slug == WikiPage.slug, readable_level(viewer, WikiSlug.level))


async def _holders(
    session: AsyncSession, viewer: User, wanted: set[tuple[int, str]]
) -> dict[tuple[int, str], WikiPage]:
    """For each (wiki, slug), the live page it names for ``viewer``, if any: the
    one whose current slug it is before one it used to name, then the first to
    claim it."""
    if not wanted:
        return {}
    rows = await session.execute(
        select(WikiSlug.wiki, WikiSlug.slug, WikiSlug.id, WikiPage)
        .join(WikiPage, WikiPage.id == WikiSlug.page_id)
        .where(
            # Two flat lists, not an OR per link: a page may hold thousands
            # of links, and SQLite refuses an expression 1,000 deep.
            WikiSlug.wiki.in_({wiki for wiki, _slug in wanted}),
            WikiSlug.slug.in_({slug for _wiki, slug in wanted}),
            LIVE,
            readable(viewer, WikiPage),
            _answering(viewer),
        )
    )
    ranked = sorted(
        rows.all(), key=lambda row: (row.wiki, row.slug, row.WikiPage.slug != row.slug, row.id)
    )
    found: dict[tuple[int, str], WikiPage] = {}
    for row in ranked:
        if (row.wiki, row.slug) in wanted:
            found.setdefault((row.wiki, row.slug), row.WikiPage)
    return found


async def find_by_slug(
    session: AsyncSession, *, viewer: User, space_id: int | None, slug: str
) -> WikiPage:
    """The live page that ``slug`` names for the viewer in this wiki; the caller
    redirects when the slug is an old one. NotFound, like an unknown slug,
    when it names nothing they may read."""
    key = (wiki_key(space_id), slug)
    page = (await _holders(session, viewer, {key})).get(key)
    if page is None:
        raise NotFound()
    return page


async def _spaces_by_slug(session: AsyncSession, viewer: User, slugs: set[str]) -> dict[str, int]:
    """Of the space slugs named by links, those of spaces that exist for the
    viewer; a slug two of them share names the older."""
    if not slugs:
        return {}
    rows = await session.execute(
        select(Space.slug, Space.id)
        .where(Space.slug.in_(slugs), visible_spaces(viewer))
        .order_by(Space.id)
    )
    found: dict[str, int] = {}
    for slug, space_id in rows.all():
        found.setdefault(slug, space_id)  # two spaces they see share it: the first
    return found


async def _link_keys(
    session: AsyncSession, viewer: User, space_id: int | None, body: str
) -> dict[WikiTarget, tuple[int | None, int, str] | None]:
    """Each link's (space id, wiki key, slug), or None for a space that does not
    exist for ``viewer``."""
    targets = wiki_targets(body)
    spaces = await _spaces_by_slug(
        session, viewer, {target.space_slug for target in targets if target.space_slug}
    )
    keys: dict[WikiTarget, tuple[int | None, int, str] | None] = {}
    for target in targets:
        target_space = space_id
        if target.space_slug == WikiTarget.COMPANY:
            target_space = None
        elif target.space_slug is not None:
            if target.space_slug not in spaces:
                keys[target] = None
                continue
            target_space = spaces[target.space_slug]
        keys[target] = (target_space, wiki_key(target_space), page_slug(target.title))
    return keys


async def record_links(session: AsyncSession, *, viewer: User, page: WikiPage) -> None:
    """The links of the page's current text, for backlinks. A link into a space
    its author cannot see is not recorded: it leads nowhere for anyone."""
    await session.execute(delete(WikiLink).where(WikiLink.source_id == page.id))
    keys = await _link_keys(session, viewer, page.space_id, page.body)
    rows = {(key[1], key[2]) for key in keys.values() if key is not None}
    if rows:
        await session.execute(
            insert(WikiLink),
            [{"source_id": page.id, "target_wiki": w, "target_slug": s} for w, s in sorted(rows)],
        )


async def render_body(
    session: AsyncSession,
    *,
    viewer: User,
    space_id: int | None,
    body: str,
    files: Sequence[FileView] = (),
) -> str:
    """The HTML of a wiki text for this viewer: each link to the page it names
    if the viewer may read it, otherwise red, to "create this page"; each
    ``attachment:`` name to the file of that name among ``files`` (those of the
    revision shown), otherwise plain text."""
    keys = await _link_keys(session, viewer, space_id, body)
    wanted = {(wiki, slug) for _space, wiki, slug in filter(None, keys.values())}
    found = {key: page.slug for key, page in (await _holders(session, viewer, wanted)).items()}

    def resolve(target: WikiTarget) -> WikiHref:
        key = keys.get(target)
        if key is None:
            return WikiHref(href="#", missing=True)
        target_space, wiki, slug = key
        if (wiki, slug) in found:
            return WikiHref(href=page_path(target_space, found[wiki, slug]), missing=False)
        return WikiHref(href=new_page_path(target_space, target.title), missing=True)

    return render(body, wiki=resolve, attachment=attachment_links(files).get).html


async def backlinks(session: AsyncSession, *, viewer: User, page: WikiPage) -> list[WikiPage]:
    """The live pages the viewer may read that link to ``page`` by a slug that
    names it for them."""
    slugs = await session.scalars(select(WikiSlug.slug).where(WikiSlug.page_id == page.id))
    wiki = wiki_key(page.space_id)
    holders = await _holders(session, viewer, {(wiki, slug) for slug in slugs})
    naming = [slug for (_wiki, slug), holder in holders.items() if holder.id == page.id]
    if not naming:
        return []
    return list(
        await session.scalars(
            select(WikiPage)
            .join(WikiLink, WikiLink.source_id == WikiPage.id)
            .where(
                WikiLink.target_wiki == wiki,
                WikiLink.target_slug.in_(naming),
                WikiPage.id != page.id,
                LIVE,
                readable(viewer, WikiPage),
            )
            .distinct()
            .order_by(WikiPage.title, WikiPage.id)
        )
    )
