"""Every cache key is built in lede/core/caching/keys.py.

An AST scan of lede/: for each call on the shared cache (``cache.get(...)``,
``caches["default"].set(...)``, ...) the key argument is followed back
through local and module-level assignments and through helper functions of
the same module. If a string literal or an f-string reaches it without
passing through ``keys`` (``keys.X``, ``keys.f(...)``, or a name imported
from keys.py), the key was made outside its one home, where
docs/caching.md's register cannot see it.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LEDE = ROOT / "lede"
KEYS_MODULE = "lede.core.caching.keys"

#: Cache methods whose first argument is a key (or a list of keys).
KEY_METHODS = frozenset(
    {
        "get",
        "set",
        "add",
        "incr",
        "decr",
        "delete",
        "touch",
        "has_key",
        "get_or_set",
        "get_many",
        "set_many",
        "delete_many",
        "incr_version",
        "decr_version",
    }
)

#: Parts of lede/ the scan skips, and why.
ALLOWED = {
    "tests": "tests set and read keys by hand to check what the code stored",
    "migrations": "migrations never touch the cache; frozen history is not rewritten",
    "bench": "benchmarks prime and read caches on purpose",
}
KEYS_FILE = LEDE / "core" / "caching" / "keys.py"


def _is_cache_receiver(node: ast.expr) -> bool:
    """``cache``, ``something.cache``, ``caches[...]``."""
    if isinstance(node, ast.Name):
        return node.id == "cache"
    if isinstance(node, ast.Attribute):
        return node.attr == "cache"
    if isinstance(node, ast.Subscript):
        return isinstance(node.value, ast.Name) and node.value.id == "caches"
    return False


class _Module:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        self.keys_aliases: set[str] = set()  # names bound to the keys module
        self.from_keys: set[str] = set()  # names imported from keys.py
        self.functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        for node in ast.walk(self.tree):
            if isinstance(node, ast.ImportFrom):
                module = self._absolute(node)
                for alias in node.names:
                    if module == KEYS_MODULE:
                        self.from_keys.add(alias.asname or alias.name)
                    elif module == "lede.core.caching" and alias.name == "keys":
                        self.keys_aliases.add(alias.asname or alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == KEYS_MODULE and alias.asname:
                        self.keys_aliases.add(alias.asname)
        for node in self.tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self.functions[node.name] = node

    def _absolute(self, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        package = self.path.relative_to(ROOT).with_suffix("").parts[: -node.level]
        return ".".join([*package, *([node.module] if node.module else [])])

    def _rooted_in_keys(self, node: ast.expr) -> bool:
        while isinstance(node, ast.Attribute | ast.Call):
            node = node.func if isinstance(node, ast.Call) else node.value
        return isinstance(node, ast.Name) and (
            node.id in self.keys_aliases or node.id in self.from_keys
        )

    @staticmethod
    def _assigned(scope: ast.AST, name: str) -> list[ast.expr]:
        values: list[ast.expr] = []
        for node in ast.walk(scope):
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, ast.AnnAssign | ast.AugAssign) and node.value is not None:
                targets = [node.target]
            else:
                continue
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                assert node.value is not None
                values.append(node.value)
        return values

    def literals(self, node: ast.AST, scope: ast.AST, seen: set[int]) -> list[ast.AST]:
        """String literals and f-strings that reach ``node`` not through keys."""
        if id(node) in seen:
            return []
        seen = seen | {id(node)}
        if isinstance(node, ast.expr) and self._rooted_in_keys(node):
            return []
        if isinstance(node, ast.JoinedStr):
            return [node]
        if isinstance(node, ast.Constant):
            return [node] if isinstance(node.value, str) else []
        if isinstance(node, ast.Name):
            if node.id in self.from_keys:
                return []
            found: list[ast.AST] = []
            values = self._assigned(scope, node.id) if scope is not self.tree else []
            if not values:
                values = [
                    v
                    for stmt in self.tree.body
                    if isinstance(stmt, ast.Assign | ast.AnnAssign)
                    for v in self._assigned(stmt, node.id)
                ]
                scope = self.tree
            for value in values:
                found += self.literals(value, scope, seen)
            return found  # a parameter: its callers are scanned in turn
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            helper = self.functions.get(node.func.id)
            if helper is not None:
                found = []
                for stmt in ast.walk(helper):
                    if isinstance(stmt, ast.Return) and stmt.value is not None:
                        found += self.literals(stmt.value, helper, seen)
                return found
        if isinstance(node, ast.Lambda | ast.FunctionDef):
            return []
        found = []
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.keyword):
                continue  # default=..., timeout=...: not part of the key
            found += self.literals(child, scope, seen)
        return found

    def violations(self) -> list[str]:
        out: list[str] = []
        where = self.path.relative_to(ROOT)

        def visit(node: ast.AST, scope: ast.AST) -> None:
            for child in ast.iter_child_nodes(node):
                is_function = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
                inner = child if is_function else scope
                if (
                    isinstance(child, ast.Call)
                    and isinstance(child.func, ast.Attribute)
                    and child.func.attr in KEY_METHODS
                    and _is_cache_receiver(child.func.value)
                    and child.args
                ):
                    for literal in self.literals(child.args[0], scope, set()):
                        out.append(
                            f"{where}:{child.lineno}: cache.{child.func.attr}() key built from "
                            f"{ast.unparse(literal)!s} (line {literal.lineno}), not keys.py"
                        )
                visit(child, inner)

        visit(self.tree, self.tree)
        return out


def _scanned_files() -> list[Path]:
    files = []
    for path in sorted(LEDE.rglob("*.py")):
        parts = set(path.relative_to(LEDE).parts[:-1])
        if parts & ALLOWED.keys() or path == KEYS_FILE:
            continue
        files.append(path)
    return files


def test_cache_keys_are_built_in_keys_py() -> None:
    problems = [p for path in _scanned_files() for p in _Module(path).violations()]
    assert problems == [], "\n".join(problems)


def test_the_scan_sees_a_key_built_elsewhere(tmp_path: Path) -> None:
    """The scan can fail: literals, f-strings, constants and helpers are found;
    keys.py's names are not."""
    bad = LEDE / "syndication" / "_scan_probe.py"
    source = (
        "from django.core.cache import cache, caches\n"
        "from lede.core.caching import keys\n"
        "from lede.core.caching.keys import LEGAL_LINKS_KEY\n"
        "KEY = 'x:constant'\n"
        "def _key(n):\n"
        "    return f'x:helper:{n}'\n"
        "def f(n, given):\n"
        "    cache.get('x:literal')\n"
        "    caches['default'].set(f'x:{n}', 1)\n"
        "    cache.delete(KEY)\n"
        "    local = 'x:' + str(n)\n"
        "    cache.incr(local)\n"
        "    cache.get_many([_key(n)])\n"
        "    cache.get(keys.count_key(n, 'total'))\n"
        "    cache.get(keys.CHROME.key, 'default')\n"
        "    cache.get(LEGAL_LINKS_KEY)\n"
        "    cache.get(given)\n"
    )
    probe = _Module.__new__(_Module)
    probe.path = bad
    tree = ast.parse(source)
    probe.tree = tree
    probe.keys_aliases = {"keys"}
    probe.from_keys = {"LEGAL_LINKS_KEY"}
    probe.functions = {
        n.name: n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    lines = sorted({int(v.split(":")[1]) for v in probe.violations()})
    assert lines == [8, 9, 10, 12, 13]
