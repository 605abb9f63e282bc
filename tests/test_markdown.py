"""Markdown to safe HTML: what the sanitiser removes whatever the input, links'
rel, and @mentions and #hashtags (Unicode included) as links."""

import time
import unicodedata
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, normalise_hashtag, render


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    """Every element of ``html`` with its attributes, as a browser would parse them."""
    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, dict(attrs)))

    Collector().feed(html)
    return found


def assert_safe(html: str) -> None:
    for tag, attributes in elements(html):
        assert tag in ALLOWED_TAGS, html
        assert set(attributes) <= ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}, html
        for name in ("href", "src"):
            url = (attributes.get(name) or "").strip().lower()
            assert url.startswith(("http://", "https://", "mailto:", "/")) or not url, html
        if tag == "a":
            assert attributes["rel"] == "nofollow noopener", html


# --- sanitising --------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        "<style>body { display: none }</style>",
        "<iframe src='https://evil.test'></iframe>",
        '<img src="x" onerror="alert(1)">',
        '<a href="https://x.test" onclick="alert(1)">x</a>',
        '<div onmouseover="alert(1)">survol</div>',
        "<svg><script>alert(1)</script></svg>",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](jav&#x61;script:alert(1))",
        "[x](javascript&colon;alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[x]\n\n[x]: javascript:alert(1)",
        "<javascript:alert(1)>",
        "![x](javascript:alert(1))",
        '[x](https://ok.test "title" onclick="alert(1)")',
    ],
)
def test_nothing_active_survives(body):
    html = render(body).html

    assert_safe(html)
    assert "<script" not in html and "<style" not in html and "<iframe" not in html


def test_what_the_user_typed_stays_readable_as_text():
    html = render("<b>gras</b> & <script>x</script>").html

    assert html == "<p>&lt;b&gt;gras&lt;/b&gt; &amp; &lt;script&gt;x&lt;/script&gt;</p>\n"


def test_links_get_nofollow_noopener():
    html = render("[site](https://example.com) et <https://example.org/a?b=1>").html

    assert elements(html) == [
        ("p", {}),
        ("a", {"href": "https://example.com", "rel": "nofollow noopener"}),
        ("a", {"href": "https://example.org/a?b=1", "rel": "nofollow noopener"}),
    ]


def test_ordinary_markdown_is_kept():
    html = render(
        "# Titre\n\n**gras** *italique* ~~barré~~ `code`\n\n"
        "> citation\n\n1. un\n2. deux\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "![logo](https://example.com/logo.png)\n\n```\nbloc\n```"
    ).html

    tags = {tag for tag, _attributes in elements(html)}
    assert tags >= {"h1", "strong", "em", "s", "code", "blockquote", "ol", "li", "table", "img"}
    assert_safe(html)


def test_deep_nesting_is_bounded():
    started = time.perf_counter()

    html = render(">" * 5000 + " fond\n\n" + "- " * 3000 + "liste").html

    assert time.perf_counter() - started < 2
    assert html.count("<blockquote>") <= 20
    assert_safe(html)


@given(st.text(alphabet=st.sampled_from(list("<>/=\"' :()[]!#@&;abcjsvrptx-_\n")), max_size=120))
def test_any_input_renders_to_safe_html(body):
    assert_safe(render(body).html)


# --- mentions ------------------------------------------------------------------------


def test_mentions_become_links_and_are_collected():
    rendered = render("Merci @Marie.Curie et @jean_dupont, écrivez à contact@example.com")

    assert rendered.mentions == {"marie.curie", "jean_dupont"}
    links = [a for tag, a in elements(rendered.html) if tag == "a"]
    assert links == [
        {"href": "/people/marie.curie", "class": "mention", "rel": "nofollow noopener"},
        {"href": "/people/jean_dupont", "class": "mention", "rel": "nofollow noopener"},
    ]
    assert ">@Marie.Curie</a>" in rendered.html


@pytest.mark.parametrize(
    "body",
    ["`@code`", "```\n@bloc\n```", "[@lien](https://x.test)", "a@b.fr", "@x", "a/@b"],
)
def test_no_mention_where_none_is_meant(body):
    rendered = render(body)

    assert rendered.mentions == frozenset()
    assert 'class="mention"' not in rendered.html


# --- hashtags ------------------------------------------------------------------------


def test_hashtags_become_links_unicode_included():
    rendered = render("Bravo #équipe, #Équipe et #Release-2024 #café_crème")

    assert rendered.hashtags == {"équipe", "release-2024", "café_crème"}
    assert (
        '<a href="/hashtags/%C3%A9quipe" class="hashtag" rel="nofollow noopener">#équipe</a>'
        in rendered.html
    )
    assert ">#Équipe</a>" in rendered.html


def test_a_decomposed_accent_is_the_same_tag():
    decomposed = unicodedata.normalize("NFD", "#équipe")

    assert render(decomposed).hashtags == {"équipe"}
    assert normalise_hashtag("ÉQUIPE") == normalise_hashtag("équipe") == "équipe"


@pytest.mark.parametrize(
    "body",
    [
        "# Titre",
        "`#code`",
        "https://example.com/page#ancre",
        "page#ancre",
        "[#lien](https://x.test)",
        "##",
    ],
)
def test_no_hashtag_where_none_is_meant(body):
    rendered = render(body)

    assert rendered.hashtags == frozenset()
    assert 'class="hashtag"' not in rendered.html
