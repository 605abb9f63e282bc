"""Settings read from the environment (prefix ``RUCHE_``) so that IT configures
Ruche the way it configures every other service it runs."""

import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal, Self
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.levels import AccountKind, Level

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PROJECT_ROOT / "frontend" / "templates"


def origin_of(url: str) -> str:
    """As browsers send it in ``Origin``: scheme and host, lowercased, no path, and
    no default port."""
    scheme, _, rest = url.strip().partition("://")
    host = rest.split("/", 1)[0]
    default_port = {"http": ":80", "https": ":443"}.get(scheme.lower())
    if default_port and host.endswith(default_port):
        host = host[: -len(default_port)]
    return f"{scheme.lower()}://{host.lower()}"


class OidcClaims(BaseModel):
    """Which claim of the ID token fills which field of a new account; "" for none."""

    model_config = ConfigDict(extra="forbid")

    display_name: str = "name"
    # The boolean saying the provider verified the address: Entra ID's is the
    # optional claim "xms_edov" (its "email" alone is not verified).
    email_verified: str = "email_verified"
    department: str = ""
    job_title: str = ""
    # The manager, found among the accounts by e-mail or by their ``sub`` here.
    manager_email: str = ""
    manager_subject: str = ""
    # A list of group names the provider asserts (never one the person edits).
    groups: str = "groups"


