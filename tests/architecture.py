"""The portal's architecture rules as pure checks, for tests/test_architecture.py.

Every check takes the root of a source tree (``app.py``, ``pages/``, ``lib/``, …) and returns a list of
human-readable violations such as ``"pages/x.py:12 imports streamlit"``; an empty list means the tree
keeps the rule. Nothing here imports the portal: the files are read and parsed with :mod:`ast`, so a
check runs the same on the real tree and on a synthetic one built in a temporary directory, and a
module that would fail at import is still checked.

The shape the rules protect:

* **Pages are thin**: widgets → one ``lib`` call → render. The logic lives in ``lib/`` where it can be
  tested without Streamlit; a page holds no SQL and never imports another page.
* **Streamlit only at the edge**: ``app.py``, ``pages/`` and ``lib/ui/``. Everything else in ``lib/``
  is plain Python (the CLI, the worker, the bench and the unit tests import it without a Streamlit
  runtime).
* **The demo is isolated**: ``lib.demo`` generates a fake district; only the CLI, the tests and the
  bench may reach it, so no portal code path can depend on demo data.
* **No import cycles in lib/**: in a cycle, whichever module is imported first sees the other half
  initialised, so the program works or breaks depending on import order.
* **Packages say what they own** (their ``__init__`` docstring), and modules stay a readable size.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

SKIP_DIRS = {"__pycache__", ".venv", ".git", "node_modules"}

# Streamlit itself, and the third-party components built on it (streamlit_authenticator, …), which
# import Streamlit when they are imported.
STREAMLIT_MODULE = re.compile(r"^streamlit(_\w+)?(\.|$)")

# What SQL looks like in a string constant: a statement's first keywords (case-insensitive).
SQL_PATTERNS = [
    re.compile(r"\bSELECT\b.+\bFROM\b", re.IGNORECASE | re.DOTALL),
    re.compile(r"\bINSERT\s+(OR\s+\w+\s+)?INTO\b", re.IGNORECASE),
    re.compile(r"\bUPDATE\b\s+\w+\s+SET\b", re.IGNORECASE),
    re.compile(r"\bDELETE\s+FROM\b", re.IGNORECASE),
    re.compile(r"\bCREATE\s+(UNIQUE\s+)?(TABLE|INDEX)\b", re.IGNORECASE),
]
# Methods that run SQL on a connection (sqlite3, sqlite_utils.Database).
SQL_METHODS = {"execute", "executemany", "executescript", "query"}

MAX_MODULE_LINES = 950


# --- reading the tree --------------------------------------------------------------------------------


def python_files(root: Path, *parts: str) -> list[Path]:
    """The ``.py`` files under ``root/parts…`` (or that one file), sorted, skipping caches and venvs."""
    base = root.joinpath(*parts)
    if base.is_file():
        return [base] if base.suffix == ".py" else []
    if not base.is_dir():
        return []
    return sorted(p for p in base.rglob("*.py") if not SKIP_DIRS & set(p.relative_to(root).parts))


def rel(root: Path, path: Path) -> str:
    """``path`` relative to ``root``, with forward slashes (as violations name files)."""
    return path.relative_to(root).as_posix()


def module_name(root: Path, path: Path) -> str:
    """The dotted module name of a file: ``lib/core/db.py`` → ``lib.core.db``, ``lib/ui/__init__.py``
    → ``lib.ui``, ``app.py`` → ``app``."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@lru_cache(maxsize=1024)
def _parse(path: Path, mtime_ns: int, size: int) -> ast.Module:
    """Parse a file; cached on its path, modification time and size so that the checks share one parse."""
    return ast.parse(path.read_bytes(), filename=str(path))


def parse(path: Path) -> ast.Module:
    stat = path.stat()
    return _parse(path, stat.st_mtime_ns, stat.st_size)


@dataclass(frozen=True)
class Import:
    """One import in a file: the module it names (absolute, relative imports resolved) and, for
    ``from module import a, b``, the names it takes from it."""

    line: int
    module: str
    names: tuple[str, ...] = ()
    type_checking: bool = False  # under ``if TYPE_CHECKING:``: never runs

    def targets(self) -> list[str]:
        """Every dotted name the import may load: the module, and ``module.name`` for each name
        (``from lib import demo`` loads ``lib.demo``)."""
        return [self.module] + [f"{self.module}.{n}" for n in self.names if n != "*"]


