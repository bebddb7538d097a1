"""Request analysis: from Python source to the LLM requests it will send.

`analyse_file` interprets a module's top-level code and each function that can reach an LLM
call (directly or through project helpers, a few levels deep, across modules), and returns
the resolved requests plus other facts rules need. See `interp` for how values are tracked
and `builders` for how SDK arguments become a `Request`.
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Set, Tuple

from cachelint.analysis.project import ClassInfo, ModuleInfo, Project
from cachelint.analysis.request import Request

#: Words that make a function worth interpreting: SDK request methods, markers, usage fields.
_TRIGGER_RE = re.compile(
    r"\b(?:create|stream|parse|count_tokens|tool_runner|completion|acompletion|responses|aresponses|invoke_model"
    r"|invoke_model_with_response_stream|converse|converse_stream|generate_content|generate_content_stream|post"
    r"|request|cache_control|cachePoint|copilot_cache_control|usage|Anthropic\w*|OpenAI|AzureOpenAI)\b"
)


@dataclass
class FileAnalysis:
    """What the analysis found in one file."""

    path: str
    requests: List[Request] = field(default_factory=list)
    events: List[Any] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)
    #: project files read (path -> content hash), for the result cache
    deps: Dict[str, str] = field(default_factory=dict)


def analyse_file(project: Project, path: str, max_depth: int = 3, strict: bool = False) -> FileAnalysis:
    """Analyse `path` (which must be readable by `project`) and return its requests."""
    from cachelint.analysis.interp import Interpreter

    project.trim()
    project.deps = {}
    module = project.module(path)
    result = FileAnalysis(path=os.path.realpath(path))
    if module is None:
        return result
    interp = Interpreter(project, module, max_depth=max_depth, strict=strict)
    interp.run_module()
    notes: List[str] = []
    for node, owner in candidate_functions(module, project, notes):
        before = len(interp.requests)
        interp.run_function(node, owner, owner)
        if owner is not None and len(interp.requests) > before:
            # The call site sits in a base class; subclasses pick the client (get_client()
            # overrides), so analyse the inherited method once per subclass too.
            for sub in project.subclasses(owner, interp.resolve_class):
                if node.name not in sub.methods and not _overrides_between(interp, sub, owner, node.name):
                    interp.run_function(node, owner, sub)
    result.requests = list(interp.requests)
    result.events = list(interp.events)
    result.errors = list(interp.errors) + notes
    result.deps = dict(project.deps)
    return result


def _overrides_between(interp: Any, sub: ClassInfo, owner: ClassInfo, name: str) -> bool:
    for cls in interp.mro(sub):
        if cls == owner:
            return False
        if name in cls.methods:
            return True
    return False


def candidate_functions(module: ModuleInfo, project: Optional[Project] = None,
                        notes: Optional[List[str]] = None) -> List[Tuple[Any, Optional[ClassInfo]]]:
    """Functions worth interpreting as entry points, with the class that owns each.

    A function is a candidate when its text names an SDK request method, a caching field
    or a client class, or when it calls something that does: a candidate function of the
    same module, a module-level name bound to an SDK method (`ask = partial(client.chat...)`),
    or a candidate function imported from another project module (a wrapper in `llm.py`).
    """
    functions, chosen, _ = _module_candidates(module)
    if project is not None:
        project.explored = set()
        try:
            functions, chosen, _ = _candidates(module, project, IMPORT_DEPTH)
        except _TooWide:
            if notes is not None:
                notes.append(f"it imports more than {IMPORT_MODULES_BUDGET} project modules (directly or not); "
                             "calls through imported wrappers were not followed")
        finally:
            project.explored = None
    return [(node, owner) for node, owner in functions if id(node) in chosen]


#: How many project modules the search for imported wrappers may read for one file. A
#: package whose modules all import each other (litellm: 843 modules for one file) would
#: otherwise be parsed whole for every file that imports it. Over budget, the file's own
#: candidates are used alone: all or nothing, so the answer never depends on what earlier
#: files left in the memo.
IMPORT_MODULES_BUDGET = 128


class _TooWide(Exception):
    """The wrapper search would read more than `IMPORT_MODULES_BUDGET` modules."""


def _explore(project: Project, paths: Iterable[str]) -> None:
    explored = project.explored
    if explored is not None:
        explored.update(paths)
        if len(explored) > IMPORT_MODULES_BUDGET:
            raise _TooWide()


#: How many modules deep an imported wrapper is followed (`triage.py` -> `service.py` ->
#: `llm.py` is two).
IMPORT_DEPTH = 3


def _candidates(module: ModuleInfo, project: Optional[Project], depth: int, wanted: FrozenSet[str] = frozenset(),
                ) -> Tuple[List[Tuple[Any, Optional[ClassInfo]]], Set[int], Set[str]]:
    """`_module_candidates`, plus functions calling candidates imported from project
    modules (whose own candidates count their imports, `depth` modules deep).

    Only imports that can matter are followed: names called by a function not chosen yet
    (the only way an import adds a candidate), classes named in the module's functions
    (their methods are called through attributes), and the names an importer takes from
    this module (`wanted`: a package re-exporting a wrapper). Following every import three
    modules deep parsed a whole package (1,479 modules for one litellm file)."""
    functions, chosen, names = _module_candidates(module)
    if project is None or depth <= 0:
        return functions, chosen, names
    extra = _imported_candidates(module, project, depth - 1, wanted)
    if extra - names:
        chosen = set(chosen)
        new = extra - names
        names = set(names) | extra
        _spread(functions, chosen, names, _texts(module, functions), new)
    return functions, chosen, names


_CALLED_RE = re.compile(r"(\w+)\s*\(")
_HEAD_RE = re.compile(r"\b(\w+)\s*\.\s*(\w+)\s*\(")
#: a capitalised name instantiated (`LLM(`) or annotating (`llm: LLM`, `-> Optional[LLM]`)
_CAPWORD_RE = re.compile(r"\b([A-Z]\w*)\s*\(|(?::|->)\s*(?:\w+\.)*(?:Optional\[|Union\[)?([A-Z]\w*)")


@dataclass(frozen=True)
class _Uses:
    """What a module's functions use, for deciding which of its imports to follow."""

    #: names called (`f(`, `.m(`) in functions not chosen by the module's own text
    open_calls: FrozenSet[str]
    #: `x.name(` in those functions: x -> the names called on it (imported modules:
    #: `llm.ask(...)`)
    open_heads: Dict[str, FrozenSet[str]]
    #: capitalised names instantiated or annotating in the module's functions (classes:
    #: `self.llm = LLM()`, `def __init__(self, llm: LLM)`)
    capwords: FrozenSet[str]


