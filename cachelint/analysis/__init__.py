"""Request analysis: from Python source to the LLM requests it will send.

`analyse_file` interprets a module's top-level code and each function that can reach an LLM
call (directly or through project helpers, a few levels deep, across modules), and returns
the resolved requests plus other facts rules need. See the `interp` package (one module per
concern: statements, names, containers, calls, SDK calls...) for how values are tracked and
`builders` for how SDK arguments become a `Request`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, List

from cachelint.analysis.candidates import candidate_functions, candidate_search
from cachelint.analysis.project import ClassInfo, Project
from cachelint.analysis.request import Request

@dataclass
class FileAnalysis:
    """What the analysis found in one file."""

    path: str
    requests: List[Request] = field(default_factory=list)
    events: List[Any] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)
    #: project files read (path -> content hash), for the result cache
    deps: Dict[str, str] = field(default_factory=dict)
    #: the module's names that lead to a request (`Candidates.leading_names`)
    leading_names: FrozenSet[str] = frozenset()


__all__ = ["FileAnalysis", "analyse_file", "candidate_functions"]


def analyse_file(project: Project, path: str, max_depth: int = 3, strict: bool = False) -> FileAnalysis:
    """Analyse `path` (which must be readable by `project`) and return its requests."""
    from cachelint.analysis.interp import Interpreter

    project.trim()
    project.deps = {}
    module = project.module(path)
    result = FileAnalysis(path=os.path.realpath(path))
    if module is None:
        return result
    notes: List[str] = []
    candidates, sending_names, result.leading_names = candidate_search(module, project, notes)
    interp = Interpreter(project, module, max_depth=max_depth, strict=strict, sending_names=sending_names)
    try:
        interp.run_module()
        for node, owner in candidates:
            before = len(interp.requests)
            interp.run_function(node, owner, owner)
            if owner is not None and len(interp.requests) > before:
                # The call site sits in a base class; subclasses pick the client (get_client()
                # overrides), so analyse the inherited method once per subclass too.
                for sub in project.subclasses(owner, interp.resolve_class):
                    if node.name not in sub.methods and not _overrides_between(interp, sub, owner, node.name):
                        interp.run_function(node, owner, sub)
    finally:
        interp.release()
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
