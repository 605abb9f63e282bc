"""The OpenID Connect conversation with a provider: discovery, the authorization
code with PKCE (S256), state and nonce, the ID token checked against the
provider's published keys, its claims completed at the UserInfo endpoint, and
the provider's own sign-out.

OAuth 2.0 and PKCE come from authlib, the ID token's signature and claims from
joserfc (authlib's JOSE library): parsers of untrusted bytes are never ours.
"""

import logging
import secrets
import time
import warnings
from dataclasses import dataclass
from urllib.parse import urlencode

# Before the client below: importing it puts an "always" filter for authlib's
# deprecations ahead of every other, which must not come before this module's
# "ignore" one (a newcomer's install, without httpx2, printed the warning).
import authlib.deprecate  # noqa: F401
import httpx
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from app.config import OidcProvider, Settings
from app.errors import AppError
from app.i18n import lazy_gettext as _l

with warnings.catch_warnings():
    # authlib 1.9 asks for httpx2, a fork, at import; Ruche stays on httpx,
    # which authlib still uses. Not a word for whoever starts the server.
    warnings.filterwarnings("ignore", "The httpx module is deprecated")
    from authlib.integrations.httpx_client import AsyncOAuth2Client
    from authlib.integrations.httpx_client import OAuthError as AuthlibError

logger = logging.getLogger(__name__)

HTTP_TIMEOUT_SECONDS = 10.0
# Discovery documents and keys are fetched again after this; unknown key ids
# (the provider rolled its keys) fetch the keys at once.
CACHE_SECONDS = 3600.0
# Signatures Ruche accepts, whatever the provider advertises: asymmetric ones only
# (an HMAC would be keyed by the client secret, which several parties know).
SIGNATURES = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA")


class ProviderFailed(AppError):
    """The provider could not be reached, or answered something Ruche refuses."""

    status = 502
    code = "provider_failed"
    message = _l("The sign-in service of your company did not answer as expected. Try again.")


class SignInRefused(AppError):
    """A sign-in through a provider that must not open a session."""

    status = 403
    code = "sign_in_refused"
    message = _l("This sign-in was refused. Start again from the sign-in page.")


def _refused(reason: str) -> SignInRefused:
    """The person sees one message; the operator's log says why (never a token)."""
    logger.warning("OpenID Connect sign-in refused: %s", reason)
    return SignInRefused()


@dataclass(frozen=True)
class Pending:
    """What the browser keeps (signed) between leaving for the provider and
    coming back: it binds the answer to this browser and this request."""

    provider: str
    state: str
    nonce: str
    code_verifier: str
    next: str


@dataclass(frozen=True)
class Identity:
    """What a checked ID token says (with what UserInfo adds), and the token
    itself (the hint of the provider's sign-out)."""

    claims: dict
    id_token: str


_cache: dict[str, tuple[float, object]] = {}


async def _fetch_json(url: str, *, bearer: str | None = None) -> dict:
    headers = {"Accept": "application/json"}
    if bearer is not None:
        headers["Authorization"] = f"Bearer {bearer}"
    try:
        async with httpx.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS) as client:
            answer = await client.get(url, headers=headers)
            answer.raise_for_status()
            document = answer.json()
    except (httpx.HTTPError, ValueError) as error:
        logger.warning("OpenID Connect provider unreachable at %s: %s", url, error)
        raise ProviderFailed() from error
    if not isinstance(document, dict):
        logger.warning("OpenID Connect provider: %s is no JSON object", url)
        raise ProviderFailed()
    return document


def _is_usable(metadata: dict, provider: OidcProvider) -> bool:
    """The document is the configured issuer's own and names the endpoints a
    sign-in needs."""
    return metadata.get("issuer") == provider.issuer and all(
        isinstance(metadata.get(key), str)
        for key in ("authorization_endpoint", "token_endpoint", "jwks_uri")
    )


