"""The house plan holds: few modules directly in console/, no import cycle between folders, main.py only the entry
point. The layers themselves are checked by the import-linter contracts in pyproject.toml (the test command runs
``lint-imports`` before pytest)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("console", "widgets", "storage", "camera")


def folder_graph() -> dict[str, set[str]]:
    """folder → the folders its modules import; a package and its own subpackages are one family and not counted."""
    graph = grimp.build_graph(*PACKAGES)

    def folder(module: str) -> str:
        return module if graph.find_children(module) else module.rpartition(".")[0] or module

    edges: dict[str, set[str]] = defaultdict(set)
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            a, b = folder(module), folder(imported)
            if a != b and not a.startswith(b + ".") and not b.startswith(a + "."):
                edges[a].add(b)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one folder (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in list(edges):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle_between_folders() -> None:
    edges = folder_graph()
    assert "console.app" in edges and "widgets.panels" in edges  # the graph is the real one
    assert cycles(edges) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_console_keeps_its_modules_in_packages() -> None:
    modules = sorted(p.name for p in (ROOT / "console").glob("*.py"))
    assert len(modules) <= 12, modules


def test_main_is_the_entry_point_only() -> None:
    lines = (ROOT / "main.py").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 100
