"""French and English through gettext catalogs.

The catalogs are the ``.po`` files under ``frontend/locales``; they are
compiled in memory on first use, so there is no build step and no binary file
to keep in step with its source. The language of the current request lives in
a context variable set by a middleware.
"""

import io
from contextvars import ContextVar
from functools import cache

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy, Translations

from app.config import PROJECT_ROOT
from app.levels import Language

LOCALES_DIR = PROJECT_ROOT / "frontend" / "locales"
DOMAIN = "messages"
DEFAULT_LANGUAGE = Language.FR

current_language: ContextVar[Language] = ContextVar("current_language", default=DEFAULT_LANGUAGE)


@cache
def translations(language: Language) -> Translations:
    po_path = LOCALES_DIR / language.value / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language.value)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def gettext(message: str) -> str:
    return translations(current_language.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_language.get()).ngettext(singular, plural, n)


def lazy_gettext(message: str) -> LazyProxy:
    """For messages defined at import time and translated when shown."""
    return LazyProxy(gettext, message, enable_cache=False)


_ = gettext


def negotiate_language(accept_language: str | None) -> Language:
    """The first language of the ``Accept-Language`` header that Ruche speaks."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    weighted = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        weighted.append((-quality, index, tag.strip().lower()[:2]))
    for _quality, _index, primary in sorted(weighted):
        if primary in Language._value2member_map_:
            return Language(primary)
    return DEFAULT_LANGUAGE
