"""Where the bytes of files live: a local directory, content-addressed by
SHA-256 (``var/files/ab/cd/abcd…``), written to a temporary file in the same
directory tree and renamed into place, so that a crash leaves no half file and
two uploads of the same bytes share one copy.

Previews of an image are kept beside it under the same key with a suffix
(``abcd….small``). The interface is small (``temporary``, ``keep``, ``open``,
``delete``) so that another backend can stand behind it.
"""

import hashlib
import os
import re
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from starlette.responses import FileResponse, Response

CHUNK = 256 * 1024
SEND_CHUNK = 1024 * 1024
# A SHA-256 in hex, and for a preview its size's name: never a user's text.
KEY = re.compile(r"[0-9a-f]{64}(\.[a-z]+)?")


class Incoming:
    """A file being received: written to a temporary file, hashed as it comes."""

    def __init__(self, handle: BinaryIO, path: Path):
        self.handle = handle
        self.path = path
        self.size = 0
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.handle.write(data)
        self.digest.update(data)
        self.size += len(data)

    def rehash(self) -> None:
        """Its size and hash read again from disk, after something else (Pillow)
        wrote the file by its path."""
        self.digest, self.size = hashlib.sha256(), 0
        with self.path.open("rb") as written:
            while chunk := written.read(CHUNK):
                self.digest.update(chunk)
                self.size += len(chunk)

    @property
    def sha256(self) -> str:
        return self.digest.hexdigest()

    def discard(self) -> None:
        self.handle.close()
        self.path.unlink(missing_ok=True)


class LocalStore:
    """The bytes in a directory of this machine (``var/files`` by default)."""

    def __init__(self, root: Path):
        self.root = root
        self.incoming_dir = root / "incoming"

    def path_of(self, key: str) -> Path:
        if not KEY.fullmatch(key):
            raise ValueError("not a file key")
        return self.root / key[:2] / key[2:4] / key

    @contextmanager
    def temporary(self) -> Iterator[Incoming]:
        """A temporary file to receive bytes into; removed on leaving unless kept."""
        self.incoming_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor, name = tempfile.mkstemp(dir=self.incoming_dir, prefix="upload-")
        incoming = Incoming(os.fdopen(descriptor, "w+b"), Path(name))
        try:
            yield incoming
        finally:
            incoming.discard()

    def keep(self, incoming: Incoming, key: str | None = None) -> str:
        """Moves what was received into place under its SHA-256 (or ``key``); the
        same bytes already there are kept as they are."""
        key = key or incoming.sha256
        incoming.handle.flush()
        os.fsync(incoming.handle.fileno())
        incoming.handle.close()
        target = self.path_of(key)
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.replace(incoming.path, target)
        return key

    def response(self, key: str, *, media_type: str, headers: dict[str, str]) -> Response:
        """The bytes under ``key`` as an HTTP answer: Starlette's FileResponse
        sends them from disk in chunks and answers ranges (206, 416) itself."""
        response = FileResponse(self.path_of(key), media_type=media_type, headers=headers)
        response.chunk_size = SEND_CHUNK
        return response

    def exists(self, key: str) -> bool:
        return self.path_of(key).is_file()

    def open(self, key: str) -> BinaryIO:
        return self.path_of(key).open("rb")

    def size(self, key: str) -> int:
        return self.path_of(key).stat().st_size

    def delete(self, key: str) -> None:
        self.path_of(key).unlink(missing_ok=True)

    def clean_incoming(self, older_than_seconds: float) -> int:
        """Removes temporary files a crashed process left behind."""
        if not self.incoming_dir.is_dir():
            return 0
        removed = 0
        limit = time.time() - older_than_seconds
        for leftover in self.incoming_dir.iterdir():
            if leftover.stat().st_mtime < limit:
                leftover.unlink(missing_ok=True)
                removed += 1
        return removed
