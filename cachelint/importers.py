"""Files that import a module sending LLM requests, found without parsing them.

The prefilter skips a file that names no SDK. But `triage.py` may call `llm.ask(system=...)`
where `llm.py` wraps the SDK: the request, and its findings, belong to triage.py, which
mentions no SDK at all. After a first pass has shown which files send requests, the files
it skipped are checked for an import of one of those files (`import llm`,
`from app.llm import ask`, `from app import llm`, `from .llm import ask`) and analysed.

Two steps keep this cheap on a big repository: the import statements of each skipped file
(read once with a regular expression, not parsed, and kept in the result cache) are tested
for the senders' module names (`llm`), and only those are resolved the way the analysis
resolves them, so a `utils.py`
that sends requests does not pull in every file importing some other `utils`. A module
whose own analysis saw no request but whose names lead to one (a leader: hazzel's
`providers/__init__.py` builds the provider `review.py` sends with through
`get_provider().chat(...)`, naming no SDK) counts for the files that take one of those
names from it. A module re-exported under another name through a package `__init__` is
missed.
"""

from __future__ import annotations

import os
import re
from typing import Callable, FrozenSet, Iterable, Iterator, List, Mapping, Optional, Sequence, Set, Tuple

#: `import a.b, c as d` and `from .a.b import (x, y)`, across lines when parenthesised
_IMPORT = re.compile(
    rb"^[ \t]*(?:from[ \t]+([.\w]+)[ \t]+import[ \t]*(\([^)]*\)|[^\n]*)|import[ \t]+([^\n]*))",
    re.MULTILINE,
)
_COMMENT = re.compile(rb"#[^\n]*")

#: (importing file, module, level) -> the project file it names, or None
Resolver = Callable[[str, str, int], Optional[str]]


def module_names(paths: Iterable[str]) -> Set[str]:
    """The names other files import these modules by: `llm` for `app/llm.py`, `app` for
    `app/__init__.py`."""
    names: Set[str] = set()
    for path in paths:
        stem = os.path.splitext(os.path.basename(path))[0]
        if stem == "__init__":
            stem = os.path.basename(os.path.dirname(path))
        if stem.isidentifier():
            names.add(stem)
    return names


def imported_modules(data: bytes) -> Iterator[Tuple[str, int]]:
    """(module, level) of every module an import statement in `data` may load: for
    `from .pkg import a, b`, `.pkg` and its possible submodules `.pkg.a` and `.pkg.b`."""
    for match in _IMPORT.finditer(data):
        source, names, plain = (_COMMENT.sub(b"", g).decode("ascii", "replace") if g else "" for g in match.groups())
        if plain:
            for item in plain.split(","):
                module = item.split(" as ")[0].strip()
                if module:
                    yield module, 0
            continue
        level = len(source) - len(source.lstrip("."))
        base = source[level:]
        yield base, level
        for item in names.strip("()").split(","):
            name = item.split(" as ")[0].strip()
            if name.isidentifier():
                yield (f"{base}.{name}" if base else name), level


def imports_name(imports: Iterable[Tuple[str, int]], names: Set[str]) -> bool:
    """Whether one of `imports` (from `imported_modules`) names one of the modules (by name
    only, as a whole dotted-name component)."""
    return any(not names.isdisjoint(module.split(".")) for module, _ in imports)


def importers(candidates: Sequence[Tuple[str, Sequence[Tuple[str, int]]]], senders: Iterable[str],
              resolve: Resolver, leaders: Optional[Mapping[str, Iterable[str]]] = None) -> List[str]:
    """The candidates with an import that resolves to one of the `senders`, or that takes
    one of its leading names from one of the `leaders` (path -> the names of that module
    that lead to a request).

    `candidates`: (path, the (module, level) its imports may load, from `imported_modules`),
    as the first pass recorded them (and the result cache keeps them): no file is read
    again. A cheap name test picks the imports worth resolving.

    A leader is a module whose own analysis found no request but whose names lead to one
    (hazzel's `providers/__init__.py` with `get_provider`). Every file importing such a
    module was one too many on a framework (cognee: 340 files analysed became 814, twice
    the time, no finding more); only `from leader import name` with a leading `name`, or
    `import leader` (whose names are all reachable), makes its importer worth analysing.
    `imported_modules` records `from m import a, b` as `m`, `m.a` and `m.b`, so which names
    were taken is read from the same list."""
    targets = {os.path.realpath(p) for p in senders}
    leading = {os.path.realpath(p): frozenset(n) for p, n in (leaders or {}).items()}
    names = module_names(set(targets) | set(leading))
    if not names:
        return []
    found: List[str] = []
    for path, imports in candidates:
        for module, level in imports:
            if not imports_name([(module, level)], names):
                continue
            target = resolve(path, module, level)
            if target in targets:
                found.append(path)
                break
            wanted = leading.get(target) if target is not None else None
            if wanted is not None and _takes_any(imports, module, level, wanted):
                found.append(path)
                break
    return found


def _takes_any(imports: Sequence[Tuple[str, int]], module: str, level: int, wanted: FrozenSet[str]) -> bool:
    """Whether the file whose `imports` these are takes one of `wanted` from `module`
    (`from module import name`), or the module itself (`import module`: no name of it is
    listed after it)."""
    prefix = f"{module}." if module else ""
    taken = [m[len(prefix):] for m, lvl in imports if lvl == level and m.startswith(prefix) and m != module
             and "." not in m[len(prefix):]]
    return not taken or any(name in wanted for name in taken)
