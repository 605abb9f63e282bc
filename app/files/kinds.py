"""What a file is, decided from its bytes (``filetype``'s signatures, then a
look at text), never from its name or the client's header; which kinds each
purpose accepts; and how each kind is served."""

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import filetype

from app.models import FilePurpose

SAMPLE = 8192

IMAGES = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}
DOCUMENTS = {
    "application/pdf": "pdf",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.ms-powerpoint": "ppt",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "application/rtf": "rtf",
    "application/epub+zip": "epub",
}
ARCHIVES = {
    "application/zip": "zip",
    "application/x-7z-compressed": "7z",
    "application/gzip": "gz",
    "application/x-tar": "tar",
    "application/x-bzip2": "bz2",
    "application/x-xz": "xz",
}
# Text is recognised by decoding, not by a signature; markup among it is told
# apart because a browser would run it.
TEXT = "text/plain"
HTML = "text/html"
SVG = "image/svg+xml"
TEXTS = {TEXT: "txt", HTML: "html", SVG: "svg"}

ACCEPTED = {
    FilePurpose.IMAGE: IMAGES,
    FilePurpose.AVATAR: IMAGES,
    FilePurpose.ATTACHMENT: {**IMAGES, **DOCUMENTS, **ARCHIVES, **TEXTS},
}
# Only these are ever shown in a page; every other kind is a download.
INLINE = frozenset(IMAGES)
# Served as bytes to save, never as markup a browser would run.
NEVER_RENDERED = frozenset({HTML, SVG})

_MARKUP = re.compile(rb"<\s*(!doctype\s+html|html|head|body|script|iframe|svg|\?xml)", re.I)


@dataclass(frozen=True)
class Kind:
    content_type: str
    extension: str


def sniff(path: Path) -> Kind | None:
    """The kind of the file at ``path`` from its first bytes; None when it is
    none Ruche knows."""
    with path.open("rb") as handle:
        head = handle.read(SAMPLE)
    guess = filetype.guess(head)
    if guess is not None:
        return Kind(guess.mime, guess.extension)
    if not _is_text(head):
        return None
    if _MARKUP.search(head[:1024]):
        return Kind(SVG, "svg") if b"<svg" in head.lower() else Kind(HTML, "html")
    return Kind(TEXT, "txt")


def _is_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        # A sample may end inside a character: up to three bytes of it may be cut.
        head.decode("utf-8") if len(head) < SAMPLE else _decode_cut(head)
    except UnicodeDecodeError:
        return False
    return True


def _decode_cut(head: bytes) -> str:
    for cut in range(4):
        try:
            return head[: len(head) - cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
    raise UnicodeDecodeError("utf-8", head, 0, len(head), "not text")


def kind_of(content_type: str) -> Kind:
    return Kind(content_type, ACCEPTED[FilePurpose.ATTACHMENT].get(content_type, "bin"))


def accepted(purpose: FilePurpose, kind: Kind | None) -> bool:
    return kind is not None and kind.content_type in ACCEPTED[purpose]


def accepted_extensions(purpose: FilePurpose) -> list[str]:
    return sorted(set(ACCEPTED[purpose].values()))


_CONTROL_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def is_control(char: str) -> bool:
    """Whether a character has no place in a file's name: a control, format,
    surrogate, private or unassigned character, a line or paragraph separator."""
    return unicodedata.category(char) in _CONTROL_CATEGORIES


MAX_NAME = 200
# The names text keeps: what opens in an editor or a spreadsheet. Any other
# (.bat, .ps1, .vbs, .hta, .sh, .js, .html...) could be run or rendered by the
# double-click of whoever downloads it: such text is offered as .txt.
PLAIN_TEXT_EXTENSIONS = frozenset(
    {"txt", "text", "md", "markdown", "rst", "csv", "tsv", "log", "json", "yaml", "yml", "toml"}
    | {"ini", "cfg", "conf", "sql", "diff", "patch", "tex", "ics", "vcf", "srt", "vtt"}
)


def clean_name(given: str, kind: Kind) -> str:
    """The name to offer on download: the last part of what the client sent (no
    folders, no ``..``), without control characters, with the extension of what
    the file is (``photo.pdf`` holding a PNG becomes ``photo.png``)."""
    name = unicodedata.normalize("NFC", given).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(" " if is_control(char) else char for char in name)
    name = " ".join(name.split()).strip(". ")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    if kind.content_type == TEXT and extension.lower() in PLAIN_TEXT_EXTENSIONS:
        wanted = extension.lower()
    else:
        wanted = ACCEPTED[FilePurpose.ATTACHMENT].get(kind.content_type, kind.extension)
    stem = stem.strip(". ")[: MAX_NAME - len(wanted) - 1] or "file"
    return f"{stem}.{wanted}"