def _is_type_checking(test: ast.expr) -> bool:
    """``if TYPE_CHECKING:`` or ``if typing.TYPE_CHECKING:``."""
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _resolve_relative(current: str, is_package: bool, level: int, module: str | None) -> str:
    """The absolute module of ``from <level dots><module> import …`` written in module ``current``."""
    parts = current.split(".") if current else []
    if not is_package:
        parts = parts[:-1]
    if level > 1:
        parts = parts[: len(parts) - (level - 1)]
    if module:
        parts.append(module)
    return ".".join(parts)


def imports(root: Path, path: Path) -> tuple[Import, ...]:
    """Every import in a file (see :func:`_imports`); cached like :func:`parse`."""
    stat = path.stat()
    return _imports(root, path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=1024)
def _imports(root: Path, path: Path, mtime_ns: int, size: int) -> tuple[Import, ...]:
    """Every import in a file, wherever it is — at the top, inside functions, under ``try`` — including
    ``importlib.import_module("x")`` and ``__import__("x")`` with a literal name. Imports under
    ``if TYPE_CHECKING:`` are returned too, marked (their ``else:`` branch does run)."""
    current = module_name(root, path)
    is_package = path.name == "__init__.py"
    found: list[Import] = []

    def visit(node: ast.AST, type_checking: bool) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                visit(child, True)
            for child in node.orelse:
                visit(child, type_checking)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append(Import(node.lineno, alias.name, (), type_checking))
        elif isinstance(node, ast.ImportFrom):
            module = (_resolve_relative(current, is_package, node.level, node.module) if node.level
                      else node.module or "")
            found.append(Import(node.lineno, module, tuple(a.name for a in node.names), type_checking))
        elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str) and not node.args[0].value.startswith(".")):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in ("import_module", "__import__"):
                found.append(Import(node.lineno, node.args[0].value, (), type_checking))
        for child in ast.iter_child_nodes(node):
            visit(child, type_checking)

    visit(parse(path), False)
    return tuple(found)


def _in(module: str, package: str) -> bool:
    """``module`` is ``package`` or inside it."""
    return module == package or module.startswith(package + ".")


# --- rule 1: Streamlit only in app.py, pages/ and lib/ui/ ---------------------------------------------


def check_streamlit_imports(root: Path) -> list[str]:
    """No module outside ``app.py``, ``pages/`` and ``lib/ui/`` imports Streamlit (or a Streamlit
    component such as ``streamlit_authenticator``), not even inside a function.

    Why: the logic in ``lib/`` runs in the CLI, the delivery worker, the bench and the unit tests, none of
    which has a Streamlit session; a lazy ``import streamlit`` in a helper still ties it to one. Pages
    and the shared widgets of ``lib/ui/`` are the only Streamlit code."""
    # lib/ outside lib/ui/, and any module beside app.py at the root. tests/ (AppTest), bench/ and docs/
    # are not the portal.
    top_level = sorted(p for p in root.glob("*.py") if p.name != "app.py")
    violations = []
    for path in top_level + python_files(root, "lib"):
        if _in(module_name(root, path), "lib.ui"):
            continue
        for imp in imports(root, path):
            if STREAMLIT_MODULE.match(imp.module):
                violations.append(f"{rel(root, path)}:{imp.line} imports {imp.module} (Streamlit belongs in "
                                  "app.py, pages/ and lib/ui/)")
    return violations


# --- rule 2: no SQL in pages/ and app.py --------------------------------------------------------------


def _docstring_nodes(tree: ast.Module) -> set[int]:
    """The ids of the docstring constants of a module and its classes and functions (prose, never run)."""
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                    and isinstance(first.value.value, str)):
                ids.add(id(first.value))
    return ids


def _strings(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """The string constants of a module with their lines, docstrings left out. An f-string counts as one
    string, its ``{…}`` parts as ``?`` (so ``f"SELECT {cols} FROM t"`` is seen whole)."""
    docstrings = _docstring_nodes(tree)
    inside_fstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            inside_fstrings.update(id(v) for v in node.values)
            yield node.lineno, "".join(v.value if isinstance(v, ast.Constant) else "?" for v in node.values)
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
              and id(node) not in inside_fstrings):
            yield node.lineno, node.value


def _is_db(node: ast.expr) -> bool:
    """``db`` or ``<anything>.db`` (``ctx.db``): the portal's database handle."""
    return (isinstance(node, ast.Name) and node.id == "db") or (isinstance(node, ast.Attribute) and node.attr == "db")