def _uses(module: ModuleInfo) -> _Uses:
    if module.uses is None:
        functions, chosen, _ = _module_candidates(module)
        text_of = _texts(module, functions)
        calls: Set[str] = set()
        heads: Dict[str, Set[str]] = {}
        caps: Set[str] = set()
        for node, _ in functions:
            text = text_of[id(node)]
            for called_name, annotation in _CAPWORD_RE.findall(text):
                caps.add(called_name or annotation)
            if id(node) not in chosen:
                calls.update(_CALLED_RE.findall(text))
                for head, name in _HEAD_RE.findall(text):
                    heads.setdefault(head, set()).add(name)
        module.uses = _Uses(frozenset(calls), {h: frozenset(n) for h, n in heads.items()}, frozenset(caps))
    return module.uses


def _texts(module: ModuleInfo, functions: List[Tuple[Any, Optional[ClassInfo]]]) -> Dict[int, str]:
    if module.function_texts is not None:
        return module.function_texts
    text_of: Dict[int, str] = {}
    for node, _ in functions:
        start, end = module.index.node_range(node)
        text_of[id(node)] = module.text[start:end]
    module.function_texts = text_of
    return text_of


def _module_candidates(module: ModuleInfo) -> Tuple[List[Tuple[Any, Optional[ClassInfo]]], Set[int], Set[str]]:
    """(functions with owners, ids of candidate functions, candidate names) of one module.

    Computed once per parsed module: every file importing it asks again."""
    if module.candidates is None:
        module.candidates = _compute_module_candidates(module)
    return module.candidates


