"""Search snippets are the plain text a reader reads, never the Markdown source:
tables give their cells, links their text, [[wiki links]] their label, code its
content; whatever HTML the text holds stays text, escaped; the searched words
are marked."""

from app.markdown import plain_text
from app.snippets import Snippet, snippet


def shown(excerpt: Snippet) -> str:
    return excerpt.__html__()


def test_a_table_gives_its_cells_without_pipes_or_rules():
    body = "| Nom | Rôle |\n|---|:---:|\n| **Alice** | _cheffe_ |\n| Bob | `dev` |"
    assert plain_text(body) == "Nom Rôle Alice cheffe Bob dev"


def test_links_give_their_text_and_wiki_links_their_label():
    body = (
        "Voir [le guide](https://example.com/guide) et [[Procédure achats]], "
        "[[equipe-rh:Congés|les congés]], [[:Charte]], ![plan](attachment:plan.png) "
        "et ![logo](https://example.com/logo.png)."
    )
    assert plain_text(body) == (
        "Voir le guide et Procédure achats, les congés, Charte, plan et logo."
    )


def test_code_spans_and_blocks_give_their_content_headings_and_lists_their_words():
    body = "# Titre\n\n- un `x = 1`\n- deux\n\n```python\nprint('**pas gras**')\n```\n\n    indenté"
    assert plain_text(body) == "Titre un x = 1 deux print('**pas gras**') indenté"


def test_html_in_the_text_stays_text_and_is_escaped_when_shown():
    body = 'Avant <script>alert("x")</script> <b onclick="y">gras</b> après'
    excerpt = snippet(body, "gras")
    assert str(excerpt) == 'Avant <script>alert("x")</script> <b onclick="y">gras</b> après'
    html = shown(excerpt)
    assert "<script>" not in html and "<b " not in html
    assert "&lt;script&gt;" in html
    assert "&lt;b onclick=&#34;y&#34;&gt;<mark>gras</mark>&lt;/b&gt;" in html


def test_the_searched_words_are_marked_whatever_their_case_and_escaped_inside_the_mark():
    excerpt = snippet("Le **budget** <2027> du Budget", "budget <2027>")
    assert str(excerpt) == "Le budget <2027> du Budget"
    assert shown(excerpt) == (
        "Le <mark>budget</mark> <mark>&lt;2027&gt;</mark> du <mark>Budget</mark>"
    )


def test_a_long_text_is_cut_around_the_first_match_between_words():
    body = " ".join(f"mot{n}" for n in range(100)) + " **cible** " + "fin " * 60
    excerpt = snippet(body, "cible", width=40)
    text = str(excerpt)
    assert text.startswith("…mot") and text.endswith("…")
    assert "cible" in text and "**" not in text
    # Whole words only at both ends.
    assert all(word.startswith("mot") or word in ("cible", "fin") for word in text[1:-1].split())
    assert len(text) <= 2 * 40 + len("cible") + 2


def test_a_match_only_in_the_markdown_source_shows_the_start_of_the_text_unmarked():
    excerpt = snippet("Un texte **court**", "**")
    assert str(excerpt) == "Un texte court" and "<mark>" not in shown(excerpt)
