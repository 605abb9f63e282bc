"""Pure ASGI middlewares (no per-request task, unlike BaseHTTPMiddleware): they
sit on every request, so they stay cheap."""

from python_multipart.multipart import parse_options_header
from starlette.exceptions import HTTPException

from app.api.errors import error_body
from app.errors import TooLarge
from app.files.upload import LeadingField
from app.i18n import current_language, negotiate_language

SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
        b"form-action 'self'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


class SecurityHeadersMiddleware:
    def __init__(self, app, *, https: bool):
        self.app = app
        self.headers = [*SECURITY_HEADERS, HSTS] if https else SECURITY_HEADERS

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class LanguageMiddleware:
    """Chooses the language from Accept-Language; a signed-in account's own
    preference replaces it once the request knows who is asking."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        header = dict(scope["headers"]).get(b"accept-language", b"").decode("latin-1")
        token = current_language.set(negotiate_language(header))
        try:
            await self.app(scope, receive, send)
        finally:
            current_language.reset(token)


# Where FormTokenMiddleware leaves the token it found, for the CSRF check.
FORM_CSRF_KEY = "ruche.form_csrf"
# How far into a form's body its token is looked for.
FORM_TOKEN_WITHIN = 64 * 1024


class FormTokenMiddleware:
    """Reads the anti-forgery token of a ``multipart/form-data`` form sent
    without the token's header (a plain HTML form with files) from the form's
    leading fields, before any route reads the body: the route may then stream
    the body once, files and all (app/files/upload.py), and the token is
    checked before a file is kept. Browsers send the fields in the form's
    order, and Ruche's forms put the token first: a token after a file, or past
    the first 64 KiB, counts as none. What was read is handed on unchanged."""

    def __init__(self, app, *, field: str, header: str):
        self.app = app
        self.field = field
        self.header = header.lower().encode()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        content_type, options = parse_options_header(headers.get(b"content-type", b""))
        if (
            content_type != b"multipart/form-data"
            or b"boundary" not in options
            or self.header in headers
            or b"authorization" in headers
        ):
            return await self.app(scope, receive, send)
        finder = LeadingField(options[b"boundary"], self.field, max_bytes=FORM_TOKEN_WITHIN)
        taken = []
        while not finder.done:
            message = await receive()
            taken.append(message)
            if message["type"] != "http.request":
                break
            finder.feed(message.get("body", b""))
            if not message.get("more_body", False):
                break

        async def replay():
            return taken.pop(0) if taken else await receive()

        scope[FORM_CSRF_KEY] = finder.value
        await self.app(scope, replay, send)


class BodyLimitMiddleware:
    """Refuses bodies over the limit with 413 before anything reads them whole.
    A ``multipart/form-data`` body (files) has a limit of its own: it is
    streamed to disk, never read whole."""

    def __init__(self, app, *, max_bytes: int, max_multipart_bytes: int):
        self.app = app
        self.max_bytes = max_bytes
        self.max_multipart_bytes = max_multipart_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        limit = self.max_bytes
        if headers.get(b"content-type", b"").lower().startswith(b"multipart/form-data"):
            limit = self.max_multipart_bytes
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            return await self.refuse(send)
        received = 0

        async def counting_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge()
            return message

        try:
            await self.app(scope, counting_receive, send)
        except BodyTooLarge:
            await self.refuse(send)

    @staticmethod
    async def refuse(send):
        body = error_body(TooLarge())
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class BodyTooLarge(HTTPException):
    """An HTTPException, because FastAPI turns any other error met while it reads a
    body into a 400; the error handlers answer it in the shape, as a 413."""

    def __init__(self):
        super().__init__(status_code=413)
