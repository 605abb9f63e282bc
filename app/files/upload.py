"""Reads a ``multipart/form-data`` body off the wire with python-multipart's
parser, writing each file part straight into the store's temporary files (hashed
as it comes), so that an upload is never held in memory and a file over the
limit is refused as soon as its bytes pass it. Whatever was received is removed
when the caller leaves the context without keeping it: a refused, failed or cut
upload leaves nothing behind."""

from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from dataclasses import dataclass, field

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import ClientDisconnect, Request

from app.db import end_read_transaction
from app.errors import AppError, Invalid, TooLarge
from app.files.store import Incoming, Store
from app.i18n import _

MAX_FIELD_BYTES = 64 * 1024
MAX_FIELDS = 50
# What a form may carry besides its files (fields, part headers, boundaries),
# to tell from its Content-Length alone that its files cannot all fit.
FORM_BYTES = 1_000_000


class BadForm(AppError):
    status = 400
    code = "bad_request"


@dataclass
class ReceivedFile:
    field: str
    # As the client named it: to be cleaned before it is shown or stored.
    filename: str
    incoming: Incoming


@dataclass
class ReceivedForm:
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: list[ReceivedFile] = field(default_factory=list)

    def first(self, name: str) -> str | None:
        values = self.fields.get(name)
        return values[0] if values else None


def file_too_large(max_file_bytes: int) -> TooLarge:
    return TooLarge(
        _("A file may be at most {size} MB.").format(size=max_file_bytes // 1_000_000),
        code="file_too_large",
    )


class _Parts:
    """python-multipart's callbacks for the headers of each part: what a part is
    (its field's name, and a file's name when it is a file) once its headers end."""

    def __init__(self):
        self.header_name = b""
        self.header_value = b""
        self.disposition = b""
        # Whether the closing boundary came: a body that stops before it (a client
        # gone, a length that lied) is no form.
        self.ended = False

    def on_end(self):
        self.ended = True

    def on_part_begin(self):
        self.disposition = b""

    def on_header_field(self, data, start, end):
        self.header_name += data[start:end]

    def on_header_value(self, data, start, end):
        self.header_value += data[start:end]

    def on_header_end(self):
        if self.header_name.lower() == b"content-disposition":
            self.disposition = self.header_value
        self.header_name, self.header_value = b"", b""

    def part(self) -> tuple[str, str | None]:
        """The part's field name and, for a file, its file name."""
        _kind, options = parse_options_header(self.disposition)
        if b"name" not in options:
            raise BadForm(_("A part of the form has no name."))
        filename = options.get(b"filename")
        return (
            options[b"name"].decode("utf-8", "replace"),
            filename.decode("utf-8", "replace") if filename is not None else None,
        )

    def parser(self, boundary: bytes) -> MultipartParser:
        return MultipartParser(boundary, {name: getattr(self, name) for name in CALLBACKS})


CALLBACKS = (
    "on_end",
    "on_part_begin",
    "on_part_data",
    "on_part_end",
    "on_header_field",
    "on_header_value",
    "on_header_end",
    "on_headers_finished",
)


class _Receiver(_Parts):
    """Gathers fields and streams files."""

    def __init__(self, store: Store, stack, *, max_file_bytes: int, max_files: int):
        super().__init__()
        self.store = store
        self.stack = stack
        self.max_file_bytes = max_file_bytes
        self.max_files = max_files
        self.form = ReceivedForm()
        self.name = ""
        self.data = bytearray()
        self.file: ReceivedFile | None = None

    def on_part_begin(self):
        super().on_part_begin()
        self.data, self.file = bytearray(), None

    def on_headers_finished(self):
        self.name, filename = self.part()
        if filename is not None:
            if len(self.form.files) >= self.max_files:
                raise Invalid(
                    _("At most {count} files at once.").format(count=self.max_files),
                    code="too_many_files",
                )
            incoming = self.stack.enter_context(self.store.temporary())
            self.file = ReceivedFile(self.name, filename, incoming)
        elif sum(map(len, self.form.fields.values())) >= MAX_FIELDS:
            raise BadForm(_("The form has too many fields."))

    def on_part_data(self, data, start, end):
        if self.file is not None:
            if self.file.incoming.size + (end - start) > self.max_file_bytes:
                raise file_too_large(self.max_file_bytes)
            self.file.incoming.write(data[start:end])
        else:
            if len(self.data) + (end - start) > MAX_FIELD_BYTES:
                raise TooLarge(_("A field of the form is too long."))
            self.data += data[start:end]

    def on_part_end(self):
        if self.file is not None:
            # A file input left empty sends a part with no name and no bytes.
            if self.file.filename or self.file.incoming.size:
                self.form.files.append(self.file)
        else:
            text = self.data.decode("utf-8", "replace")
            self.form.fields.setdefault(self.name, []).append(text)


@asynccontextmanager
async def receive_form(
    request: Request,
    store: Store,
    *,
    session: AsyncSession,
    max_file_bytes: int,
    max_files: int,
) -> AsyncIterator[ReceivedForm]:
    """The form of ``request``, its files in temporary files of ``store`` that
    are removed on leaving unless ``store.keep`` took them. The request's
    ``session`` has only read so far (who is asking): its transaction ends
    before the body is read, however long that takes."""
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or b"boundary" not in options:
        raise Invalid(_("Send the file as multipart/form-data."), code="not_multipart")
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > max_files * max_file_bytes + FORM_BYTES:
        # Refused before a byte is read: a client waiting for "100 Continue"
        # (curl, for a large body) does not even send it.
        raise file_too_large(max_file_bytes)
    await end_read_transaction(session)
    with ExitStack() as stack:
        receiver = _Receiver(store, stack, max_file_bytes=max_file_bytes, max_files=max_files)
        parser = receiver.parser(options[b"boundary"])
        try:
            async for chunk in request.stream():
                parser.write(chunk)
            parser.finalize()
        except FormParserError as broken:
            raise BadForm(_("The form could not be read.")) from broken
        except ClientDisconnect:
            # Nobody reads the answer; it ends the request as an error of the
            # client's (not a fault of ours, logged), and what came is removed.
            raise BadForm(_("The upload stopped before its end.")) from None
        if not receiver.ended:
            raise BadForm(_("The upload stopped before its end."))
        yield receiver.form


class LeadingField(_Parts):
    """Finds one text field among the fields at the head of a multipart body,
    before its first file and within its first ``max_bytes``, as the body's
    chunks are fed to it; ``done`` once it is found, a file part begins, the
    limit is passed or the body cannot be read (``value`` None then)."""

    def __init__(self, boundary: bytes, name: str, *, max_bytes: int):
        super().__init__()
        self.wanted = name
        self.max_bytes = max_bytes
        self.fed = 0
        self.value: str | None = None
        self.done = False
        self.data: bytearray | None = None
        self.multipart = self.parser(boundary)

    def feed(self, chunk: bytes) -> None:
        self.fed += len(chunk)
        try:
            self.multipart.write(chunk)
        except (AppError, FormParserError):
            self.done = True
        if self.fed > self.max_bytes:
            self.done = True

    def on_headers_finished(self):
        if self.done:
            return
        name, filename = self.part()
        if filename is not None:
            self.done = True
        elif name == self.wanted:
            self.data = bytearray()

    def on_part_data(self, data, start, end):
        if self.data is not None and not self.done:
            self.data += data[start:end]
            if len(self.data) > MAX_FIELD_BYTES:
                self.done = True

    def on_part_end(self):
        if self.data is not None and not self.done:
            self.value = self.data.decode("utf-8", "replace")
            self.done = True
