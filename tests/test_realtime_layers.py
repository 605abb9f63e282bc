"""realtime/ is a leaf (ARCHITECTURE.md, "Growing without sprawl"): it imports
nothing from the services or the HTTP layers above it, and db.py, below it,
nothing from it. Read
from the modules' syntax trees, so that an import added anywhere is caught."""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_realtime_imports_nothing_above_it():
    """Services record events through it; the /ws endpoint (app/api/live.py) uses it."""
    above = (
        "app.api",
        "app.web",
        "app.services",
        "app.auth",
        "app.main",
        "app.cli",
        "app.middleware",
    )
    modules = sorted((APP / "realtime").glob("*.py"))
    assert len(modules) >= 4

    offending = {
        f"{path.name}: {module}"
        for path in modules
        for module in imported_modules(path)
        if module.startswith(above)
    }

    assert offending == set()


def test_db_imports_nothing_of_realtime():
    assert not {m for m in imported_modules(APP / "db.py") if m.startswith("app.realtime")}
