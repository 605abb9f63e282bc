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
from starlette.requests import Request

from app.errors import AppError, Invalid, TooLarge
from app.files.store import Incoming, Store
from app.i18n import _

MAX_FIELD_BYTES = 64 * 1024
MAX_FIELDS = 50


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


class _Receiver:
    """python-multipart's callbacks, gathering fields and streaming files."""

    def __init__(self, store: Store, stack, *, max_file_bytes: int, max_files: int):
        self.store = store
        self.stack = stack
        self.max_file_bytes = max_file_bytes
        self.max_files = max_files
        self.form = ReceivedForm()
        self.header_name = b""
        self.header_value = b""
        self.disposition = b""
        self.name = ""
        self.data = bytearray()
        self.file: ReceivedFile | None = None

    def on_part_begin(self):
        self.disposition, self.data, self.file = b"", bytearray(), None

    def on_header_field(self, data, start, end):
        self.header_name += data[start:end]

    def on_header_value(self, data, start, end):
        self.header_value += data[start:end]

    def on_header_end(self):
        if self.header_name.lower() == b"content-disposition":
            self.disposition = self.header_value
        self.header_name, self.header_value = b"", b""

    def on_headers_finished(self):
        _kind, options = parse_options_header(self.disposition)
        if b"name" not in options:
            raise BadForm(_("A part of the form has no name."))
        self.name = options[b"name"].decode("utf-8", "replace")
        if b"filename" in options:
            if len(self.form.files) >= self.max_files:
                raise Invalid(
                    _("At most {count} files at once.").format(count=self.max_files),
                    code="too_many_files",
                )
            incoming = self.stack.enter_context(self.store.temporary())
            filename = options[b"filename"].decode("utf-8", "replace")
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
    request: Request, store: Store, *, max_file_bytes: int, max_files: int
) -> AsyncIterator[ReceivedForm]:
    """The form of ``request``, its files in temporary files of ``store`` that
    are removed on leaving unless ``store.keep`` took them."""
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or b"boundary" not in options:
        raise Invalid(_("Send the file as multipart/form-data."), code="not_multipart")
    with ExitStack() as stack:
        receiver = _Receiver(store, stack, max_file_bytes=max_file_bytes, max_files=max_files)
        callbacks = {
            name: getattr(receiver, name)
            for name in (
                "on_part_begin",
                "on_part_data",
                "on_part_end",
                "on_header_field",
                "on_header_value",
                "on_header_end",
                "on_headers_finished",
            )
        }
        parser = MultipartParser(options[b"boundary"], callbacks)
        try:
            async for chunk in request.stream():
                parser.write(chunk)
            parser.finalize()
        except FormParserError as broken:
            raise BadForm(_("The form could not be read.")) from broken
        for received in receiver.form.files:
            received.incoming.handle.flush()
        yield receiver.form
