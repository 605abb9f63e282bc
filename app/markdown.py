"""Markdown to safe HTML, with @mentions and #hashtags as links, and in wiki
pages ``[[Page title]]``, ``[[space-slug:Page title|label]]`` and
``[[:Company wiki page]]`` links, and ``![caption](attachment:plan.png)`` (or
``[text](attachment:plan.pdf)``) for a file the page's revision shows.

markdown-it renders with raw HTML disabled and a bounded nesting depth; nh3
then sanitises the result against an allow-list, so no script, style, event
attribute or ``javascript:`` URL from a user ever reaches a page.
"""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, unquote

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

MENTION = re.compile(r"(?<![\w@/])@([A-Za-z0-9][A-Za-z0-9_.-]{1,39})")
# What a tag may be, after its "#": also checked where one is followed by name.
HASHTAG_NAME = re.compile(r"\w[\w-]{0,49}")
HASHTAG = re.compile(rf"(?<![\w#&/])#({HASHTAG_NAME.pattern})")
TOKEN = re.compile(f"{MENTION.pattern}|{HASHTAG.pattern}")
WIKILINK = re.compile(r"\[\[([^\[\]\n|]{1,200})(?:\|([^\[\]\n]{1,200}))?\]\]")
WIKI_SPACE = re.compile(r"([a-z0-9][a-z0-9-]{0,79}):(.+)")
ATTACHMENT = "attachment:"

ALLOWED_TAGS = {
    "a", "p", "br", "hr", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "img", "table", "thead", "tbody", "tr", "th", "td",
    "del", "s",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
}


def normalise_hashtag(tag: str) -> str:
    """#Équipe and #équipe are one tag: NFC and lower case."""
    return unicodedata.normalize("NFC", tag).lower()


@dataclass(frozen=True)
class WikiTarget:
    """Where a ``[[link]]`` points: a page title in a space's wiki (by the
    space's slug: ``[[equipe-rh:Page]]``), in the company wiki (a leading colon:
    ``[[:Page]]``) or, with neither, in the wiki of the page that links."""

    COMPANY = ""  # the space_slug of a link into the company wiki

    space_slug: str | None
    title: str

    @classmethod
    def parse(cls, text: str) -> "WikiTarget":
        text = text.strip()
        if text.startswith(":"):
            return cls(cls.COMPANY, text[1:].strip())
        match = WIKI_SPACE.fullmatch(text)
        if match and match.group(2).strip():
            return cls(match.group(1), match.group(2).strip())
        return cls(None, text)


@dataclass(frozen=True)
class WikiHref:
    href: str
    missing: bool


@dataclass(frozen=True)
class AttachmentHref:
    """Where an ``attachment:`` name leads: ``href``, the file (its access-checked
    download); ``image``, what an image shows in the text (its preview), None
    for a file that is no image (shown as a link to it instead)."""

    href: str
    image: str | None


@dataclass(frozen=True)
class Rendered:
    html: str
    mentions: frozenset[str]  # handles, lower-cased
    hashtags: frozenset[str]  # normalised tags


def _link_tokens(text: str, found: dict[str, set[str]]) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    for match in TOKEN.finditer(text):
        if match.start() > position:
            tokens.append(_text(text[position : match.start()]))
        handle, tag = match.group(1), match.group(2)
        if handle:
            found["mentions"].add(handle.lower())
            href, css, label = f"/people/{quote(handle.lower())}", "mention", f"@{handle}"
        else:
            found["hashtags"].add(normalise_hashtag(tag))
            href, css, label = f"/hashtags/{quote(normalise_hashtag(tag))}", "hashtag", f"#{tag}"
        link_open = Token("link_open", "a", 1, attrs={"href": href, "class": css})
        tokens += [link_open, _text(label), Token("link_close", "a", -1)]
        position = match.end()
    if position < len(text):
        tokens.append(_text(text[position:]))
    return tokens


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _mentions_and_hashtags(state) -> None:
    """A core rule: turns @handle and #tag in plain text (not in code, not inside
    an existing link) into links, and records them."""
    found = state.env.setdefault("found", {"mentions": set(), "hashtags": set()})
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children, depth = [], 0
        for child in block.children:
            if child.type == "link_open":
                depth += 1
            elif child.type == "link_close":
                depth -= 1
            if child.type == "text" and depth == 0 and TOKEN.search(child.content):
                children.extend(_link_tokens(child.content, found))
            else:
                children.append(child)
        block.children = children


def _attachment_name(url: str | None) -> str | None:
    if url is None or url[: len(ATTACHMENT)].lower() != ATTACHMENT:
        return None
    return unquote(url[len(ATTACHMENT) :])


def _link(href: str, inner: list[Token]) -> list[Token]:
    return [Token("link_open", "a", 1, attrs={"href": href}), *inner, Token("link_close", "a", -1)]


def _plain(tokens: list[Token]) -> str:
    """The words inline tokens show: text and code, an image's caption, a line
    break as a space; no markup."""
    return "".join(
        token.content
        if token.type in ("text", "code_inline")
        else " "
        if token.type in ("softbreak", "hardbreak")
        else _plain(token.children or [])
        for token in tokens
    )


