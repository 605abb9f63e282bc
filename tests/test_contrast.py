"""Every text/background pair of the UI passes WCAG AA in both themes.

The colours are custom properties of ruche.css's ``:root``, each
``light-dark(<light>, <dark>)`` or one value for both themes. This test reads
them from the stylesheet itself, so changing a colour there is checked here:
4.5:1 for text, 3:1 for the edges of controls (WCAG 1.4.3 and 1.4.11)."""

import re

import pytest

from app.config import PROJECT_ROOT

CSS = (PROJECT_ROOT / "frontend" / "static" / "css" / "ruche.css").read_text()
TEXT, EDGE = 4.5, 3.0

# (foreground, background, minimum ratio): the pairs the stylesheet uses together.
PAIRS = [
    *[("ink", surface, TEXT) for surface in ("bg", "card", "field-bg")],
    *[("muted", surface, TEXT) for surface in ("bg", "card", "field-bg")],
    *[("brown", surface, TEXT) for surface in ("bg", "card", "field-bg", "warn-bg", "tint-yellow")],
    # Badges and notices: the page's text on their tints.
    *[
        ("ink", tint, TEXT)
        for tint in (
            "tint-blue",
            "tint-green",
            "tint-yellow",
            "tint-red",
            "tint-purple",
            "tint-sand",
            "tint-grey",
            "accepted-bg",
            "warn-bg",
        )
    ],
    ("on-honey", "honey", TEXT),  # primary buttons, the unread badge, the new-posts bar
    ("on-brown", "brown", TEXT),  # the announcement badge
    ("on-strong", "strong", TEXT),  # secret spaces, administrators
    ("danger", "alert-bg", TEXT),
    ("danger", "card", TEXT),  # a danger button
    ("danger", "field-bg", TEXT),
    ("ok", "notice-bg", TEXT),
    ("ok", "card", TEXT),
    ("ins-ink", "ins-bg", TEXT),
    ("del-ink", "del-bg", TEXT),
    # Controls must stand out from what is around them.
    *[("field-line", surface, EDGE) for surface in ("bg", "card", "field-bg")],
    *[("honey-line", surface, EDGE) for surface in ("bg", "card")],
    ("brown", "card", EDGE),  # the focus ring
]


def theme_colours() -> dict[str, dict[str, str]]:
    """{"light": {name: "#hex"}, "dark": {...}} from the stylesheet's first :root block."""
    root = re.search(r":root\s*\{(.*?)\}", CSS, re.S).group(1)
    themes: dict[str, dict[str, str]] = {"light": {}, "dark": {}}
    for name, value in re.findall(r"--([\w-]+)\s*:\s*([^;]+);", root):
        both = re.fullmatch(r"light-dark\(\s*(#\w+)\s*,\s*(#\w+)\s*\)", value.strip())
        if both:
            themes["light"][name], themes["dark"][name] = both.groups()
        elif value.strip().startswith("#"):
            themes["light"][name] = themes["dark"][name] = value.strip()
    return themes


def luminance(colour: str) -> float:
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_formula_gives_the_known_extremes():
    assert contrast("#000", "#fff") == pytest.approx(21)
    assert contrast("#777", "#fff") == pytest.approx(4.48, abs=0.01)


def test_both_themes_define_every_colour_the_pairs_use():
    themes = theme_colours()
    used = {name for pair in PAIRS for name in pair[:2]}
    for colours in themes.values():
        assert used <= set(colours), used - set(colours)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_pair_passes_wcag_aa(theme):
    colours = theme_colours()[theme]
    failing = [
        f"{fg} on {bg}: {contrast(colours[fg], colours[bg]):.2f} < {minimum}"
        for fg, bg, minimum in PAIRS
        if contrast(colours[fg], colours[bg]) < minimum
    ]
    assert failing == []
