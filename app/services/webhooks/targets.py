"""Where a webhook may send, and the sending itself.

No request leaves for an address inside the company's network (SECURITY.md:
no SSRF): a target's name is resolved, and every address it resolves to must
be public — not loopback, link-local (the cloud metadata service), private,
unique-local, multicast, reserved or unspecified, in IPv4 or IPv6 (an
IPv4-mapped IPv6 address is judged as its IPv4 address) — unless an
administrator allowed that host by name (RUCHE_WEBHOOK_ALLOWED_HOSTS). Checked
when a hook is saved and again at each delivery, and the request goes to the
very address checked (the name is not resolved a second time, so a DNS answer
that changes in between — DNS rebinding — reaches nothing new); the host's
name still travels in ``Host`` and, over HTTPS, in SNI and the certificate
check. Redirects are not followed and no more than a few bytes of an answer
are read.
"""

import asyncio
import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from app.config import Settings
from app.errors import Invalid
from app.i18n import _

# Of an answer, only so much is read: its status is what counts.
ANSWER_BYTES_READ = 1024
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetRefused(Invalid):
    code = "webhook_target"


@dataclass(frozen=True)
class Target:
    """A webhook's URL taken apart, with the addresses it was checked at."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[IPAddress, ...]


@dataclass(frozen=True)
class Answer:
    """What one attempt came to: the status answered (None: no answer), how
    long it took, and what went wrong (empty: nothing)."""

    status: int | None
    milliseconds: int
    error: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (
        address.is_loopback
        or address.is_link_local
        or address.is_private
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local)
    )


def split_target(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path and query) of an http(s) URL without
    credentials; TargetRefused for anything else."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        parts = port = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.username is not None
        or parts.password is not None
    ):
        raise TargetRefused(_("A webhook's URL starts with https:// or http:// and names a host."))
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    default_port = 443 if parts.scheme == "https" else 80
    return parts.scheme, parts.hostname.lower(), port or default_port, path


async def resolve_target(url: str, settings: Settings) -> Target:
    """The target of ``url`` and the addresses to send to, each checked;
    TargetRefused when any address is not public and its host not allowed."""
    scheme, host, port, path = split_target(url)
    try:
        found = await asyncio.get_running_loop().getaddrinfo(
            host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )
    except (OSError, UnicodeError):
        raise TargetRefused(_("This webhook's host name does not resolve.")) from None
    addresses = tuple(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in found))
    if not addresses:
        raise TargetRefused(_("This webhook's host name does not resolve."))
    if host not in settings.webhook_hosts_allowed and not all(map(is_public, addresses)):
        raise TargetRefused(
            _(
                "This webhook's address is inside a private network: an administrator "
                "must allow its host first."
            )
        )
    return Target(scheme=scheme, host=host, port=port, path=path, addresses=addresses)


def open_client(settings: Settings) -> httpx.AsyncClient:
    """The client every delivery of a round goes through: no redirects, no
    proxy or certificate settings taken from the environment, bounded waits."""
    return httpx.AsyncClient(
        follow_redirects=False,
        trust_env=False,
        timeout=httpx.Timeout(
            settings.webhook_timeout_seconds, connect=settings.webhook_connect_timeout_seconds
        ),
    )


async def send(
    client: httpx.AsyncClient,
    settings: Settings,
    *,
    url: str,
    body: bytes,
    headers: dict[str, str],
) -> Answer:
    """POSTs ``body`` to ``url``, checked again now, at the addresses checked:
    the first that accepts the connection gets it."""
    started = time.monotonic()

    def answer(status: int | None, error: str = "") -> Answer:
        return Answer(status, round((time.monotonic() - started) * 1000), error[:300])

    try:
        target = await resolve_target(url, settings)
    except TargetRefused as refused:
        return answer(None, refused.message)
    host_header = target.host if ":" not in target.host else f"[{target.host}]"
    if target.port != (443 if target.scheme == "https" else 80):
        host_header += f":{target.port}"
    error = ""
    for address in target.addresses:
        shown = f"[{address}]" if address.version == 6 else str(address)
        request = client.build_request(
            "POST",
            f"{target.scheme}://{shown}:{target.port}{target.path}",
            content=body,
            headers={**headers, "Host": host_header, "Content-Type": "application/json"},
            extensions={"sni_hostname": target.host} if target.scheme == "https" else {},
        )
        try:
            async with asyncio.timeout(settings.webhook_timeout_seconds):
                response = await client.send(request, stream=True)
                try:
                    read = 0
                    async for chunk in response.aiter_raw():
                        read += len(chunk)
                        if read >= ANSWER_BYTES_READ:
                            break
                finally:
                    await response.aclose()
            return answer(response.status_code)
        except httpx.ConnectError as failure:
            error = f"connection failed: {failure}"
        except (TimeoutError, httpx.TimeoutException):
            return answer(None, "timed out")
        except httpx.HTTPError as failure:
            return answer(None, f"{type(failure).__name__}: {failure}")
    return answer(None, error or "connection failed")
