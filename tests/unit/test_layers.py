"""The import rules of STYLE.md section 1, enforced on every module.

Two kinds of checks: no forbidden edge between layers (``FORBIDDEN``), and no import cycle
inside a package. The cycle check builds the module import graph from the AST of every module
under keystore/, chains/, wallet/, primitives/ and gui/, with every import statement: at the
top, inside functions, and under ``if TYPE_CHECKING:`` too. A type-only import never runs,
but it is still a dependency: a worker module that names the account or wallet type it is
handed "takes the account back" (STYLE.md section 1), which is the loop this check is for.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import deque
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
NETWORK_LIBS = {
    "web3",
    "requests",
    "aiohttp",
    "httpx",
    "websockets",
    "urllib3",
    "socket",
    "http",
    "ssl",
}
FORBIDDEN: dict[str, set[str]] = {
    "keystore": {"chains", "wallet", "gui", "PySide6"} | NETWORK_LIBS,
    "primitives": {"chains", "wallet", "gui", "keystore", "PySide6"} | NETWORK_LIBS,
    "chains": {"keystore", "wallet", "gui", "PySide6"},
    "wallet": {"gui", "PySide6"},
    "gui": {"chains", "keystore", "primitives"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


MODULES = sorted(p for package in FORBIDDEN for p in (ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(ROOT)) for p in MODULES])
def test_no_forbidden_import_edge(path: Path) -> None:
    package = path.relative_to(ROOT).parts[0]
    bad = _imports(path) & FORBIDDEN[package]
    assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_keystore_loads_no_network_code() -> None:
    modules = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts)
        for p in (ROOT / "keystore").rglob("*.py")
        if p.name != "__init__.py"
    )
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'web3', 'requests', 'aiohttp', 'httpx', 'websockets', 'urllib3', 'chains', 'wallet'}"
        " or m in {'http.client', 'ssl'})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True
    ).stdout.strip()
    assert out == "", f"importing keystore loaded: {out}"


# -- import cycles -------------------------------------------------------------------------------


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_nodes(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """Yield every import statement of a module, at any depth."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node


def _resolve(name: str, known: set[str]) -> str | None:
    """Return the longest prefix of a dotted name that is one of our modules."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in known:
            return candidate
    return None


def _edges(path: Path, module: str, known: set[str]) -> set[str]:
    """Return the modules of ours that ``path`` imports (at import time or when called)."""
    tree = ast.parse(path.read_text("utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in _import_nodes(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            if node.level:
                base_parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            # ``from pkg import name`` imports the submodule ``pkg.name`` when there is one.
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                for alias in node.names
            ]
        found |= {t for t in (_resolve(name, known) for name in targets) if t is not None}
    found.discard(module)
    return found


def import_graph(root: Path, packages: tuple[str, ...]) -> dict[str, set[str]]:
    """Return module -> the modules of ours it imports, for every module under ``packages``."""
    paths = {
        _module_name(p, root): p for package in packages for p in (root / package).rglob("*.py")
    }
    known = set(paths)
    return {module: _edges(path, module, known) for module, path in paths.items()}


def find_cycles(graph: Mapping[str, set[str]]) -> list[tuple[str, ...]]:
    """Return each group of modules that import one another in a loop, sorted.

    The groups are the strongly connected components of more than one module (Tarjan's
    algorithm, iterative); a module cannot import itself here (``_edges`` drops that).
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[tuple[str, ...]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            advanced = False
            for nxt in successors:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph.get(nxt, ())))))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(tuple(sorted(group)))
    return sorted(groups)


def shortest_loop(graph: Mapping[str, set[str]], group: tuple[str, ...]) -> list[str]:
    """Return a shortest loop through the group's first module: ``[a, b, ..., a]``."""
    start = group[0]
    members = set(group)
    parents: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in sorted(graph.get(node, ())):
            if nxt == start:
                path = [node]
                while (parent := parents[path[-1]]) is not None:
                    path.append(parent)
                return [*reversed(path), start]
            if nxt in members and nxt not in parents:
                parents[nxt] = node
                queue.append(nxt)
    raise AssertionError(f"{group} is not a loop")


def _file(module: str) -> str:
    path = ROOT.joinpath(*module.split("."))
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    return str(path.relative_to(ROOT))


GRAPH = import_graph(ROOT, tuple(FORBIDDEN))


@pytest.mark.parametrize("package", tuple(FORBIDDEN))
def test_no_import_cycle_inside_a_package(package: str) -> None:
    loops = [
        group
        for group in find_cycles(GRAPH)
        if any(m == package or m.startswith(package + ".") for m in group)
    ]
    report = [
        f"{len(group)} files import one another in a loop: {', '.join(_file(m) for m in group)}"
        f"\n  for example {' -> '.join(_file(m) for m in shortest_loop(GRAPH, group))}"
        for group in loops
    ]
    assert not loops, "\n".join(report)


def test_cycle_finder_names_every_loop_and_nothing_else() -> None:
    graph = {
        "a": {"b"},
        "b": {"c"},
        "c": {"a", "d"},  # a -> b -> c -> a
        "d": {"e"},
        "e": {"d"},  # d <-> e, reached from the first loop but a loop of its own
        "f": {"a", "g"},  # imports into a loop without being part of one
        "g": set(),
        "h": {"h"},  # a self-import is not a cycle between files
    }
    assert find_cycles(graph) == [("a", "b", "c"), ("d", "e")]
    assert shortest_loop(graph, ("a", "b", "c")) == ["a", "b", "c", "a"]
    assert shortest_loop(graph, ("d", "e")) == ["d", "e", "d"]
    assert find_cycles({"x": {"y"}, "y": {"z"}, "z": set()}) == []


def test_import_graph_reads_function_level_and_type_checking_imports(
    tmp_path: Path,
) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "one.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from pkg import three\n"
        "def f() -> None:\n"
        "    from pkg.two import g\n"
    )
    (package / "two.py").write_text("from . import one\ndef g() -> None: ...\n")
    (package / "three.py").write_text("import pkg.one.f\n")
    (package / "four.py").write_text("from pkg import one as alias, missing\nimport json\n")
    graph = import_graph(tmp_path, ("pkg",))
    assert graph == {
        "pkg": set(),
        "pkg.one": {"pkg.two", "pkg.three"},
        "pkg.two": {"pkg.one"},
        "pkg.three": {"pkg.one"},
        "pkg.four": {"pkg", "pkg.one"},
    }
    assert find_cycles(graph) == [("pkg.one", "pkg.three", "pkg.two")]
