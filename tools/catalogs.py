"""Keeps the French and English catalogs in step with the code.

    python tools/catalogs.py          # extract messages, merge them into both catalogs
    python tools/catalogs.py --check  # exit 1 when a message lacks a translation,
                                      # or a French one breaks French typography

English is the source language: its catalog copies each message. French
translations are written by hand in frontend/locales/fr/LC_MESSAGES/messages.po,
with a narrow no-break space (U+202F) before : ; ! ? and inside « » quotes.
"""

import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "frontend" / "locales"
# Templates: pages (.html) and the plain-text parts of mails (.txt).
METHOD_MAP = [
    ("app/**.py", "python"),
    ("frontend/templates/**.html", "jinja2"),
    ("frontend/templates/**.txt", "jinja2"),
]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def extract() -> Catalog:
    template = Catalog(project="Ruche", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT,
        METHOD_MAP,
        keywords=KEYWORDS,
        options_map={
            "frontend/templates/**.html": {"extensions": "jinja2.ext.i18n"},
            "frontend/templates/**.txt": {"extensions": "jinja2.ext.i18n"},
        },
    ):
        if filename.startswith(("tests", "bench", "tools", ".venv")):
            continue
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def po_path(language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / "messages.po"


def load(language: str) -> Catalog:
    path = po_path(language)
    if not path.exists() or not path.read_text().strip():
        return Catalog(locale=language, project="Ruche")
    with path.open("rb") as po_file:
        return read_po(po_file, locale=language)


def untranslated(template: Catalog) -> list[str]:
    """Messages of the code that a catalog lacks or leaves untranslated."""
    missing = []
    for language in ("fr", "en"):
        catalog = load(language)
        for message in template:
            if not message.id:
                continue
            found = catalog.get(message.id)
            if found is None or not found.string or found.fuzzy:
                missing.append(f"{language}: {message.id!r}")
    return missing


NARROW_SPACE = "\u202f"
# A colon, semicolon, exclamation or question mark used as punctuation: followed by
# a space, the end of a line or closing punctuation. So "http://", "22:06",
# "?q=" or "%(a)s:%(b)s" are not, and need no space.
_PUNCTUATION = re.compile(r"(.?)([:;!?])(?=\s|$|[.,)»<*])", re.MULTILINE)
_QUOTES = re.compile(r"[“”\"]|«(?!\u202f)|(?<!\u202f)»")


def typography_faults(text: str) -> list[str]:
    """Where a French text breaks French typography: a plain space, or none,
    before : ; ! ?, and quotes other than « » with narrow spaces inside."""
    faults = [
        f"{mark!r} without a narrow no-break space before it"
        for before, mark in _PUNCTUATION.findall(text)
        if before != NARROW_SPACE
    ]
    if _QUOTES.search(text):
        faults.append("quotes other than «\u202f…\u202f»")
    return faults


def mistyped() -> list[str]:
    """French translations that break French typography."""
    found = []
    for message in load("fr"):
        if not message.id:
            continue  # the header
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            for fault in typography_faults(string or ""):
                found.append(f"fr: {message.id!r}: {fault}")
    return found


def update(template: Catalog) -> None:
    for language in ("fr", "en"):
        catalog = load(language)
        catalog.update(template, no_fuzzy_matching=True)
        if language == "en":
            for message in catalog:
                if message.id and not message.string:
                    message.string = message.id
        catalog.obsolete.clear()
        catalog.fuzzy = False
        buffer = io.BytesIO()
        write_po(buffer, catalog, width=100, omit_header=False, sort_output=True)
        po_path(language).parent.mkdir(parents=True, exist_ok=True)
        po_path(language).write_bytes(buffer.getvalue())


def main() -> int:
    template = extract()
    if "--check" in sys.argv:
        missing = untranslated(template) + mistyped()
        print("\n".join(missing) or "catalogs complete")
        return 1 if missing else 0
    update(template)
    missing = untranslated(template)
    print(f"{len(missing)} messages still to translate")
    return 0


if __name__ == "__main__":
    sys.exit(main())
