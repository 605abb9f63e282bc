"""Keeps docs/api.md's table of error codes in step with the code that raises them.

    python tools/error_codes.py          # rewrite the table in docs/api.md
    python tools/error_codes.py --check  # exit 1 when the table and the code differ

The codes are read from the source, not written by hand: every error class of
app/errors.py with its status and default code, every ``code="..."`` given to
one of them where it is raised, and the codes the framework's errors map to
(app/api/errors.py). A code raised under two statuses appears under each.
"""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
API_DOC = ROOT / "docs" / "api.md"
START, END = "<!-- error-codes:start -->", "<!-- error-codes:end -->"
# What the statuses mean to a client, in the table's first column.
STATUS_NOTES = {429: "with a `Retry-After` header in seconds"}


def error_classes(tree: ast.Module) -> dict[str, tuple[int, str]]:
    """{class name: (status, default code)} for AppError and its subclasses."""
    classes: dict[str, tuple[int, str]] = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        inherited = next(
            (
                classes[base.id]
                for base in node.bases
                if isinstance(base, ast.Name) and base.id in classes
            ),
            None,
        )
        if node.name != "AppError" and inherited is None:
            continue
        status, code = inherited or (400, "")
        for statement in node.body:
            if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant):
                for target in statement.targets:
                    if isinstance(target, ast.Name) and target.id == "status":
                        status = statement.value.value
                    if isinstance(target, ast.Name) and target.id == "code":
                        code = statement.value.value
        classes[node.name] = (status, code)
    return classes


def _with_status(call: ast.Call) -> int | None:
    """``AppError(..., code=...).with_status(422)``: the status given there."""
    parent = getattr(call, "parent", None)
    grand = getattr(parent, "parent", None)
    if (
        isinstance(parent, ast.Attribute)
        and parent.attr == "with_status"
        and isinstance(grand, ast.Call)
        and grand.args
        and isinstance(grand.args[0], ast.Constant)
    ):
        return grand.args[0].value
    return None


def raised_codes() -> dict[int, set[str]]:
    """{status: codes} as the application can answer them."""
    classes = error_classes(ast.parse((ROOT / "app" / "errors.py").read_text()))
    found: dict[int, set[str]] = {}
    for status, code in classes.values():
        found.setdefault(status, set()).add(code)
    for path in sorted((ROOT / "app").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                child.parent = node  # type: ignore[attr-defined]
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id not in classes:
                continue
            for keyword in node.keywords:
                if keyword.arg == "code" and isinstance(keyword.value, ast.Constant):
                    status = _with_status(node) or classes[node.func.id][0]
                    found.setdefault(status, set()).add(keyword.value.value)
    framework = ast.parse((ROOT / "app" / "api" / "errors.py").read_text())
    for node in ast.walk(framework):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "HTTP_CODES" for t in node.targets
        ):
            for key, value in zip(node.value.keys, node.value.values, strict=True):
                found.setdefault(key.value, set()).add(value.value)
    found.setdefault(500, set()).add("internal")
    return found


def table(codes: dict[int, set[str]]) -> str:
    lines = ["| status | codes |", "| --- | --- |"]
    for status in sorted(codes):
        listed = ", ".join(f"`{code}`" for code in sorted(codes[status]))
        note = STATUS_NOTES.get(status)
        lines.append(f"| {status} | {listed}{'; ' + note if note else ''} |")
    return "\n".join(lines)


def rewritten(document: str, codes: dict[int, set[str]]) -> str:
    before, rest = document.split(START, 1)
    _old, after = rest.split(END, 1)
    return f"{before}{START}\n{table(codes)}\n{END}{after}"


def main(argv: list[str]) -> int:
    document = API_DOC.read_text()
    wanted = rewritten(document, raised_codes())
    if "--check" in argv:
        if wanted != document:
            print("docs/api.md: the error table is out of date; run tools/error_codes.py")
            return 1
        return 0
    API_DOC.write_text(wanted)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