def _compute_module_candidates(module: ModuleInfo) -> Tuple[List[Tuple[Any, Optional[ClassInfo]]], Set[int], Set[str]]:
    functions: List[Tuple[Any, Optional[ClassInfo]]] = []
    owners: Dict[int, ClassInfo] = {}
    for cls in module.all_classes:
        for stmt in cls.node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                owners[id(stmt)] = cls
    for node in ast.walk(module.tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions.append((node, owners.get(id(node))))
    text_of = _texts(module, functions)
    names: Set[str] = set()
    chosen: Set[int] = set()
    for node, _ in functions:
        if _TRIGGER_RE.search(text_of[id(node)]):
            chosen.add(id(node))
            names.add(node.name)
    for stmt in module.tree.body:
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            start, end = module.index.node_range(stmt)
            if _TRIGGER_RE.search(module.text[start:end]):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                names.update(t.id for t in targets if isinstance(t, ast.Name))
    _spread(functions, chosen, names, text_of)
    return functions, chosen, names


def _spread(functions: List[Tuple[Any, Optional[ClassInfo]]], chosen: Set[int], names: Set[str],
            text_of: Dict[int, str], new: Optional[Set[str]] = None) -> None:
    """Add functions that call a candidate name, until nothing changes.

    Each round searches the functions not yet chosen only for the names added by the
    previous round (`new`; all of `names` at first): they already failed the older ones."""
    fresh = set(names) if new is None else set(new)
    while fresh:
        call_re = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in sorted(fresh)) + r")\s*\(")
        fresh = set()
        for node, _ in functions:
            if id(node) not in chosen and call_re.search(text_of[id(node)]):
                chosen.add(id(node))
                if node.name not in names:
                    names.add(node.name)
                    fresh.add(node.name)


def _imported_candidates(module: ModuleInfo, project: Project, depth: int = 0,
                         wanted: FrozenSet[str] = frozenset()) -> Set[str]:
    """Names this module imports from project modules that lead to LLM calls (only for the
    imports that can matter: see `_candidates`)."""
    uses = _uses(module)
    found: Set[str] = set()
    for stmt in module.imports:
        if isinstance(stmt, ast.ImportFrom):
            followed = frozenset(
                alias.name for alias in stmt.names
                if (alias.asname or alias.name) in uses.open_calls
                or (alias.asname or alias.name) in wanted
                or (alias.asname or alias.name) in uses.capwords
            )
            if not followed:
                continue
            path = project.resolve_import(module.path, stmt.module or "", stmt.level)
            exports = _exports(project, path, depth, followed) if path else None
            if exports is None:
                continue
            for alias in stmt.names:
                if alias.name in exports.names:
                    found.add(alias.asname or alias.name)
                # An imported class whose methods lead to LLM calls: calls of those
                # methods (`self.llm.generate(...)`) lead there too.
                methods = exports.class_methods.get(alias.name)
                if methods:
                    found.add(alias.asname or alias.name)
                    found |= methods
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                bound = alias.asname or alias.name.split(".")[0]
                called = uses.open_heads.get(bound) or uses.open_heads.get(alias.name.rpartition(".")[2])
                if not called and bound not in wanted:
                    continue
                path = project.resolve_import(module.path, alias.name, 0)
                exports = _exports(project, path, depth, called or frozenset()) if path else None
                if exports is not None:
                    found |= exports.names
    return found


@dataclass(frozen=True)
class _Exports:
    """What importing a module can lead to: its candidate names, the methods of its classes
    that are candidates, and the modules (path -> content hash) this was computed from."""

    names: FrozenSet[str]
    class_methods: Dict[str, FrozenSet[str]]
    deps: Dict[str, str]


def _exports(project: Project, path: str, depth: int, wanted: FrozenSet[str]) -> Optional[_Exports]:
    """`_Exports` of the module at `path`, remembered per project: every file importing a
    module asks again, and without the memo a wide package (each module importing dozens,
    three deep) was parsed over for every file. A hit adds the recorded dependencies, so
    the result cache still learns which files the answer came from."""
    memo = project.candidate_memo
    key = (path, depth, wanted)
    if key in memo:
        hit = memo[key]
        if hit is not None:
            project.deps.update(hit.deps)
            _explore(project, hit.deps)
        return hit
    _explore(project, [path])
    memo[key] = None  # an import cycle ends here
    outer = project.deps
    project.deps = {}
    done = False
    try:
        target = project.module(path)
        if target is None:
            exports = None
        else:
            _, _, names = _candidates(target, project, depth, wanted)
            methods = {
                name: frozenset(m for m in info.methods if m in names and not m.startswith("__"))
                for name, info in target.classes.items()
            }
            exports = _Exports(frozenset(names), {k: v for k, v in methods.items() if v}, dict(project.deps))
        done = True
    finally:
        outer.update(project.deps)
        project.deps = outer
        if not done:
            del memo[key]  # cut short (`_TooWide`): never remember a partial answer
    memo[key] = exports
    return exports


def iter_requests(analyses: Iterable[FileAnalysis]) -> Iterable[Request]:
    for analysis in analyses:
        yield from analysis.requests