class OidcProvider(BaseModel):
    """One OpenID Connect provider of the company (docs/sso.md): a button on the
    sign-in page. Kind and clearance come from here, by the provider's groups or
    its defaults, never from a claim the person could change."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")
    label: str = Field(min_length=1, max_length=80)
    issuer: str = Field(min_length=8)
    # Defaults to the issuer's /.well-known/openid-configuration.
    discovery_url: str = ""
    client_id: str = Field(min_length=1)
    client_secret: SecretStr
    scopes: list[str] = ["openid", "email", "profile"]
    claims: OidcClaims = OidcClaims()
    default_kind: Literal[AccountKind.EMPLOYEE, AccountKind.CONTRACTOR] = AccountKind.EMPLOYEE
    kind_by_group: dict[str, Literal[AccountKind.EMPLOYEE, AccountKind.CONTRACTOR]] = {}
    # None: the kind's default (internal for employees, public for externals).
    default_clearance: Level | None = None
    clearance_by_group: dict[str, Level] = {}
    # False: only people who already have an account (linked by a verified e-mail).
    create_accounts: bool = True

    @property
    def identity_provider(self) -> str:
        """Its name in identity_links (app/models/identity.py)."""
        return f"oidc:{self.issuer}"

    @property
    def metadata_url(self) -> str:
        return self.discovery_url or (self.issuer.rstrip("/") + "/.well-known/openid-configuration")


class DirectoryGroup(BaseModel):
    """Where the members of one directory group belong (docs/directory.md)."""

    space_id: int
    role: Literal["member", "moderator"] = "member"


# The Ruche fields a directory fills, and the attribute each is read from by
# default: inetOrgPerson's names, which Active Directory also answers except
# for the department (set RUCHE_LDAP_ATTRIBUTES='{"department": "department"}').
DIRECTORY_ATTRIBUTES = {
    "display_name": "displayName",
    "email": "mail",
    "job_title": "title",
    "department": "departmentNumber",
    "site": "l",
    "phone": "telephoneNumber",
    "manager": "manager",
}
# Active Directory's userAccountControl bit 2 (ACCOUNTDISABLE), by its bitwise-AND
# matching rule.
AD_DISABLED_FILTER = "(userAccountControl:1.2.840.113556.1.4.803:=2)"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RUCHE_", env_file=".env", extra="ignore")

    var_dir: Path = Path("var")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy async URL; defaults to a SQLite file under var/."
    )
    redis_url: str | None = None
    secret_key: str | None = Field(
        default=None, description="Signs cookies; generated and kept under var/ when not given."
    )
    public_url: str = "http://localhost:8000"
    # Origins allowed on the websocket besides the public URL's and the page's own
    # (same host): comma-separated, e.g. "https://intranet.example.com".
    allowed_origins: str = ""
    # Per-message compression of the websocket at /ws. Off: events are a few
    # hundred bytes, and a compressed socket holds tens of KiB of zlib state.
    ws_compression: bool = False
    cookie_secure: bool = False
    session_days: int = 14
    # An account is locked only for the address its failures come from: someone
    # guessing elsewhere cannot lock its owner out. The account-wide ceiling stops
    # guessing spread over many addresses.
    sign_in_max_failures_per_account_and_address: int = 5
    sign_in_max_failures_per_account: int = 50
    sign_in_max_failures_per_address: int = 20
    sign_in_window_seconds: int = 900
    sql_echo: bool = False
    # Seconds between runs of the time-driven jobs inside `ruche serve`; 0 turns
    # them off (then run `ruche jobs` from cron).
    jobs_interval_seconds: int = 300
    # Webhooks (docs/webhooks.md). Hosts (names or addresses, comma-separated)
    # whose addresses may be private, loopback or link-local: an intranet
    # receiver. Every other target must resolve to public addresses only.
    webhook_allowed_hosts: str = ""
    # Seconds to connect, and to wait for the whole answer.
    webhook_connect_timeout_seconds: float = Field(default=5, gt=0)
    webhook_timeout_seconds: float = Field(default=10, gt=0)
    # Attempts of one delivery, the first retry's delay (each next one four times
    # longer), and the failed attempts in a row that disable a hook.
    webhook_max_attempts: int = Field(default=7, ge=1)
    webhook_retry_seconds: float = Field(default=30, ge=0)
    webhook_disable_after_failures: int = Field(default=20, ge=1)
    # Finished deliveries kept in each hook's log.
    webhook_log_size: int = Field(default=200, ge=1)
    # Posts one incoming hook may make in a minute.
    incoming_hook_posts_per_minute: int = Field(default=30, ge=1)
    # Uploads (docs/files.md): the largest file accepted, in MB (10^6 bytes); what
    # one person and one space may hold in all; how long a file used nowhere
    # (uploaded and never attached, or whose post was deleted) is kept.
    max_upload_mb: int = Field(default=25, ge=1)
    person_quota_mb: int = Field(default=2_000, ge=1)
    space_quota_mb: int = Field(default=20_000, ge=1)
    unused_file_grace_hours: int = Field(default=24, ge=0)
    # Where the bytes of files are kept (docs/files.md): "local", under var/files/,
    # or "s3", a bucket of an S3-compatible server that every app server reaches
    # (install "ruche[s3]"). No endpoint: AWS S3 itself. No access key: boto3
    # finds credentials its own way (AWS_* variables, ~/.aws, an instance role).
    file_store: Literal["local", "s3"] = "local"
    s3_bucket: str = ""
    s3_endpoint_url: str = ""
    s3_region: str = ""
    s3_access_key_id: str = ""
    s3_secret_access_key: SecretStr = SecretStr("")
    # Put before every key, e.g. "ruche/" to share a bucket with other things.
    s3_prefix: str = ""
    # Mail (docs/email.md): off while no SMTP host is given. Security: "starttls"
    # (port 587), "tls" (implicit, port 465) or "none" (a relay on the same host).
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_security: Literal["none", "starttls", "tls"] = "starttls"
    smtp_user: str = ""
    smtp_password: SecretStr = SecretStr("")
    # The From of every mail, e.g. "Ruche <ruche@example.com>".
    smtp_sender: str = ""
    smtp_timeout_seconds: float = Field(default=30, gt=0)
    # Mail leaves the company's servers: about content above public, a mail says
    # only what it is about and links to it, unless this is true.
    mail_includes_content: bool = False
    # Digests leave at this hour of the company's zone (daily; weekly on Mondays).
    mail_digest_hour: int = Field(default=7, ge=0, le=23)
    mail_timezone: str = "Europe/Paris"
    # Seconds between rounds of the deliveries that must leave within seconds
    # (mail, webhooks) inside `ruche serve`; 0 turns them off.
    delivery_interval_seconds: float = Field(default=5, ge=0)

    # Single sign-on (docs/sso.md): the providers as a JSON list, the clock skew
    # allowed on their ID tokens, and whether passwords still sign in (when off,
    # only the break-glass administrators' addresses, comma-separated, may).
    oidc_providers: list[OidcProvider] = []
    oidc_clock_skew_seconds: int = Field(default=60, ge=0, le=600)
    local_passwords: bool = True
    break_glass_emails: str = ""

    @model_validator(mode="after")
    def _providers_are_distinct(self) -> Self:
        names = [provider.name for provider in self.oidc_providers]
        if len(set(names)) != len(names):
            raise ValueError("RUCHE_OIDC_PROVIDERS: each provider needs its own name")
        return self

    @property
    def break_glass(self) -> frozenset[str]:
        """The addresses whose password still signs in when passwords are off."""
        return frozenset(
            email.strip().lower() for email in self.break_glass_emails.split(",") if email.strip()
        )

    def may_use_password(self, email: str) -> bool:
        return self.local_passwords or email.strip().lower() in self.break_glass

    def oidc_provider(self, name: str) -> OidcProvider | None:
        return next((p for p in self.oidc_providers if p.name == name), None)

    # Directory sync (docs/directory.md): LDAP or Active Directory. No URL: off.
    # "ldap://host", "ldaps://host:636"; StartTLS upgrades an ldap:// connection.
    ldap_url: str = ""
    # Names the directory in identity links ("ldap:<name>") and on the pages.
    ldap_name: str = "directory"
    ldap_flavour: Literal["openldap", "active_directory"] = "openldap"
    ldap_bind_dn: str = ""
    ldap_bind_password: SecretStr = SecretStr("")
    ldap_start_tls: bool = False
    # The CA certificates the server's certificate is checked against (LDAPS and
    # StartTLS); empty: the system's.
    ldap_ca_file: str = ""
    # JSON lists and objects: DNs hold commas.
    ldap_base_dns: list[str] = []
    ldap_user_filter: str = "(objectClass=inetOrgPerson)"
    # Ruche field -> attribute, over DIRECTORY_ATTRIBUTES; "" leaves a field alone.
    ldap_attributes: dict[str, str] = {}
    # The entries of the user filter that also match this one are disabled. Empty:
    # Active Directory's userAccountControl bit, or none on OpenLDAP.
    ldap_disabled_filter: str = ""
    # Group DN -> {"space_id": 12, "role": "member"}.
    ldap_groups: dict[str, DirectoryGroup] = {}
    ldap_group_member_attribute: str = "member"
    ldap_page_size: int = Field(default=500, ge=1, le=10_000)
    # A directory answering more people than this is refused (a wrong base DN or
    # filter), as is one answering nobody.
    ldap_max_people: int = Field(default=200_000, ge=1)
    ldap_timeout_seconds: int = Field(default=30, ge=1)
    # Minutes between syncs run by the jobs loop; 0: only `ruche directory-sync`.
    ldap_sync_interval_minutes: int = Field(default=60, ge=0)

    @property
    def ldap_provider(self) -> str:
        return f"ldap:{self.ldap_name}"

    @property
    def ldap_attribute_map(self) -> dict[str, str]:
        return {**DIRECTORY_ATTRIBUTES, **self.ldap_attributes}

    @property
    def ldap_id_attribute(self) -> str:
        return "objectGUID" if self.ldap_flavour == "active_directory" else "entryUUID"

    @property
    def ldap_disabled_rule(self) -> str:
        if self.ldap_disabled_filter or self.ldap_flavour == "openldap":
            return self.ldap_disabled_filter
        return AD_DISABLED_FILTER

    @model_validator(mode="after")
    def _ldap_settings_are_complete(self) -> Self:
        unknown = set(self.ldap_attributes) - set(DIRECTORY_ATTRIBUTES)
        if unknown:
            raise ValueError(f"RUCHE_LDAP_ATTRIBUTES: unknown fields {sorted(unknown)}")
        if self.ldap_url and not self.ldap_base_dns:
            raise ValueError("RUCHE_LDAP_URL needs RUCHE_LDAP_BASE_DNS")
        return self

    @model_validator(mode="after")
    def _s3_is_complete(self) -> Self:
        if self.file_store == "s3" and not self.s3_bucket:
            raise ValueError("RUCHE_FILE_STORE=s3 needs RUCHE_S3_BUCKET")
        if bool(self.s3_access_key_id) != bool(self.s3_secret_access_key.get_secret_value()):
            raise ValueError("RUCHE_S3_ACCESS_KEY_ID and RUCHE_S3_SECRET_ACCESS_KEY go together")
        return self

    @model_validator(mode="after")
    def _mail_is_complete(self) -> Self:
        if self.smtp_host and not self.smtp_sender:
            raise ValueError("RUCHE_SMTP_HOST needs RUCHE_SMTP_SENDER")
        ZoneInfo(self.mail_timezone)  # an unknown zone fails at start, not at 7 a.m.
        return self

    @property
    def mail_enabled(self) -> bool:
        return bool(self.smtp_host)

    @property
    def files_dir(self) -> Path:
        return self.var_dir / "files"

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1_000_000

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.var_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        return f"sqlite+aiosqlite:///{(self.var_dir / 'ruche.db').resolve()}"

    @cached_property
    def resolved_secret_key(self) -> str:
        """The configured key, else one generated once and kept under var/ so that
        sessions survive restarts."""
        if self.secret_key:
            return self.secret_key
        key_file = self.var_dir / "secret_key"
        if key_file.exists():
            return key_file.read_text().strip()
        self.var_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        # Created unreadable by others from the first byte.
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(key)
        return key

    @property
    def public_origin(self) -> str:
        return origin_of(self.public_url)

    @cached_property
    def websocket_origins(self) -> frozenset[str]:
        """The origins allowed on /ws whatever the host asked: the public URL's and
        RUCHE_ALLOWED_ORIGINS'."""
        extra = (origin for origin in self.allowed_origins.split(",") if origin.strip())
        return frozenset({self.public_origin, *map(origin_of, extra)})

    @cached_property
    def webhook_hosts_allowed(self) -> frozenset[str]:
        """RUCHE_WEBHOOK_ALLOWED_HOSTS as a set of lower-cased host names."""
        names = (name.strip().lower().strip("[]") for name in self.webhook_allowed_hosts.split(","))
        return frozenset(name for name in names if name)

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")