async def metadata_of(provider: OidcProvider) -> dict:
    """The provider's discovery document, checked to be its own issuer's."""
    url = provider.metadata_url
    cached = _cache.get(url)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    metadata = await _fetch_json(url)
    if not _is_usable(metadata, provider):
        raise ProviderFailed()
    _cache[url] = (time.monotonic() + CACHE_SECONDS, metadata)
    return metadata


@dataclass(frozen=True)
class DiscoveryCheck:
    """What the provider's discovery document said when an administrator asked:
    whether it answered at all, the issuer it gave, and whether a sign-in could
    use it (its issuer is the configured one, its endpoints are there)."""

    answered: bool
    issuer: str | None = None
    usable: bool = False


async def check_discovery(provider: OidcProvider) -> DiscoveryCheck:
    """Fetches the discovery document now, past the hour's cache, so that a
    setting just fixed at the provider shows at once; a usable answer refreshes
    the cache the sign-ins read."""
    try:
        metadata = await _fetch_json(provider.metadata_url)
    except ProviderFailed:
        return DiscoveryCheck(answered=False)
    issuer = metadata.get("issuer")
    usable = _is_usable(metadata, provider)
    if usable:
        _cache[provider.metadata_url] = (time.monotonic() + CACHE_SECONDS, metadata)
    return DiscoveryCheck(
        answered=True, issuer=issuer if isinstance(issuer, str) else None, usable=usable
    )


async def keys_of(metadata: dict, *, fresh: bool = False) -> KeySet:
    url = metadata["jwks_uri"]
    cached = _cache.get(url)
    if cached and cached[0] > time.monotonic() and not fresh:
        return cached[1]
    try:
        keys = KeySet.import_key_set(await _fetch_json(url))
    except (JoseError, ValueError, TypeError, KeyError) as error:
        raise ProviderFailed() from error
    _cache[url] = (time.monotonic() + CACHE_SECONDS, keys)
    return keys


def callback_url(settings: Settings, provider: OidcProvider) -> str:
    """The redirect URI to register at the provider."""
    return f"{settings.public_url.rstrip('/')}/login/oidc/{provider.name}/callback"


def _client(settings: Settings, provider: OidcProvider) -> AsyncOAuth2Client:
    return AsyncOAuth2Client(
        client_id=provider.client_id,
        client_secret=provider.client_secret.get_secret_value(),
        scope=" ".join(provider.scopes),
        redirect_uri=callback_url(settings, provider),
        code_challenge_method="S256",
        timeout=HTTP_TIMEOUT_SECONDS,
    )


async def start_sign_in(
    settings: Settings, provider: OidcProvider, *, next: str
) -> tuple[str, Pending]:
    """The provider's address to send the browser to, and what to keep until it
    comes back."""
    metadata = await metadata_of(provider)
    pending = Pending(
        provider=provider.name,
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        code_verifier=secrets.token_urlsafe(48),
        next=next,
    )
    async with _client(settings, provider) as client:
        url, _state = client.create_authorization_url(
            metadata["authorization_endpoint"],
            state=pending.state,
            nonce=pending.nonce,
            code_verifier=pending.code_verifier,
        )
    return url, pending


async def finish_sign_in(
    settings: Settings, provider: OidcProvider, pending: Pending, *, code: str
) -> Identity:
    """Trades the code for tokens (with the PKCE verifier) and checks the ID token."""
    metadata = await metadata_of(provider)
    async with _client(settings, provider) as client:
        try:
            token = await client.fetch_token(
                metadata["token_endpoint"], code=code, code_verifier=pending.code_verifier
            )
        except (AuthlibError, httpx.HTTPError, ValueError) as error:
            raise _refused(repr(error)) from error
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise _refused("no ID token")
    checks = {
        "provider": provider,
        "algorithms": signature_algorithms(metadata),
        "nonce": pending.nonce,
        "skew": settings.oidc_clock_skew_seconds,
    }
    try:
        claims = check_id_token(id_token, keys=await keys_of(metadata), **checks)
    except InvalidKeyIdError:
        # Signed with a key published since the last fetch: the provider rolled its keys.
        try:
            claims = check_id_token(id_token, keys=await keys_of(metadata, fresh=True), **checks)
        except InvalidKeyIdError as error:
            raise _refused("unknown signing key") from error
    claims = await _with_userinfo(provider, metadata, token, claims)
    return Identity(claims=claims, id_token=id_token)


