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
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

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

    project.deps = {}
    module = project.module(path)
    result = FileAnalysis(path=os.path.realpath(path))
    if module is None:
        return result
    interp = Interpreter(project, module, max_depth=max_depth, strict=strict)
    interp.run_module()
    for node, owner in candidate_functions(module, project):
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
    result.errors = list(interp.errors)
    result.deps = dict(project.deps)
    return result


def _overrides_between(interp: Any, sub: ClassInfo, owner: ClassInfo, name: str) -> bool:
    for cls in interp.mro(sub):
        if cls == owner:
            return False
        if name in cls.methods:
            return True
    return False


def candidate_functions(module: ModuleInfo, project: Optional[Project] = None) -> List[Tuple[Any, Optional[ClassInfo]]]:
    """Functions worth interpreting as entry points, with the class that owns each.

    A function is a candidate when its text names an SDK request method, a caching field
    or a client class, or when it calls something that does: a candidate function of the
    same module, a module-level name bound to an SDK method (`ask = partial(client.chat...)`),
    or a candidate function imported from another project module (a wrapper in `llm.py`).
    """
    functions, chosen, _ = _candidates(module, project, IMPORT_DEPTH)
    return [(node, owner) for node, owner in functions if id(node) in chosen]


#: How many modules deep an imported wrapper is followed (`triage.py` -> `service.py` ->
#: `llm.py` is two).
IMPORT_DEPTH = 3


def _candidates(module: ModuleInfo, project: Optional[Project], depth: int,
                ) -> Tuple[List[Tuple[Any, Optional[ClassInfo]]], Set[int], Set[str]]:
    """`_module_candidates`, plus functions calling candidates imported from project
    modules (whose own candidates count their imports, `depth` modules deep)."""
    functions, chosen, names = _module_candidates(module)
    if project is None or depth <= 0:
        return functions, chosen, names
    extra = _imported_candidates(module, project, depth - 1)
    if extra - names:
        chosen = set(chosen)
        names = set(names) | extra
        _spread(functions, chosen, names, _texts(module, functions))
    return functions, chosen, names


def _texts(module: ModuleInfo, functions: List[Tuple[Any, Optional[ClassInfo]]]) -> Dict[int, str]:
    text_of: Dict[int, str] = {}
    for node, _ in functions:
        start, end = module.index.node_range(node)
        text_of[id(node)] = module.text[start:end]
    return text_of


def _module_candidates(module: ModuleInfo) -> Tuple[List[Tuple[Any, Optional[ClassInfo]]], Set[int], Set[str]]:
    """(functions with owners, ids of candidate functions, candidate names) of one module."""
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


def _spread(functions: List[Tuple[Any, Optional[ClassInfo]]], chosen: Set[int], names: Set[str], text_of: Dict[int, str]) -> None:
    """Add functions that call a candidate name, until nothing changes."""
    changed = True
    while changed and names:
        changed = False
        call_re = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in sorted(names)) + r")\s*\(")
        for node, _ in functions:
            if id(node) not in chosen and call_re.search(text_of[id(node)]):
                chosen.add(id(node))
                if node.name not in names:
                    names.add(node.name)
                    changed = True


def _imported_candidates(module: ModuleInfo, project: Project, depth: int = 0) -> Set[str]:
    """Names this module imports from project modules that lead to LLM calls."""
    memo = project.candidate_memo
    key = (module.path, depth)
    if key in memo:
        return memo[key]
    memo[key] = set()  # an import cycle ends here
    found: Set[str] = set()
    for stmt in ast.walk(module.tree):
        if isinstance(stmt, ast.ImportFrom):
            path = project.resolve_import(module.path, stmt.module or "", stmt.level)
            target = project.module(path) if path else None
            if target is None:
                continue
            functions, chosen, names = _candidates(target, project, depth)
            for alias in stmt.names:
                if alias.name in names:
                    found.add(alias.asname or alias.name)
                cls = target.classes.get(alias.name)
                if cls is not None:
                    # An imported class whose methods lead to LLM calls: calls of those
                    # methods (`self.llm.generate(...)`) lead there too.
                    methods = {n for n in cls.methods if n in names and not n.startswith("__")}
                    if methods:
                        found.add(alias.asname or alias.name)
                        found |= methods
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                path = project.resolve_import(module.path, alias.name, 0)
                target = project.module(path) if path else None
                if target is not None:
                    found |= _candidates(target, project, depth)[2]
    memo[key] = found
    return found


def iter_requests(analyses: Iterable[FileAnalysis]) -> Iterable[Request]:
    for analysis in analyses:
        yield from analysis.requests
