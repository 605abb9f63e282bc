"""No template shows a person words that skip translation.

Each template is parsed with Jinja's parser; its literal text (TemplateData), with
every expression and tag replaced by a placeholder, is read as HTML. Text a person
reads (element text, and the placeholder, title, aria-label and alt attributes, and
a button's value) must hold no letter: words come from gettext. Code samples,
scripts and styles are not prose; the brand is a name.
"""

import re
from functools import cache
from html.parser import HTMLParser

import pytest
from jinja2 import nodes

from app.web.pages import TEMPLATES_DIR, Pages

PLACEHOLDER = "\x00"
# Words that are the same in every language.
ALLOWED_WORDS = {"Ruche"}
SHOWN_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt"}
NOT_PROSE = {"script", "style", "code", "pre"}
LETTER = re.compile(r"[^\W\d_]+")
# A gettext call's output followed by a colon, semicolon, ! or ?: the mark belongs
# in the message, where a French translation spaces it.
MARK_AFTER_MESSAGE = re.compile(r"^[:;!?]")
ATTRIBUTE = re.compile(r"[\w:-]+=\"[^\"]*\"")
# Paths, file names and identifiers (/api/openapi.json, account.offboarded).
# A boolean attribute a macro prints inside a tag (``{% if first %} autofocus{% endif %}``).
BOOLEAN_ATTRIBUTES = {"autofocus", "checked", "disabled", "hidden", "open", "required", "selected"}
CODE = re.compile(r"^[\w-]*[./_][\w./-]*$")


class LiteralText:
    """A template's literal text in document order, a placeholder wherever Jinja
    computes something. A block that a layout prints inside a start tag (as
    base.html's ``live``) holds an attribute's value, not text: it is given in
    ``attribute_blocks`` and stands as a placeholder; the blocks this template
    itself prints inside a tag are noted in ``blocks_in_tags``."""

    def __init__(self, template: nodes.Template, attribute_blocks: frozenset[str] = frozenset()):
        self.attribute_blocks = attribute_blocks
        self.parts: list[str] = []
        self.blocks_in_tags: set[str] = set()
        self._walk(template)
        self.text = "".join(self.parts)

    def _placeholder(self) -> None:
        if not self.parts or self.parts[-1] != PLACEHOLDER:
            self.parts.append(PLACEHOLDER)

    def _walk(self, node: nodes.Node) -> None:
        for child in node.iter_child_nodes():
            if isinstance(child, nodes.TemplateData):
                self.parts.append(child.data)
                continue
            if isinstance(child, nodes.Block):
                so_far = "".join(self.parts)
                if so_far.rfind("<") > so_far.rfind(">"):
                    self.blocks_in_tags.add(child.name)
                if child.name in self.attribute_blocks:
                    self._placeholder()
                    continue
            if not isinstance(child, nodes.Output):
                self._placeholder()  # a computed value, or a tag's boundary
            self._walk(child)


class ShownText(HTMLParser):
    """Collects the words a person would read in literal HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.words: list[str] = []
        self.open: list[str] = []
        self.last_tag = ""

    def handle_starttag(self, tag, attrs):
        self.last_tag = tag
        if tag in NOT_PROSE:
            self.open.append(tag)
        shown = dict(attrs)
        for name, value in attrs:
            if name in SHOWN_ATTRIBUTES or (
                tag == "input" and name == "value" and shown.get("type") in {"submit", "button"}
            ):
                self.collect(value or "")

    def handle_endtag(self, tag):
        if self.open and self.open[-1] == tag:
            self.open.pop()

    def handle_data(self, data):
        # A key of the keyboard (<kbd>j</kbd>) is the same in every language.
        is_key = self.last_tag == "kbd" and len(data.strip()) == 1
        if not self.open and not is_key:
            self.collect(data)

    def collect(self, text: str) -> None:
        # A macro's body may be a run of attributes, printed inside a tag.
        text = ATTRIBUTE.sub(" ", text.replace(PLACEHOLDER, " "))
        for token in text.split():
            if not CODE.match(token) and token not in BOOLEAN_ATTRIBUTES:
                self.words += [word for word in LETTER.findall(token) if word not in ALLOWED_WORDS]


@cache
def attribute_blocks() -> frozenset[str]:
    """The blocks the layouts print inside a tag."""
    env = Pages().env
    found: set[str] = set()
    for path in TEMPLATES_DIR.rglob("*.html"):
        found |= LiteralText(env.parse(path.read_text())).blocks_in_tags
    return frozenset(found)


def untranslated_words(source: str, in_tags: frozenset[str] = frozenset()) -> list[str]:
    parser = ShownText()
    parser.feed(LiteralText(Pages().env.parse(source), in_tags).text)
    parser.close()
    return parser.words


def marks_outside_messages(template: nodes.Template) -> list[str]:
    """Punctuation printed right after a gettext call, outside its message."""
    found = []
    for output in template.find_all(nodes.Output):
        for before, after in zip(output.nodes, output.nodes[1:], strict=False):
            translated = isinstance(before, nodes.Call) and getattr(before.node, "name", "") in {
                "_",
                "gettext",
                "ngettext",
            }
            if (
                translated
                and isinstance(after, nodes.TemplateData)
                and MARK_AFTER_MESSAGE.match(after.data.lstrip(" "))
            ):
                found.append(after.data[:20])
    return found


TEMPLATES = sorted(path.relative_to(TEMPLATES_DIR) for path in TEMPLATES_DIR.rglob("*.html"))


@pytest.mark.parametrize("name", TEMPLATES, ids=str)
def test_a_template_prints_only_translated_words(name):
    source = (TEMPLATES_DIR / name).read_text()
    assert untranslated_words(source, attribute_blocks()) == []
    assert marks_outside_messages(Pages().env.parse(source)) == []


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ('<p>{{ _("Hello") }}</p>', []),
        ("<p>Hello {{ name }}</p>", ["Hello"]),
        ('<input placeholder="Search">', ["Search"]),
        ('<input placeholder="{{ _("Search") }}">', []),
        ('<a href="/people/{{ handle }}" class="person">{{ name }}</a>', []),
        ('<input type="submit" value="Go">', ["Go"]),
        ('<button type="submit" name="shift" value="up">↑ {{ _("Up") }}</button>', []),
        ('{% macro data(x) %}data-level="{{ x }}" data-on="true"{% endmacro %}', []),
        ('<a href="/api/openapi.json">/api/openapi.json</a>', []),
        ("{% if x %}<b>Secret</b>{% endif %}", ["Secret"]),
        ("<code>Authorization: Bearer</code> — Ruche · 3 ✓", []),
        ("<script>const words = 'here';</script>", []),
    ],
)
def test_untranslated_words_are_found(source, words):
    assert untranslated_words(source) == words


def test_a_block_a_layout_prints_inside_a_tag_holds_no_text():
    layout = Pages().env.parse('<body data-live="{% block live %}x{% endblock %}">')
    assert LiteralText(layout).blocks_in_tags == {"live"}
    page = '{% extends "base.html" %}{% block live %}home notifications{% endblock %}'
    assert untranslated_words(page, frozenset({"live"})) == []
    assert untranslated_words(page) == ["home", "notifications"]


def test_a_colon_after_a_message_is_found():
    env = Pages().env
    assert marks_outside_messages(env.parse('<b>{{ _("Title") }}:</b>')) == [":</b>"]
    assert marks_outside_messages(env.parse('<b>{{ _("Title:") }}</b>')) == []
