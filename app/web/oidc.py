"""Sign-in through the company's OpenID Connect providers (docs/sso.md): a
button of the sign-in page leads to ``/login/oidc/<name>``, which sends the
browser to the provider; the provider sends it back to the callback, which
opens the session. No API route: this conversation is the browser's.

``/admin/sso`` shows administrators the providers as configured, what to
register at each, and checks that one answers."""

from dataclasses import asdict

from fastapi import APIRouter, Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.access import check_admin
from app.api.auth import set_session_cookie
from app.api.deps import Address, AppSettings, Session, Viewer
from app.auth import authenticate
from app.config import OidcProvider, Settings
from app.errors import AppError, NotFound
from app.i18n import _
from app.security import same_secret
from app.services import sessions
from app.services.oidc import overview, people, protocol
from app.services.oidc.protocol import DiscoveryCheck, Pending, ProviderFailed, SignInRefused
from app.web.form_errors import FailedForm, form_page
from app.web.routes import login_form, render, safe_next, see_other

router = APIRouter(include_in_schema=False)

PENDING_COOKIE = "ruche_oidc"
PENDING_PATH = "/login/oidc/"
# Time to sign in at the provider (and type a second factor) before starting again.
PENDING_SECONDS = 900


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.resolved_secret_key, salt="ruche.oidc")


def _provider(settings: Settings, name: str) -> OidcProvider:
    provider = settings.oidc_provider(name)
    if provider is None:
        raise NotFound()
    return provider


def _refusal(request: Request, settings: Settings, error: AppError) -> Response:
    """The sign-in page again, saying why; the pending sign-in is forgotten."""
    response = login_form(
        request, settings, next="/", error=error.message, status_code=error.status
    )
    response.delete_cookie(PENDING_COOKIE, path=PENDING_PATH)
    return response


@router.get("/login/oidc/{name}")
async def start(request: Request, name: str, settings: AppSettings, next: str | None = None):
    provider = _provider(settings, name)
    try:
        url, pending = await protocol.start_sign_in(settings, provider, next=safe_next(next))
    except ProviderFailed as error:
        return _refusal(request, settings, error)
    response = see_other(url)
    # Lax, not Strict: the provider's redirect back is a cross-site navigation.
    response.set_cookie(
        PENDING_COOKIE,
        _serializer(settings).dumps(asdict(pending)),
        max_age=PENDING_SECONDS,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
        path=PENDING_PATH,
    )
    return response


def _pending(request: Request, settings: Settings, name: str, state: str) -> Pending:
    """The sign-in this browser started, if the provider's answer is for it."""
    try:
        kept = _serializer(settings).loads(
            request.cookies.get(PENDING_COOKIE, ""), max_age=PENDING_SECONDS
        )
        pending = Pending(**kept)
    except (BadSignature, TypeError):
        pending = None
    if pending is None or pending.provider != name or not same_secret(state, pending.state):
        raise SignInRefused(
            _("This sign-in has expired or was not started here. Start again."),
            code="sign_in_expired",
        )
    return pending


@router.get("/login/oidc/{name}/callback")
async def callback(
    request: Request,
    name: str,
    settings: AppSettings,
    address: Address,
    code: str = "",
    state: str = "",
    error: str = "",
):
    provider = _provider(settings, name)
    try:
        pending = _pending(request, settings, name, state)
        if error or not code:
            raise SignInRefused(
                _("The sign-in was not completed at %(provider)s.") % {"provider": provider.label},
                code="provider_refused",
            )
        identity = await protocol.finish_sign_in(settings, provider, pending, code=code)
        # The provider is not waited on inside the transaction.
        async with request.app.state.db.transaction() as session:
            previous = await authenticate(request, session, settings)
            signed_in = await people.sign_in_with_claims(
                session,
                settings=settings,
                provider=provider,
                claims=identity.claims,
                id_token=identity.id_token,
                address=address,
                user_agent=request.headers.get("user-agent"),
            )
            # Rotated as with a password: a session planted before is worth nothing.
            if previous is not None and previous.user_session is not None:
                await sessions.sign_out(session, user_session=previous.user_session)
    except (SignInRefused, ProviderFailed) as refusal:
        return _refusal(request, settings, refusal)
    response = see_other(pending.next)
    set_session_cookie(response, settings, signed_in)
    response.delete_cookie(PENDING_COOKIE, path=PENDING_PATH)
    return response


async def _sso_page(
    request: Request,
    session,
    viewer,
    *,
    checked: tuple[str, DiscoveryCheck] | None = None,
    error: str | None = None,
    status_code: int = 200,
):
    settings = request.app.state.settings
    providers = await overview.sso_overview(session, viewer=viewer, settings=settings)
    return render(
        request,
        "admin/sso.html",
        status_code=status_code,
        providers=providers,
        config=settings,
        break_glass=sorted(settings.break_glass),
        checked=checked,
        error=error,
    )


@router.get("/admin/sso")
async def sso_page(request: Request, viewer: Viewer, session: Session):
    return await _sso_page(request, session, viewer)


async def _again(request: Request, session, viewer, failed: FailedForm):
    """The check's refusals (an expired form) are shown on the page itself."""
    return await _sso_page(
        request, session, viewer, error=failed.message, status_code=failed.status
    )


@router.post("/admin/sso/{name}/check")
@form_page(_again)
async def check_provider(request: Request, name: str, viewer: Viewer, session: Session):
    """The provider's discovery document fetched now; the answer is this page's
    (nothing is kept but the sign-ins' cache, refreshed when usable)."""
    check_admin(viewer)
    provider = _provider(request.app.state.settings, name)
    result = await protocol.check_discovery(provider)
    return await _sso_page(request, session, viewer, checked=(name, result))
