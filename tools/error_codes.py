"""Keeps docs/api.md's table of error codes in step with the API document.

    python tools/error_codes.py          # rewrite the table in docs/api.md
    python tools/error_codes.py --check  # exit 1 when the table and the document differ

The table is the union, per status, of the codes the API document declares for
its operations (read from the code that raises them: app/api/error_codes.py),
plus what any path may answer: 404 for a path that is no operation, 405 for a
method it does not take, 500 for a fault of ours. A code given under two
statuses appears under each.
"""

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.api.errors import HTTP_CODES, INTERNAL  # noqa: E402
from app.api.openapi import declared_codes  # noqa: E402

API_DOC = ROOT / "docs" / "api.md"
START, END = "<!-- error-codes:start -->", "<!-- error-codes:end -->"
ANY_PATH = {404: {HTTP_CODES[404]}, 405: {HTTP_CODES[405]}, 500: {INTERNAL}}
# What the statuses mean to a client, in the table's last column.
STATUS_NOTES = {
    405: "any path, for a method it does not take, with an `Allow` header",
    429: "with a `Retry-After` header in seconds",
    500: "any path: a fault of ours, logged",
}


def documented_codes(document: dict[str, Any]) -> dict[int, set[str]]:
    """{status: codes} over every operation of the API document, and any path's."""
    found: dict[int, set[str]] = {status: set(codes) for status, codes in ANY_PATH.items()}
    for operations in document["paths"].values():
        for operation in operations.values():
            for status, codes in declared_codes(operation).items():
                found.setdefault(status, set()).update(codes)
    return found


def table(codes: dict[int, set[str]]) -> str:
    lines = ["| status | codes | note |", "| --- | --- | --- |"]
    for status in sorted(codes):
        listed = ", ".join(f"`{code}`" for code in sorted(codes[status]))
        lines.append(f"| {status} | {listed} | {STATUS_NOTES.get(status, '')} |")
    return "\n".join(lines)


def rewritten(text: str, codes: dict[int, set[str]]) -> str:
    before, rest = text.split(START, 1)
    _old, after = rest.split(END, 1)
    return f"{before}{START}\n{table(codes)}\n{END}{after}"


def main(argv: list[str]) -> int:
    from app.main import create_app

    text = API_DOC.read_text()
    wanted = rewritten(text, documented_codes(create_app().openapi()))
    if "--check" in argv:
        if wanted != text:
            print("docs/api.md: the error table is out of date; run tools/error_codes.py")
            return 1
        return 0
    API_DOC.write_text(wanted)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
