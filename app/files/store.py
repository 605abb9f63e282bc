"""Where the bytes of files live: a local directory, content-addressed by
SHA-256 (``var/files/ab/cd/abcd…``), written to a temporary file in the same
directory tree and renamed into place, so that a crash leaves no half file and
two uploads of the same bytes share one copy.

Previews of an image are kept beside it under the same key with a suffix
(``abcd….small``). The interface is small (``temporary``, ``keep``,
``response``, ``exists``, ``delete``) so that another backend can stand behind
it: an S3-compatible bucket (``app/files/s3.py``), chosen by ``open_store``.
"""

import asyncio
import hashlib
import os
import re
import tempfile
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from starlette.responses import FileResponse, Response

from app.config import Settings

CHUNK = 256 * 1024
# A download is sent in chunks of this size (fewer trips through the event loop).
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


class Store(ABC):
    """What every store shares: uploads are received, sniffed and cleaned in
    local temporary files (under ``var/files/incoming``) whatever keeps them."""

    def __init__(self, root: Path):
        self.incoming_dir = root / "incoming"

    @staticmethod
    def checked(key: str) -> str:
        if not KEY.fullmatch(key):
            raise ValueError("not a file key")
        return key

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

    @abstractmethod
    async def keep(self, incoming: Incoming, key: str | None = None) -> str:
        """Keeps what was received under its SHA-256 (or ``key``) and returns the key."""

    @abstractmethod
    def response(self, key: str, *, media_type: str, headers: dict[str, str]) -> Response:
        """The bytes under ``key`` as an HTTP answer, ranges (206, 416) included."""

    @abstractmethod
    async def exists(self, key: str) -> bool:
        """Whether bytes are kept under ``key``."""

    @abstractmethod
    async def delete(self, key: str) -> None:
        """Removes the bytes under ``key``; nothing there is no error."""


class LocalStore(Store):
    """The bytes in a directory of this machine (``var/files`` by default)."""

    def __init__(self, root: Path):
        super().__init__(root)
        self.root = root

    def path_of(self, key: str) -> Path:
        key = self.checked(key)
        return self.root / key[:2] / key[2:4] / key

    async def keep(self, incoming: Incoming, key: str | None = None) -> str:
        """Moves what was received into place (the same bytes already there are
        kept as they are); fsync and rename off the event loop."""
        key = key or incoming.sha256
        await asyncio.to_thread(self._move, incoming, self.path_of(key))
        return key

    @staticmethod
    def _move(incoming: Incoming, target: Path) -> None:
        incoming.handle.flush()
        os.fsync(incoming.handle.fileno())
        incoming.handle.close()
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.replace(incoming.path, target)

    def response(self, key: str, *, media_type: str, headers: dict[str, str]) -> Response:
        """Starlette's FileResponse sends the bytes from disk in chunks and answers
        ranges (206, 416) itself."""
        response = FileResponse(self.path_of(key), media_type=media_type, headers=headers)
        response.chunk_size = SEND_CHUNK
        return response

    async def exists(self, key: str) -> bool:
        return self.path_of(key).is_file()

    def open(self, key: str) -> BinaryIO:
        return self.path_of(key).open("rb")

    def size(self, key: str) -> int:
        return self.path_of(key).stat().st_size

    async def delete(self, key: str) -> None:
        self.path_of(key).unlink(missing_ok=True)


def open_store(settings: Settings) -> Store:
    """The store ``RUCHE_FILE_STORE`` names. The S3 one is imported only when
    chosen: boto3 is an optional extra (``ruche[s3]``)."""
    if settings.file_store == "s3":
        from app.files.s3 import S3Store

        return S3Store(settings)
    return LocalStore(settings.files_dir)
