"""Forms of the pages that write (the composer, comments, the wiki editor, the
event form), sent either way a browser sends them: urlencoded, or
``multipart/form-data`` with the files of their plain file input, streamed to
disk as they come (``receive_form``; the anti-forgery token is read before them
by ``FormTokenMiddleware``). Their fields are parsed into a Pydantic model,
their files kept as the writer's uploads."""

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from typing import TypeVar, get_origin

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.files import file_store
from app.config import Settings
from app.errors import AppError, NotFound
from app.files.upload import ReceivedFile, ReceivedForm, receive_form
from app.models import User
from app.services.files.attachments import MAX_ATTACHMENTS, Attachments, keep_uploads
from app.web import form_errors
from app.web.form_errors import STREAMED_FIELDS, FailedForm

# The plain file input of the forms that write (composer, comments, wiki editor).
FILES_FIELD = "files"

FormModel = TypeVar("FormModel", bound=BaseModel)
Written = TypeVar("Written")
T = TypeVar("T")


async def attempt(session: AsyncSession, call: Awaitable[T]) -> tuple[T | None, AppError | None]:
    """Runs one service call in a savepoint, for a form that shows a refusal beside
    itself: the refused call's writes are undone, and its error comes back to be
    shown. "Not found" and errors whose writes must stand go to the error page."""
    try:
        async with session.begin_nested():
            return await call, None
    except AppError as error:
        if isinstance(error, NotFound) or error.keeps_writes:
            raise
        return None, error


@asynccontextmanager
async def stream_form(
    request: Request, session: AsyncSession, settings: Settings
) -> AsyncIterator[ReceivedForm]:
    """A form of the pages that write: with files (``multipart/form-data``), its
    files streamed into the store's temporary files as they come, removed on
    leaving unless kept; without (a form sent urlencoded), its fields."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        async with receive_form(
            request,
            file_store(request),
            session=session,
            max_file_bytes=settings.max_upload_bytes,
            max_files=MAX_ATTACHMENTS,
        ) as form:
            # Kept for the form's page, should the form be refused (form_errors.py).
            setattr(request.state, STREAMED_FIELDS, form.fields)
            yield form
        return
    fields = await request.form()
    yield ReceivedForm(
        fields={name: [v for v in fields.getlist(name) if isinstance(v, str)] for name in fields}
    )


def input_files(form: ReceivedForm) -> list[ReceivedFile]:
    """The files the form's file input carried."""
    return [received for received in form.files if received.field == FILES_FIELD]


def parsed(form: ReceivedForm, model: type[FormModel]) -> FormModel:
    """The form's fields as ``model`` takes them, as FastAPI reads a form: a list
    field gets every value, any other its last; an empty value is no value."""
    data = {}
    for name, values in form.fields.items():
        given = [value for value in values if value != ""]
        field = model.model_fields.get(name)
        if field is None or not given:
            continue
        data[name] = given if get_origin(field.annotation) is list else given[-1]
    try:
        return model.model_validate(data)
    except ValidationError as error:
        # Located in the body, as FastAPI locates a form's fields: the refused
        # form shows each message beside its field (form_errors.py).
        raise RequestValidationError(
            [{**detail, "loc": ("body", *detail["loc"])} for detail in error.errors()]
        ) from None


# Which field a refusal of the form's files is about.
FILE_FIELDS = dict.fromkeys(
    (
        "file_too_large",
        "too_many_files",
        "unknown_file",
        "quota",
        "empty_file",
        "file_type",
        "image_too_large",
        "bad_image",
    ),
    FILES_FIELD,
)


async def write_with_files(
    session,
    *,
    request: Request,
    viewer: User,
    form: ReceivedForm,
    ids: list[int],
    write: Callable[[Attachments | None], Awaitable[Written]],
) -> Written:
    """``write`` (a service call) given what the form attaches — the files
    uploaded already by script (``ids``), then those the form carries, kept as
    the viewer's uploads. A refused file or a refused write raises, and the
    request's transaction leaves nothing behind; the form's page shows the
    refusal (form_errors.py), the files uploaded by script still pending."""
    settings = request.app.state.settings
    kept = await keep_uploads(
        session,
        viewer=viewer,
        store=file_store(request),
        settings=settings,
        received=input_files(form),
    )
    return await write(Attachments.of([*ids, *kept], settings))


async def read_with_uploads(
    request: Request,
    session: AsyncSession,
    *,
    viewer: User,
    model: type[FormModel],
    fields: Mapping[str, str],
) -> tuple[FormModel, list[int], FailedForm | None]:
    """A form whose page keeps its uploads pending when what it writes is
    refused (the wiki editor, the event form): the form, the uploads to attach
    (its script's, ``attachments``, then its file input's, stored now) and the
    refusal of a file, if one was refused (then none of the file input's is
    kept; ``fields`` says beside which field it stands)."""
    settings = request.app.state.settings
    async with stream_form(request, session, settings) as received:
        form = parsed(received, model)
        files = input_files(received)
        stored, refused = [], None
        if files:
            stored, refused = await attempt(
                session,
                keep_uploads(
                    session,
                    viewer=viewer,
                    store=file_store(request),
                    settings=settings,
                    received=files,
                ),
            )
    failed = await form_errors.refused(request, refused, fields) if refused else None
    return form, [*form.attachments, *(stored or [])], failed
