"""The reader's colour theme: the system's setting, or light or dark as chosen.

A choice per browser, not per account (a phone in the dark, a desk by day), kept
in a cookie the server reads: the page is rendered with <html data-theme="...">,
so the first paint has the right colours, with no flash and no script. "system"
(no cookie) leaves it to the stylesheet's prefers-color-scheme."""

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from app.api.deps import AppSettings, Viewer
from app.web.form_errors import form_page
from app.web.routes import safe_next, see_other, settings_again

router = APIRouter(include_in_schema=False)

THEME_COOKIE = "ruche_theme"
A_YEAR = 365 * 24 * 3600


class Theme(StrEnum):
    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"


def theme_of(request: Request) -> Theme:
    """The theme this browser chose; anything unknown in the cookie is "system"."""
    try:
        return Theme(request.cookies.get(THEME_COOKIE, Theme.SYSTEM))
    except ValueError:
        return Theme.SYSTEM


@router.post("/settings/theme")
@form_page(settings_again)
async def choose_theme(
    _viewer: Viewer,
    settings: AppSettings,
    theme: Annotated[Theme, Form()],
    next: Annotated[str | None, Form(max_length=2000)] = None,
) -> RedirectResponse:
    """From the user menu (back to the page it was on) or the settings page."""
    response = see_other(safe_next(next))
    if theme is Theme.SYSTEM:
        response.delete_cookie(
            THEME_COOKIE, path="/", secure=settings.cookie_secure, samesite="lax"
        )
    else:
        response.set_cookie(
            THEME_COOKIE,
            theme.value,
            max_age=A_YEAR,
            path="/",
            secure=settings.cookie_secure,
            httponly=True,
            samesite="lax",
        )
    return response
