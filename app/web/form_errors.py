"""A refused form comes back as its own page, not as an error page: what the
person typed is kept, each message stands next to its field, in the page's
language, with the refusal's 4xx status.

One mechanism for every form of the web UI. A form route names the page its
form lives on with ``@form_page(renderer)``; whatever refuses the input —
the framework's validation of the fields, a domain error (``AppError``) raised
by the route or its service, an expired anti-forgery token — reaches the
handlers installed here, which call that renderer with a ``FailedForm``. The
refused request's transaction is rolled back first; the page is read in a
session of its own. A route without a form page, "not found", "sign in first"
and "accept the charter" keep the ordinary answers (app/api/errors.py).
See docs/web-forms.md."""

from collections.abc import Awaitable, Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.api.deps import remember_viewer
from app.api.errors import error_response, http_error, invalid_request, wants_page
from app.auth import Auth, authenticate
from app.errors import AppError, NotAuthenticated, NotFound
from app.i18n import _, current_language
from app.models import User

# Where app/web/forms.py leaves the fields of a form it streamed itself.
STREAMED_FIELDS = "form_fields"


@dataclass
class FailedForm:
    """A refused form: what was sent (``values``), the message of each field
    that was refused (``errors``, in the form's own order) and the refusal not
    tied to one field (``message``)."""

    action: str
    status: int
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    message: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # The domain error's code and detail (an edit conflict's versions).
    code: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        error: AppError,
        *,
        action: str,
        values: dict[str, Any],
        fields: Mapping[str, str] | None = None,
        field_errors: Mapping[str, str] | None = None,
    ) -> "FailedForm":
        """``error`` as a form shows it: beside the field it is about (the
        framework's checks name it; ``fields`` maps a domain error's code to
        it), else above the form."""
        errors = dict(field_errors or {})
        if not errors and error.code in (fields or {}):
            errors[fields[error.code]] = error.message
        # The form's own order, so that the first message is the first field's.
        order = {name: index for index, name in enumerate(values)}
        errors = dict(sorted(errors.items(), key=lambda item: order.get(item[0], len(order))))
        return cls(
            action=action,
            status=error.status,
            values=values,
            errors=errors,
            message=None if errors else error.message,
            headers=error.headers,
            code=error.code,
            detail=error.detail,
        )

    def over(self, defaults: Mapping[str, Any]) -> dict[str, Any]:
        """The page's values with what was sent in their place. A checkbox not
        sent is unchecked; a list keeps every value sent."""
        kept = dict(defaults)
        for name, default in defaults.items():
            sent = self.values.get(name)
            if isinstance(default, bool):
                kept[name] = sent not in (None, "", [], "false")
            elif isinstance(default, list):
                kept[name] = sent if isinstance(sent, list) else ([sent] if sent else [])
            elif sent is not None:
                kept[name] = sent[-1] if isinstance(sent, list) else sent
        return kept

    @property
    def summary(self) -> str:
        """Every message in one, for a page that shows none beside its fields."""
        return self.message or " ".join(self.errors.values())

    def context(self) -> dict[str, Any]:
        """What every form template reads: ``errors`` for the fields (see
        _fields.html), ``error`` for the refusal above the form,
        ``failed_action`` to tell which of a page's forms was refused and
        ``sent``, what it sent."""
        return {
            "errors": self.errors,
            "error": self.message,
            "failed_action": self.action,
            "sent": self.values,
        }


Renderer = Callable[[Request, Any, User | None, FailedForm], Awaitable[Response]]


def form_page(
    renderer: Renderer, *, fields: Mapping[str, str] | None = None, public: bool = False
) -> Callable:
    """Marks a form route with the page that shows its form again when refused.
    ``fields`` maps a domain error's code to the field it is about (its
    message then stands there); ``public`` forms (sign-in, an invitation's
    acceptance) are shown again to someone not signed in."""

    def mark(route: Callable) -> Callable:
        route.form_page = FormPage(renderer, dict(fields or {}), public)
        return route

    return mark


@dataclass(frozen=True)
class FormPage:
    renderer: Renderer
    fields: dict[str, str]
    public: bool


def page_again(page: Callable[..., Awaitable[Response]]) -> Renderer:
    """The renderer of a form that sits on a page with no input of its own to
    keep (a button: follow, mark as read): the page's own route, called with
    its defaults, shows the refusal (app/web/pages.py reads it)."""

    async def again(request: Request, session, viewer: User | None, _failed: FailedForm):
        return await page(request=request, session=session, viewer=viewer, **request.path_params)

    return again


