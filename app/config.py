"""Settings read from the environment (prefix ``RUCHE_``) so that IT configures
Ruche the way it configures every other service it runs."""

import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal, Self
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def origin_of(url: str) -> str:
    """As browsers send it in ``Origin``: scheme and host, lowercased, no path, and
    no default port."""
    scheme, _, rest = url.strip().partition("://")
    host = rest.split("/", 1)[0]
    default_port = {"http": ":80", "https": ":443"}.get(scheme.lower())
    if default_port and host.endswith(default_port):
        host = host[: -len(default_port)]
    return f"{scheme.lower()}://{host.lower()}"


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

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")
