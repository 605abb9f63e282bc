"""Password hashing and the random secrets behind sessions and tokens."""

import hashlib
import hmac
import secrets

from passlib.context import CryptContext

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256

password_context = CryptContext(schemes=["argon2"], deprecated="auto")

# Verified against when the e-mail is unknown, so that both failures take
# about the same time and say nothing about which accounts exist.
_DUMMY_HASH = password_context.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return password_context.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    if password_hash is None:
        password_context.verify(password, _DUMMY_HASH)
        return False
    return password_context.verify(password, password_hash)


def new_secret(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    """Session ids and access tokens are high-entropy: a plain SHA-256 suffices."""
    return hashlib.sha256(secret.encode()).hexdigest()


def same_secret(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())
