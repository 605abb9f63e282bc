"""Which errors an operation can answer, read from the code that raises them.

The API document declares, per operation, every status and ``code`` it may
answer; docs/api.md's table is the union of those. Both are read here from the
functions themselves rather than written by hand beside each route, so that a
new ``raise Conflict(..., code="...")`` in a service reaches the document and the
docs without anyone remembering to: they agree with the code by construction.

The reading follows what a route calls, through the names Python itself
resolves (the function's globals and closure), into every function of the
application it reaches, and collects each error class instantiated there with
its ``code=`` (``with_status`` is for the framework's errors, not followed here).
It over-approximates (a branch never taken still counts), which a document may
do; what it cannot see is a call through an attribute of an object
(``self.x()``), which no route relies on to raise: tests/document_check.py
checks every error the test suite provokes against the document.
"""

import ast
import builtins
import inspect
import textwrap
import types
from collections.abc import Callable, Iterable
from functools import cache

from app.errors import AppError

Codes = dict[int, set[str]]


def codes_raised(functions: Iterable[Callable]) -> Codes:
    """{status: codes} of the errors ``functions`` and all they call may raise."""
    found: Codes = {}
    for function in _reached(functions):
        for status, code in _read(function)[1]:
            found.setdefault(status, set()).add(code)
    return found


def _ours(thing: object) -> bool:
    return (getattr(thing, "__module__", None) or "").split(".")[0] == "app"


def _reached(functions: Iterable[Callable]) -> list[Callable]:
    seen: dict[object, Callable] = {}
    waiting = [inspect.unwrap(f) for f in functions]
    while waiting:
        function = waiting.pop()
        code = getattr(function, "__code__", None)
        # Methods a dataclass wrote for itself have no source, and raise nothing.
        if code is None or code in seen or not _ours(function) or code.co_filename[0] == "<":
            continue
        seen[code] = function
        waiting.extend(_read(function)[0])
    return list(seen.values())


@cache
def _read(function: Callable) -> tuple[list[Callable], list[tuple[int, str]]]:
    """What ``function`` names of the application's (the functions it calls or
    passes on, the methods of the classes it names), and the (status, code) of
    the errors it builds."""
    names = _names(function)
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    named: list[Callable] = []
    raised: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            raised.extend(
                (target.status, _code(node, target))
                for target in _resolve(node.func, names)
                if isinstance(target, type) and issubclass(target, AppError)
            )
        for target in _resolve(node, names):
            if isinstance(target, type) and issubclass(target, AppError):
                continue
            if isinstance(target, type) and _ours(target):
                named.extend(
                    inspect.unwrap(member)
                    for member in vars(target).values()
                    if inspect.isfunction(member)
                )
            elif inspect.isfunction(target) or inspect.ismethod(target):
                named.append(inspect.unwrap(target))
    return named, raised


def _code(call: ast.Call, error: type[AppError]) -> str:
    """The ``code=`` a call gives its error, else the class's own."""
    return next(
        (
            keyword.value.value
            for keyword in call.keywords
            if keyword.arg == "code" and isinstance(keyword.value, ast.Constant)
        ),
        error.code,
    )


def _names(function: Callable) -> dict[str, object]:
    """What a bare name means inside ``function``: its closure, its module's
    globals, the builtins."""
    closure = inspect.getclosurevars(function).nonlocals
    return {**vars(builtins), **function.__globals__, **closure}


def _resolve(node: ast.AST, names: dict[str, object]) -> list[object]:
    """The object a ``name`` or ``module.name`` (or ``Class.method``) expression
    denotes, when Python would find it without running anything."""
    if isinstance(node, ast.Name) and node.id in names:
        return [names[node.id]]
    if isinstance(node, ast.Attribute):
        for owner in _resolve(node.value, names):
            if isinstance(owner, (types.ModuleType, type)) and hasattr(owner, node.attr):
                return [getattr(owner, node.attr)]
    return []