def check_no_sql_in_pages(root: Path) -> list[str]:
    """``app.py`` and ``pages/`` hold no SQL: no string that looks like a statement, no ``.execute(``,
    ``.executemany(``, ``.executescript(`` or ``.query(`` call, no ``db["table"]`` table access.

    Why: a page is widgets → one ``lib`` call → render. Queries in a page skip the scope checks, the
    audit trail and the write transaction that ``lib`` applies, and cannot be tested without Streamlit.
    (app.py may open the connection — ``connect()`` — and pass it on; it runs no statement.)"""
    violations = []
    for path in python_files(root, "app.py") + python_files(root, "pages"):
        tree = parse(path)
        where = rel(root, path)
        for line, text in _strings(tree):
            if any(p.search(text) for p in SQL_PATTERNS):
                snippet = " ".join(text.split())[:60]
                violations.append(f"{where}:{line} has SQL in a string: {snippet!r}")
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SQL_METHODS:
                violations.append(f"{where}:{node.lineno} calls .{node.func.attr}() (SQL belongs in lib/)")
            elif isinstance(node, ast.Subscript) and _is_db(node.value):
                violations.append(f"{where}:{node.lineno} accesses a table with {ast.unparse(node)} "
                                  "(SQL belongs in lib/)")
    return sorted(violations, key=_by_file_and_line)


def _by_file_and_line(violation: str) -> tuple[str, int]:
    where = violation.split(" ", 1)[0]
    path, _, line = where.rpartition(":")
    return (path, int(line)) if line.isdigit() else (where, 0)


# --- rule 3: no page imports a page -------------------------------------------------------------------


def check_no_page_imports(root: Path) -> list[str]:
    """No module in ``pages/`` or ``lib/`` imports ``pages`` or ``pages.*``; only app.py does, to register
    them.

    Why: a page is one url, and nothing runs at import (pages/__init__.py). A page that imports another
    couples two urls and runs the other's module for nothing; what pages share is a sub-view in
    ``lib/ui/``. And ``lib`` is below the pages: it never reaches up to them."""
    violations = []
    for path in python_files(root, "pages") + python_files(root, "lib"):
        for imp in imports(root, path):
            if _in(imp.module, "pages"):
                violations.append(f"{rel(root, path)}:{imp.line} imports {imp.module} (only app.py imports pages; "
                                  "share sub-views through lib/ui/)")
    return violations


# --- rule 4: the demo is isolated ---------------------------------------------------------------------


def check_demo_isolated(root: Path) -> list[str]:
    """Nothing in the portal imports ``lib.demo``: app.py, ``pages/`` and every ``lib`` module outside
    ``lib/demo/`` are checked; ``lib/cli.py`` (``make demo``), ``tests/`` and ``bench/`` may.

    Why: the demo district is generated test data. If the portal imported it, a production server would
    carry — and could start depending on — code that fabricates citizens, tips and pushes; the portal
    asks the database whether it holds demo data instead."""
    violations = []
    for path in python_files(root, "app.py") + python_files(root, "pages") + python_files(root, "lib"):
        name = module_name(root, path)
        if _in(name, "lib.demo") or name == "lib.cli":
            continue
        for imp in imports(root, path):
            hit = next((t for t in imp.targets() if _in(t, "lib.demo")), None)
            if hit:
                violations.append(f"{rel(root, path)}:{imp.line} imports {hit} (only lib/cli.py, tests/ and "
                                  "bench/ may use the demo)")
    return violations


# --- rule 5: no import cycles in lib/ -----------------------------------------------------------------


@dataclass(frozen=True)
class Edge:
    """``source`` imports ``target`` at ``path:line``."""

    target: str
    path: str
    line: int


def import_graph(root: Path) -> dict[str, dict[str, Edge]]:
    """The import graph of the ``lib`` modules: for each module, the ``lib`` modules it imports (with the
    first place it does).

    Every import statement counts, also one inside a function (a lazy import still forms a cycle: it
    only moves the failure to the first call), but not one under ``if TYPE_CHECKING:`` (it never runs).
    ``from lib.x import y`` is an edge to ``lib.x.y`` when that module exists, else to ``lib.x``;
    ``import lib.x.y`` to ``lib.x.y``. Parent packages are not added as edges (their ``__init__`` runs
    first, but the rule is about the modules named). A module importing itself is ignored."""
    files = {module_name(root, p): p for p in python_files(root, "lib")}

    def known(dotted: str) -> str | None:
        # The longest prefix of ``dotted`` that is a lib module (``import lib.x.y`` names lib.x.y).
        parts = dotted.split(".")
        while parts:
            if ".".join(parts) in files:
                return ".".join(parts)
            parts.pop()
        return None

    graph: dict[str, dict[str, Edge]] = {}
    for source, path in files.items():
        edges: dict[str, Edge] = {}
        for imp in imports(root, path):
            if imp.type_checking or not _in(imp.module, "lib"):
                continue
            candidates = [f"{imp.module}.{n}" if f"{imp.module}.{n}" in files else imp.module
                          for n in imp.names if n != "*"] or [imp.module]
            for candidate in candidates:
                target = known(candidate)
                if target and target != source and target not in edges:
                    edges[target] = Edge(target, rel(root, path), imp.line)
        graph[source] = edges
    return graph


