"""cachelint's modules depend on each other in one direction: no import cycles, and each layer
imports only from itself and the layers below it.

The imports are read from the sources (the stdlib parser; nothing is imported), including
imports inside functions, which cachelint uses to keep start-up cheap: a lazy import is
still a dependency. Imports under `if TYPE_CHECKING:` are left out, since they never run.

The layers, lowest first (`LAYERS`):

- base: plain data and helpers every stage reads (diagnostics, source files, data tables,
  globs, settings, signals, room on the frame stack, atomic writes, the byte prefilter,
  import scanning);
- analysis: from source files to the `Request` model;
- rule API: what a rule is (`rule`) and what it sees (`context`);
- fix: building edits (for the rules) and applying them until stable (for the command);
- rules: one module per rule, with the helpers they share;
- registry: rules by code and name;
- configuration, suppression comments, the cost view, docs and file discovery;
- engine: one file through analysis, rules and suppressions;
- cache, runner, output formats and the test helpers built on the engine;
- front ends: the command line and the Python API.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path
from typing import Dict, List, Set

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "cachelint"

#: Lowest first. A module belongs to the first entry equal to its name or a package prefix
#: of it (`cachelint.analysis` holds `cachelint.analysis.interp.core`).
LAYERS: List[List[str]] = [
    [
        "cachelint.version",
        "cachelint.diagnostics",
        "cachelint.sourcefile",
        "cachelint.notebook",
        "cachelint.source",
        "cachelint.syntax",  # parses any Python version's syntax; reads positions from `source`
        "cachelint.signals",
        "cachelint.stack_room",  # room on CPython's frame stack for whoever runs the analysis
        "cachelint.globs",
        "cachelint.tables",
        "cachelint.config.settings",
        "cachelint.config",  # the package itself imports nothing (see its docstring)
        "cachelint.writer",
        "cachelint.prefilter",
        "cachelint.importers",
    ],
    ["cachelint.analysis"],
    ["cachelint.rule", "cachelint.context"],
    ["cachelint.fix"],
    ["cachelint.rules"],
    ["cachelint.registry"],
    ["cachelint.config.loader", "cachelint.suppress", "cachelint.costs", "cachelint.docs", "cachelint.discovery"],
    ["cachelint.engine"],
    ["cachelint.cache", "cachelint.runner", "cachelint.output", "cachelint.testing"],
    ["cachelint.watch", "cachelint.commands", "cachelint.server"],
    ["cachelint.cli", "cachelint.api", "cachelint", "cachelint.__main__"],
]


def module_files() -> Dict[str, Path]:
    """Module name -> file, for every module of the package."""
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(name: str, path: Path, modules: Set[str]) -> Set[str]:
    """The cachelint modules `name` imports (at any depth of its code, TYPE_CHECKING aside).

    `from cachelint.x import y` is an import of `cachelint.x.y` when that is a module, else
    of `cachelint.x`."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: Set[str] = set()

    def owner(dotted: str) -> str:
        while dotted not in modules:
            dotted = dotted.rpartition(".")[0]
        return dotted

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for stmt in child.orelse:
                    visit(stmt)
                continue
            if isinstance(child, ast.Import):
                found.update(owner(a.name) for a in child.names if a.name.split(".")[0] == "cachelint")
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")[: len(package.split(".")) - child.level + 1]
                    source = ".".join(base + ([child.module] if child.module else []))
                else:
                    source = child.module or ""
                if source.split(".")[0] == "cachelint":
                    for alias in child.names:
                        full = f"{source}.{alias.name}"
                        found.add(full if full in modules else owner(source))
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
    found.discard(name)
    return found


@functools.lru_cache(maxsize=None)
def import_graph() -> Dict[str, Set[str]]:
    files = module_files()
    return {name: imports_of(name, path, set(files)) for name, path in files.items()}


def cycles(graph: Dict[str, Set[str]]) -> List[List[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm,
    iterative), each sorted: every import cycle lies within one of them."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    found: List[List[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
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
                    found.append(sorted(component))
    return found


def layer_of(module: str) -> int:
    best = -1
    best_len = -1
    for level, members in enumerate(LAYERS):
        for prefix in members:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_len:
                best, best_len = level, len(prefix)
    return best


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_import_reader_sees_lazy_imports_and_skips_type_checking(tmp_path: Path) -> None:
    path = tmp_path / "mod.py"
    path.write_text(
        "from typing import TYPE_CHECKING\n"
        "from cachelint import registry\n"
        "if TYPE_CHECKING:\n"
        "    from cachelint.engine import Engine\n"
        "def f():\n"
        "    from cachelint.analysis.request import Request\n"
        "    import cachelint.rules\n",
        encoding="utf-8",
    )
    modules = {"cachelint", "cachelint.registry", "cachelint.engine", "cachelint.analysis", "cachelint.analysis.request", "cachelint.rules"}
    assert imports_of("cachelint.mod", path, modules) == {
        "cachelint.registry",
        "cachelint.analysis.request",
        "cachelint.rules",
    }


def test_no_import_cycle_between_modules() -> None:
    graph = import_graph()
    found = cycles(graph)
    details = [
        "; ".join(f"{m} -> {', '.join(sorted(graph[m] & set(c)))}" for m in c) for c in found
    ]
    assert found == [], "import cycles:\n" + "\n".join(details)


def test_every_module_has_a_layer() -> None:
    missing = sorted(m for m in module_files() if layer_of(m) < 0)
    assert missing == [], f"add these modules to LAYERS in {Path(__file__).name}: {missing}"


def test_no_module_imports_from_a_layer_above_its_own() -> None:
    upward = []
    for module, imported in sorted(import_graph().items()):
        for target in sorted(imported):
            if layer_of(target) > layer_of(module):
                upward.append(f"{module} (layer {layer_of(module)}) imports {target} (layer {layer_of(target)})")
    assert upward == [], "\n".join(upward)


@pytest.mark.parametrize("module", ["cachelint.engine", "cachelint.suppress", "cachelint.costs", "cachelint.context"])
def test_the_core_names_no_rule_module(module: str) -> None:
    """Rules are plugins: the core reaches them only through the registry."""
    imported = import_graph()[module]
    assert not [m for m in imported if m.startswith("cachelint.rules")], imported
