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
    for node, owner in candidate_functions(module):
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


def candidate_functions(module: ModuleInfo) -> List[Tuple[Any, Optional[ClassInfo]]]:
    """Functions worth interpreting as entry points, with the class that owns each.

    A function is a candidate when its text names an SDK request method, a caching field
    or a client class, or when it calls a candidate function of the same module (so a
    module-level `main()` that calls `ask()` is analysed with `ask` inlined).
    """
    functions: List[Tuple[Any, Optional[ClassInfo]]] = []
    owners: Dict[int, ClassInfo] = {}
    for cls in module.all_classes:
        for stmt in cls.node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                owners[id(stmt)] = cls
    for node in ast.walk(module.tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions.append((node, owners.get(id(node))))
    text_of: Dict[int, str] = {}
    for node, _ in functions:
        start, end = module.index.node_range(node)
        text_of[id(node)] = module.text[start:end]
    candidates: Set[str] = set()
    chosen: Set[int] = set()
    for node, _ in functions:
        if _TRIGGER_RE.search(text_of[id(node)]):
            chosen.add(id(node))
            candidates.add(node.name)
    changed = True
    while changed:
        changed = False
        if not candidates:
            break
        call_re = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in sorted(candidates)) + r")\s*\(")
        for node, _ in functions:
            if id(node) not in chosen and call_re.search(text_of[id(node)]):
                chosen.add(id(node))
                if node.name not in candidates:
                    candidates.add(node.name)
                    changed = True
    return [(node, owner) for node, owner in functions if id(node) in chosen]


def iter_requests(analyses: Iterable[FileAnalysis]) -> Iterable[Request]:
    for analysis in analyses:
        yield from analysis.requests
