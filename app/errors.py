"""Domain errors carry their HTTP status; one handler turns each into the
documented shape ``{"error": {"code", "message"}}``."""

from typing import Any

from app.i18n import lazy_gettext as _l


class AppError(Exception):
    status = 400
    code = "bad_request"
    message = _l("The request could not be processed.")
    # Writes made before the error are committed all the same: a failed
    # sign-in must still count against the rate limit and reach the audit log.
    keeps_writes = False

    def __init__(self, message: str | None = None, *, code: str | None = None, **detail: Any):
        self.message = message or str(self.message)
        if code:
            self.code = code
        self.detail = detail
        self.headers: dict[str, str] = {}
        super().__init__(self.message)

    def with_status(self, status: int) -> "AppError":
        """For errors that come from the framework rather than from a domain rule."""
        self.status = status
        return self


class Invalid(AppError):
    status = 422
    code = "invalid"
    message = _l("The request is not valid.")


def non_blank(value: str, message: str) -> str:
    """The text stripped; Invalid when nothing is left."""
    stripped = value.strip()
    if not stripped:
        raise Invalid(message, code="blank")
    return stripped


class NotAuthenticated(AppError):
    status = 401
    code = "not_authenticated"
    message = _l("Sign in first.")


class SignInFailed(AppError):
    status = 401
    code = "sign_in_failed"
    message = _l("Wrong e-mail or password.")
    keeps_writes = True


class Forbidden(AppError):
    status = 403
    code = "forbidden"
    message = _l("You are not allowed to do this.")


class NotFound(AppError):
    """Also what an item the viewer may not read answers: its existence never leaks."""

    status = 404
    code = "not_found"
    message = _l("Not found.")


class Conflict(AppError):
    status = 409
    code = "conflict"
    message = _l("This conflicts with the current state.")


class TooLarge(AppError):
    status = 413
    code = "too_large"
    message = _l("The request is too large.")


class RateLimited(AppError):
    status = 429
    code = "rate_limited"
    message = _l("Too many attempts. Try again later.")
    keeps_writes = True

    def __init__(self, retry_after: int, message: str | None = None):
        super().__init__(message)
        self.headers["Retry-After"] = str(max(1, retry_after))