async def _with_userinfo(provider: OidcProvider, metadata: dict, token: dict, claims: dict) -> dict:
    """The ID token's claims, completed by the provider's UserInfo endpoint:
    on the code flow many providers put little more than ``sub`` in the ID
    token (Okta; oidc-provider by default) and the address, name and groups
    Ruche maps at UserInfo only. The ID token's own claims win, being signed;
    an address and whether it is verified come together, from one or the
    other (a signed address never takes UserInfo's word that it is verified);
    an answer about another subject is refused (OpenID Connect Core 5.3.2), an
    unreachable or unreadable one fails the sign-in — half a person's claims
    (their groups missing) could make the wrong kind of account."""
    endpoint = metadata.get("userinfo_endpoint")
    access_token = token.get("access_token")
    if not isinstance(endpoint, str) or not isinstance(access_token, str):
        return claims
    userinfo = await _fetch_json(endpoint, bearer=access_token)
    if userinfo.get("sub") != claims["sub"]:
        raise _refused("UserInfo about another subject")
    if "email" in claims:
        for paired in ("email", provider.claims.email_verified):
            userinfo.pop(paired, None)
    return {**userinfo, **claims}


def signature_algorithms(metadata: dict) -> list[str]:
    """Those of Ruche's the provider says it signs ID tokens with."""
    offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    return [name for name in SIGNATURES if name in offered]


def check_id_token(
    id_token: str,
    *,
    keys: KeySet,
    provider: OidcProvider,
    algorithms: list[str],
    nonce: str,
    skew: int,
    now: int | None = None,
) -> dict:
    """The claims of an ID token signed by the provider's key, for this client,
    neither expired nor issued in the future (``skew`` seconds of clock
    difference allowed), and answering this very request (its nonce).
    InvalidKeyIdError: signed by a key ``keys`` does not hold."""
    try:
        claims = jwt.decode(id_token, keys, algorithms=algorithms).claims
        jwt.JWTClaimsRegistry(
            now=now,
            leeway=skew,
            iss={"essential": True, "value": provider.issuer},
            sub={"essential": True},
            aud={"essential": True, "value": provider.client_id},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True},
        ).validate(claims)
    except InvalidKeyIdError:
        raise
    except ExpiredTokenError as error:
        raise _refused("expired") from error
    except (JoseError, ValueError, TypeError) as error:
        raise _refused(repr(error)) from error
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    # OpenID Connect Core 3.1.3.7: with several audiences, azp names this client.
    if ("azp" in claims or len(audiences) > 1) and claims.get("azp") != provider.client_id:
        raise _refused("azp")
    if not isinstance(claims["nonce"], str) or not secrets.compare_digest(
        claims["nonce"].encode(), nonce.encode()
    ):
        raise _refused("nonce")
    if not isinstance(claims["sub"], str) or not 0 < len(claims["sub"]) <= 255:
        raise _refused("sub")
    return claims


async def sign_out_url(
    settings: Settings, provider: OidcProvider, *, id_token: str | None
) -> str | None:
    """Where to send the browser so that the provider ends its session too
    (RP-initiated logout), back to Ruche's sign-in page after; None when the
    provider offers no such endpoint or cannot be reached."""
    try:
        metadata = await metadata_of(provider)
    except ProviderFailed:
        return None
    endpoint = metadata.get("end_session_endpoint")
    if not isinstance(endpoint, str):
        return None
    query = {
        "client_id": provider.client_id,
        "post_logout_redirect_uri": f"{settings.public_url.rstrip('/')}/login",
    }
    if id_token:
        query["id_token_hint"] = id_token
    separator = "&" if "?" in endpoint else "?"
    return f"{endpoint}{separator}{urlencode(query)}"