# What the framework's checks of a field say, in the reader's language.
def _field_message(detail: dict) -> str:
    kind = detail.get("type", "")
    limits = detail.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "string_too_short":
        return _("Too short: at least %(count)d characters.") % {"count": limits["min_length"]}
    if kind == "string_too_long":
        return _("Too long: at most %(count)d characters.") % {"count": limits["max_length"]}
    if kind == "too_long":
        return _("Too many values: at most %(count)d.") % {"count": limits["max_length"]}
    if kind in ("enum", "literal_error"):
        return _("Choose one of the values offered.")
    if "email" in str(detail.get("msg", "")).lower():
        return _("This is not a valid e-mail address.")
    return _("This value is not valid.")


def field_messages(exc: RequestValidationError) -> dict[str, str]:
    """Each refused field of a form (the first reason given for it)."""
    messages: dict[str, str] = {}
    for detail in exc.errors():
        location = detail.get("loc", ())
        if len(location) >= 2 and location[0] == "body":
            messages.setdefault(str(location[1]), _field_message(detail))
    return messages


async def _sent_values(request: Request) -> dict[str, Any]:
    """The fields the refused form sent, as the page may show them again: files,
    passwords and the anti-forgery token apart. Those a route streamed itself,
    else the form as Starlette parsed (or can still parse) it."""
    streamed = getattr(request.state, STREAMED_FIELDS, None)
    if streamed is not None:
        given = {name: list(sent) for name, sent in streamed.items()}
    else:
        try:
            form = await request.form()
        except Exception:  # the body was already streamed elsewhere: nothing left to read
            return {}
        given = {
            name: [value for value in form.getlist(name) if not isinstance(value, UploadFile)]
            for name in form
        }
    return {
        name: sent[-1] if len(sent) == 1 else sent
        for name, sent in given.items()
        if sent and name != "csrf_token" and "password" not in name
    }


async def refused(request: Request, error: AppError, fields: Mapping[str, str]) -> FailedForm:
    """A refusal a route shows itself, on a page it draws with more than the
    form sent (the wiki editor's conflict screen, its kept uploads); the page
    drawn next shows it (app/web/pages.py)."""
    failed = FailedForm.of(
        error, action=request.url.path, values=await _sent_values(request), fields=fields
    )
    request.state.failed_form = failed
    return failed


def _form_page(request: Request, error: AppError) -> FormPage | None:
    """The form page of a refused browser form, when it should be shown again."""
    page = getattr(request.scope.get("endpoint"), "form_page", None)
    if page is None or request.method != "POST" or not wants_page(request):
        return None
    if isinstance(error, NotFound | NotAuthenticated) or error.code == "charter_required":
        return None
    return page


async def form_again(
    request: Request, error: AppError, field_errors: Mapping[str, str] | None = None
) -> Response | None:
    """The refused form's page with what was sent and why it was refused; None
    when the refusal gets the ordinary answer instead."""
    page = _form_page(request, error)
    if page is None:
        return None
    failed = FailedForm.of(
        error,
        action=request.url.path,
        values=await _sent_values(request),
        fields=page.fields,
        field_errors=field_errors,
    )
    # Every page drawn from here on shows the refusal (app/web/pages.py).
    request.state.failed_form = failed
    async with request.app.state.db.sessionmaker() as session:
        # Read again in a session of its own: the refused request's was rolled
        # back. A refused anti-forgery token stopped before the viewer was kept.
        auth = await _know_viewer(request, session)
        if auth is None and not page.public:
            return None
        try:
            response = await page.renderer(request, session, auth.user if auth else None, failed)
        except AppError as refused:  # the form's page itself is gone, or not for this viewer
            return error_response(request, refused)
    response.headers.update(failed.headers)
    return response


async def _know_viewer(request: Request, session) -> Auth | None:
    """Who asks, for a page drawn where no route's dependencies knew them: the
    page then speaks their language under their own top bar."""
    auth = await authenticate(request, session, request.app.state.settings)
    if auth is not None:
        current_language.set(auth.user.language)
        await remember_viewer(request, session, auth)
    return auth


def install_form_errors(app: FastAPI) -> None:
    """Refusals of a form route with a form page show that page again; every
    other error keeps its ordinary answer."""

    @app.exception_handler(AppError)
    async def on_app_error(request: Request, exc: AppError):
        return await form_again(request, exc) or error_response(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException):
        # An address no route answers met no viewer: a page not found there
        # looks exactly like one a route refused.
        if wants_page(request) and getattr(request.state, "auth", None) is None:
            async with request.app.state.db.sessionmaker() as session:
                with suppress(NotAuthenticated):  # a token not valid: a page for nobody
                    await _know_viewer(request, session)
        return error_response(request, http_error(request, exc))

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, exc: RequestValidationError):
        refused = invalid_request(exc)
        if any(detail.get("loc", ("body",))[0] != "body" for detail in exc.errors()):
            # A wrong address (an id in the path, the query), not a wrong input.
            return error_response(request, refused)
        fields = field_messages(exc)
        return await form_again(request, refused, fields) or error_response(request, refused)