def strongly_connected(graph: dict[str, dict[str, Edge]]) -> list[list[str]]:
    """Tarjan's strongly connected components (iterative), each sorted; only those that hold a cycle
    (more than one module: self-imports are not edges)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return sorted(components)


def _shortest_cycle(graph: dict[str, dict[str, Edge]], component: list[str]) -> list[str]:
    """A shortest cycle through the first module of a component, staying inside it (breadth-first)."""
    members = set(component)
    start = component[0]
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(graph[node]):
                if target not in members:
                    continue
                if target == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if target not in came_from:
                    came_from[target] = node
                    following.append(target)
        frontier = following
    return [start, start]  # not reached: a component of two or more modules has a cycle through each


def check_no_import_cycles(root: Path) -> list[str]:
    """No import cycle among the ``lib`` modules. One violation per strongly connected component: the
    modules in it, and one concrete cycle with the file and line of each import.

    Why: in a cycle, the module imported first runs to the import of the other, which then sees it half
    initialised: ``from a import f`` fails or works depending on which module some caller happened to
    import first, and a lazy import inside a function only moves the failure to the first call. A
    layered lib (core below the domains, ui on top) has no cycles by construction."""
    graph = import_graph(root)
    violations = []
    for component in strongly_connected(graph):
        cycle = _shortest_cycle(graph, component)
        steps = " → ".join(f"{a} ({graph[a][b].path}:{graph[a][b].line})" for a, b in pairwise(cycle))
        violations.append(f"import cycle among {', '.join(component)}: {steps} → {cycle[-1]}")
    return violations


# --- rule 6: every package says what it owns ----------------------------------------------------------


def check_package_docstrings(root: Path) -> list[str]:
    """Every package under ``lib/`` (``lib`` itself and every folder holding ``.py`` files) has an
    ``__init__.py`` whose module docstring says what it owns.

    Why: the packages are the map of the code (core, grids, pushes, tips, mediation, demo, ui, i18n); the
    docstring is where a reader learns what belongs in one before adding a module. A folder of modules
    without ``__init__.py`` would be a namespace package by accident."""
    violations = []
    lib = root / "lib"
    folders = {p.parent for p in python_files(root, "lib")} | ({lib} if lib.is_dir() else set())
    for folder in sorted(folders):
        init = folder / "__init__.py"
        where = rel(root, init)
        if not init.is_file():
            violations.append(f"{where}:1 is missing (every package under lib/ needs one, with a docstring)")
        elif not (ast.get_docstring(parse(init)) or "").strip():
            violations.append(f"{where}:1 has no docstring saying what {module_name(root, init)} owns")
    return violations


# --- rule 7: modules stay a readable size -------------------------------------------------------------


def check_module_size(root: Path, limit: int = MAX_MODULE_LINES) -> list[str]:
    """No module in ``lib/`` is longer than ``limit`` lines (a ceiling, not the target: see the test).

    Why: a module past this size is several things; split it by what it owns."""
    violations = []
    for path in python_files(root, "lib"):
        with path.open("rb") as f:
            lines = sum(1 for _ in f)
        if lines > limit:
            violations.append(f"{rel(root, path)}:{lines} is {lines} lines (over {limit}): split it")
    return violations


CHECKS = {
    "streamlit only in app.py, pages/ and lib/ui/": check_streamlit_imports,
    "no SQL in pages/ and app.py": check_no_sql_in_pages,
    "no page imports a page": check_no_page_imports,
    "the demo is isolated": check_demo_isolated,
    "no import cycles in lib/": check_no_import_cycles,
    "every lib package has a docstring": check_package_docstrings,
    "lib modules stay under the size ceiling": check_module_size,
}