def _attached(children: list[Token], resolve: Callable[[str], AttachmentHref | None]):
    """An inline's tokens with each ``attachment:`` link and image resolved: to
    the file of that name, an image shown by its preview and linked to the file
    (unless already in a link); a name that names no file leaves plain text (the
    link's text, the image's caption or else the name), never a dead address."""
    found: list[Token] = []
    # One entry per open link: whether it was dropped (links do not nest).
    links: list[bool] = []
    for token in children:
        if token.type == "link_open":
            name = _attachment_name(token.attrGet("href"))
            target = resolve(name) if name is not None else None
            if name is not None and target is not None:
                token.attrSet("href", target.href)
            links.append(name is not None and target is None)
            if links[-1]:
                continue
        elif token.type == "link_close" and links:
            if links.pop():
                continue
        elif token.type == "image" and (name := _attachment_name(token.attrGet("src"))) is not None:
            target = resolve(name)
            caption = _plain(token.children or []) or name
            in_link = bool(links) and not links[-1]
            if target is None:
                found.append(_text(caption))
            elif target.image is None:
                found += [_text(caption)] if in_link else _link(target.href, [_text(caption)])
            else:
                token.attrSet("src", target.image)
                found += [token] if in_link else _link(target.href, [token])
            continue
        found.append(token)
    return found


def _attachments(state) -> None:
    """A core rule, before @mentions: ``attachment:`` names resolved by
    ``env["attachment"]`` (the files of the revision shown); without it, none is
    known. No other scheme reaches the sanitiser's allow-list."""
    resolve = state.env.get("attachment") or (lambda name: None)
    for block in state.tokens:
        if block.type == "inline" and block.children:
            block.children = _attached(block.children, resolve)


def _wikilink(state, silent: bool) -> bool:
    """An inline rule, only where ``env["wiki"]`` resolves targets: the resolver
    (per reader) says where each link goes and whether the page exists for them."""
    resolve = state.env.get("wiki")
    if resolve is None or not state.src.startswith("[[", state.pos):
        return False
    match = WIKILINK.match(state.src, state.pos)
    if match is None:
        return False
    if not silent:
        target = WikiTarget.parse(match.group(1))
        if target.title:
            found: WikiHref = resolve(target)
            css = "wikilink missing" if found.missing else "wikilink"
            state.push("link_open", "a", 1).attrs = {"href": found.href, "class": css}
            label = match.group(2) or match.group(1).strip().lstrip(":")
            state.push("text", "", 0).content = label.strip()
            state.push("link_close", "a", -1)
        else:
            state.push("text", "", 0).content = match.group(0)
    state.pos = match.end()
    return True


def wiki_targets(body: str) -> list[WikiTarget]:
    """The ``[[links]]`` of a body, in order, without duplicates (code spans and
    blocks included: a cheap over-approximation, only used for backlinks)."""
    targets = [WikiTarget.parse(match.group(1)) for match in WIKILINK.finditer(body)]
    return [target for target in dict.fromkeys(targets) if target.title]


_markdown = MarkdownIt("commonmark", {"html": False, "maxNesting": 20, "linkify": False})
_markdown.enable("table").enable("strikethrough")
_markdown.core.ruler.push("attachments", _attachments)
_markdown.core.ruler.push("mentions_and_hashtags", _mentions_and_hashtags)
_markdown.inline.ruler.before("link", "wikilink", _wikilink)


def plain_text(body: str) -> str:
    """What a reader of ``body`` reads, as one line of text without Markdown
    (search snippets): parsed as ``render`` parses it, so tables give their
    cells, links and images their text, ``[[wiki links]]`` their label as the
    page shows it, code its content; HTML typed in the text stays text, for
    the template to escape."""
    # Any target will do: only the link's label is kept.
    env: dict = {"wiki": lambda target: WikiHref(href="", missing=False)}
    words = []
    for token in _markdown.parse(unicodedata.normalize("NFC", body), env):
        if token.type == "inline":
            words.append(_plain(token.children or []))
        elif token.type in ("fence", "code_block"):
            words.append(token.content)
    return " ".join(" ".join(words).split())


def _sanitised(html: str, **options) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener",
        **options,
    )


def with_site_links(html: str, base: str) -> str:
    """Sanitised HTML whose links to Ruche's own pages (a mention, an
    attachment: ``/people/alice``) start with ``base``: a mail is read outside
    Ruche, where a path alone leads nowhere. Read again by the sanitiser,
    which hands it each link."""

    def absolute(_tag: str, attribute: str, value: str) -> str:
        if attribute in ("href", "src") and value.startswith("/") and not value.startswith("//"):
            return base + value
        return value

    return _sanitised(html, attribute_filter=absolute)


def render(
    body: str,
    *,
    wiki: Callable[[WikiTarget], WikiHref] | None = None,
    attachment: Callable[[str], AttachmentHref | None] | None = None,
) -> Rendered:
    """``wiki``: for a wiki page, what each ``[[link]]`` resolves to for its
    reader; ``attachment``: what each ``attachment:`` name does."""
    env: dict = {"wiki": wiki, "attachment": attachment}
    # Composed first: a decomposed accent (as some keyboards and pastes give) is a
    # combining mark, which the patterns would not count as part of a #tag.
    html = _markdown.render(unicodedata.normalize("NFC", body), env)
    safe = _sanitised(html)
    found = env.get("found", {"mentions": set(), "hashtags": set()})
    return Rendered(
        html=safe, mentions=frozenset(found["mentions"]), hashtags=frozenset(found["hashtags"])
    )
