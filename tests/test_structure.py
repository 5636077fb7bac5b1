"""The project's shape: no import circle between its files, no oversized module.

docs/architecture.md states the rules: dependencies point one way (core <-
images <- editorial <- paywall <- the rest), so no two project files import
each other, directly or round a loop; and no module over 600 lines outside
tests, migrations, demo content and benchmarks. The layering is checked app
by app (``test_apps_import_only_what_lies_below_them``).

Every import counts, at module level or inside a function (a function-level
import still ties two files); imports under ``if TYPE_CHECKING:`` do not (they
never run). Relative imports are resolved, and ``from package import module``
is an import of that module. Tests and migrations are left out of the graph,
as ../shared/tools/import-circles leaves them out.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("lede", "config")
MAX_LINES = 600


# The layers, bottom first: an app of this list imports only the apps before
# it (docs/architecture.md §1).
LOWER_LAYERS = ("core", "images", "editorial", "paywall")
# The apps above them may use all of the lower layers; between themselves
# only these arrows exist. An app not named here (a new one) may use the
# lower layers and the apps of this row; the row's apps may not use it until
# it is added here.
TOP_ROW: dict[str, frozenset[str]] = {
    "accounts": frozenset(),
    "livefeed": frozenset(),
    "search": frozenset(),
    "payments": frozenset(),
    "syndication": frozenset(),
    "subscriptions": frozenset({"accounts", "payments"}),
    "wires": frozenset({"livefeed"}),
    "newsletters": frozenset({"accounts"}),
    "api": frozenset({"livefeed", "syndication", "wires"}),
}


# --- Which files count --------------------------------------------------------


def is_test_or_migration(relative: Path) -> bool:
    return (
        "tests" in relative.parts
        or "migrations" in relative.parts
        or relative.name.startswith("test_")
        or relative.name == "conftest.py"
    )


def is_demo_content(relative: Path) -> bool:
    """lede/<app>/demo*/ and lede/<app>/demo*.py, and any demo.py."""
    if relative.name == "demo.py":
        return True
    return (
        len(relative.parts) >= 3
        and relative.parts[0] == "lede"
        and relative.parts[2].startswith("demo")
    )


def project_files(root: Path, packages: Iterable[str] = PACKAGES) -> dict[str, Path]:
    """Dotted module name -> path relative to ``root``, tests and migrations out."""
    files: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root)
            if is_test_or_migration(relative):
                continue
            parts = relative.with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            files[".".join(parts)] = relative
    return files


# --- The import graph ---------------------------------------------------------


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


class _Imports(ast.NodeVisitor):
    """The dotted names a module imports, wherever the import statement is."""

    def __init__(self, module: str, is_package: bool) -> None:
        self.package = module if is_package else module.rpartition(".")[0]
        self.names: set[str] = set()

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node.test):
            for statement in node.orelse:  # the `else:` branch does run
                self.visit(statement)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        self.names.update(alias.name for alias in node.names)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            package = self.package
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = f"{package}.{base}" if base else package
        # `from package import name`: the module `name` if there is one, else
        # the package (the owner of `package.name`, found by _owner).
        self.names.update(f"{base}.{alias.name}" for alias in node.names)


def _owner(name: str, files: dict[str, Path]) -> str | None:
    """The project file that defines dotted ``name`` (the longest prefix)."""
    while name:
        if name in files:
            return name
        name = name.rpartition(".")[0]
    return None


def import_graph(root: Path, packages: Iterable[str] = PACKAGES) -> dict[str, set[str]]:
    files = project_files(root, packages)
    graph: dict[str, set[str]] = {}
    for module, relative in files.items():
        visitor = _Imports(module, relative.name == "__init__.py")
        visitor.visit(ast.parse((root / relative).read_text(encoding="utf-8"), str(relative)))
        targets: set[str] = set()
        for name in visitor.names:
            owner = _owner(name, files)
            # A module's own package __init__ runs before it anyway: not an edge.
            if owner is None or owner == module or module.startswith(owner + "."):
                continue
            targets.add(owner)
        graph[module] = targets
    return graph


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; only the components of two or more."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            advanced = False
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = counter
                    counter += 1
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph.get(successor, ())))))
                    advanced = True
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            if advanced:
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
                    found.append(sorted(component))
    return sorted(found)


def describe(circles: list[list[str]], graph: dict[str, set[str]]) -> str:
    lines = [f"{len(circles)} import circle(s) between project files:"]
    for number, circle in enumerate(circles, 1):
        lines.append(f"circle {number}: {len(circle)} files")
        members = set(circle)
        for module in circle:
            lines.extend(f"  {module} -> {target}" for target in sorted(graph[module] & members))
    return "\n".join(lines)


# --- The tests ----------------------------------------------------------------


def test_no_import_circle_between_project_files() -> None:
    graph = import_graph(ROOT)
    circles = strongly_connected(graph)
    assert not circles, describe(circles, graph)


def oversized_modules(root: Path = ROOT) -> list[tuple[str, int]]:
    big = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root)
            if is_test_or_migration(relative) or is_demo_content(relative):
                continue
            with path.open(encoding="utf-8") as handle:
                count = sum(1 for _ in handle)
            if count > MAX_LINES:
                big.append((str(relative), count))
    return big


def test_no_module_over_600_lines() -> None:
    big = oversized_modules()
    assert not big, f"modules over {MAX_LINES} lines (split them by sub-domain): " + ", ".join(
        f"{name} ({count})" for name, count in big
    )


def is_test_support(relative: Path) -> bool:
    """Helpers for the tests (lede/core/testing/) build whole publications:
    they may reach every app, as the tests do."""
    return "testing" in relative.parts


def _app(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "lede" and len(parts) > 1 else None


def allowed_apps(app: str) -> set[str] | None:
    """The apps ``app`` may import (itself included); None: any of the top row."""
    if app in LOWER_LAYERS:
        return set(LOWER_LAYERS[: LOWER_LAYERS.index(app) + 1])
    if app in TOP_ROW:
        return {*LOWER_LAYERS, app, *TOP_ROW[app]}
    return None


def layering_violations(root: Path = ROOT) -> list[str]:
    files = project_files(root)
    graph = import_graph(root)
    found = []
    for module, targets in sorted(graph.items()):
        app = _app(module)
        relative = files[module]
        if app is None or is_demo_content(relative) or is_test_support(relative):
            continue
        allowed = allowed_apps(app)
        for target in sorted(targets):
            other = _app(target)
            if other is None or other == app:
                continue
            if allowed is None:
                ok = other in LOWER_LAYERS or other in TOP_ROW or allowed_apps(other) is None
            else:
                ok = other in allowed
            if not ok:
                found.append(f"{module} -> {target}")
    return found


def test_apps_import_only_what_lies_below_them() -> None:
    found = layering_violations()
    assert not found, (
        "imports against the layers (core <- images <- editorial <- paywall <- the rest; "
        "see docs/architecture.md §1; a lower layer calls a handler the higher one "
        "registers; a new arrow between apps of the top row goes in TOP_ROW, with "
        "its reason in architecture.md):\n" + "\n".join(found)
    )


# --- The detector itself, on a tree made for it --------------------------------


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_the_detector_counts_every_kind_of_import(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "lede/__init__.py": "",
            "lede/a/__init__.py": "",
            "lede/a/models.py": "def f():\n    from lede.b import views\n",  # function-level
            "lede/a/selectors.py": "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from lede.b.views import V\n",  # never runs
            "lede/b/__init__.py": "",
            "lede/b/views.py": "from ..a import models\n",  # relative, package import form
            "lede/c/__init__.py": "",
            "lede/c/one.py": "import lede.c.two\n",
            "lede/c/two.py": "from .three import X\n",
            "lede/c/three.py": "from lede.c.one import Y\n",
            "lede/c/tests/__init__.py": "",
            "lede/c/tests/test_one.py": "from lede.a import selectors\n",  # tests: out
            "lede/d.py": "from lede.a import selectors\n",
            "config/__init__.py": "",
            "config/urls.py": "from lede.a.selectors import *\n",
        },
    )
    graph = import_graph(tmp_path)
    assert "lede.c.tests.test_one" not in graph
    assert graph["lede.a.selectors"] == set()
    assert graph["lede.d"] == {"lede.a.selectors"}
    assert strongly_connected(graph) == [
        ["lede.a.models", "lede.b.views"],
        ["lede.c.one", "lede.c.three", "lede.c.two"],
    ]


def test_the_layering_rule(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "lede/__init__.py": "",
            "lede/core/__init__.py": "",
            "lede/core/a.py": "from lede.editorial import b\n",  # upward: refused
            "lede/core/testing/__init__.py": "",
            "lede/core/testing/f.py": "from lede.editorial import b\n",  # test support
            "lede/editorial/__init__.py": "",
            "lede/editorial/b.py": "from lede.core import a\n",
            "lede/payments/__init__.py": "",
            "lede/payments/c.py": "from lede.subscriptions import d\n",  # refused
            "lede/subscriptions/__init__.py": "",
            "lede/subscriptions/d.py": "from lede.payments import c\n",
            "lede/obituaries/__init__.py": "",
            "lede/obituaries/e.py": "from lede.subscriptions import d\n",  # a new app
        },
    )
    assert layering_violations(tmp_path) == [
        "lede.core.a -> lede.editorial.b",
        "lede.payments.c -> lede.subscriptions.d",
    ]


def test_demo_content_and_tests_are_not_held_to_the_size_limit() -> None:
    assert is_demo_content(Path("lede/editorial/demo/articles.py"))
    assert is_demo_content(Path("lede/wires/demo_samples/build.py"))
    assert is_demo_content(Path("lede/core/demo.py"))
    assert not is_demo_content(Path("lede/subscriptions/services.py"))
    assert is_test_or_migration(Path("lede/wires/tests/test_parsers.py"))
    assert is_test_or_migration(Path("lede/core/migrations/0001_initial.py"))
