"""Name resolution for the abstract interpreter: locals, module globals and imports.

A name is looked up through the enclosing frames, then among the module's globals, which
are evaluated lazily (only the top-level statements that bind the name run, once, in the
module's own frame) and then among the builtins. Imports resolve to project modules
(`ModV`), which are followed, or to external names (`ExtV`), which are not.

Separate because it is the only part that crosses module boundaries by name, and it keeps
the caches (`_globals`, `_module_frames`) that make that cheap.
"""

from __future__ import annotations

import ast
import bisect
from typing import Optional, Set

from cachelint.analysis import sdk
from cachelint.analysis.frames import BudgetExceeded, Frame
from cachelint.analysis.project import ModuleInfo
from cachelint.analysis.sdk import is_sdk_name
from cachelint.analysis.spans import Span
from cachelint.analysis.valueops import BUILTINS
from cachelint.analysis.values import Const, ExtV, InstV, Kind, ModV, Part, Str, Unknown, Value, union


class NamesMixin:
    """Name resolution: local scopes, lazily evaluated module globals, imports."""

    # --- names ------------------------------------------------------------------------------------
    def lookup(self, name: str, frame: Frame, span: Span) -> Value:
        scope: Optional[Frame] = frame
        while scope is not None:
            if name in scope.locals:
                value = scope.locals[name]
                if scope is frame and name in frame.params:
                    value = value.at(span)
                    value.via_param = True
                    if isinstance(value, Str):
                        value = _relocate_holes(value, f"parameter `{name}`", span)
                    return value
                return value.at(span)
            scope = scope.parent
        if name == "__file__":
            return Str.literal(frame.module.path, span)
        if name == "__name__":
            text = frame.module.name
            return Str.literal(text or "__main__", span) if text is not None else Unknown(Kind.PROCESS, name, span)
        if name == "__package__":
            # "" (falsy) for a top-level module, so `__package__ or "pkg"` names the package
            text = frame.module.package
            return Str.literal(text, span) if text is not None else Unknown(Kind.PROCESS, name, span)
        value = self.global_value(frame.module, name)
        if value is not None:
            return self.runtime_global(frame.module, name, value.at(span), frame, span)
        if name in BUILTINS:
            return ExtV("builtins." + name, span)
        return Unknown(Kind.UNKNOWN, f"`{name}`", span)

    def runtime_global(self, module: ModuleInfo, name: str, value: Value, frame: Frame, span: Span) -> Value:
        """A module-level setting as code running after import reads it: its value at
        import, or any value a function of its module gave it (`ModuleInfo.rebound_globals`).

        hazzel keeps the provider in `_provider = "groq"`, which `set_model()` and the
        configuration loader rebind; read as "groq" for certain, the branch that builds the
        Anthropic provider was dead and its requests never seen. A flag a setter turns on
        (`CACHE = False`, then `global CACHE; CACHE = True`) would likewise have hidden the
        breakpoint it guards. Only text, numbers and flags: a client or a `None` that a
        lazy getter fills in (`global _client; if _client is None: _client = ...`) is read
        as the module binds it, which the getter's own code then follows."""
        if frame.at_import or name not in module.rebound_globals:
            return value
        if not (isinstance(value, Str) or isinstance(value, Const) and value.value is not None):
            return value
        return union([(value, ()), (Unknown(Kind.UNKNOWN, f"`{name}` as a function sets it", span), ())], span)

    def global_value(self, module: ModuleInfo, name: str) -> Optional[Value]:
        """Value of a module-level name, evaluated lazily from its top-level statements."""
        key = (module.path, name)
        if key in self._globals:
            return self._globals[key]
        if name not in module.bindings:
            return None
        if ("global", key) in self._evaluating:
            return Unknown(Kind.UNKNOWN, f"`{name}` (circular)")
        self._evaluating.add(("global", key))
        frame = self._module_frame(module)
        saved_steps = self.steps
        try:
            ran: Set[int] = set()
            for stmt in module.bindings[name]:
                top = self._top_level_statement(module, stmt)
                if id(top) in ran:
                    continue
                ran.add(id(top))
                self.exec_stmt(top, frame)
            value = frame.locals.get(name)
        except (BudgetExceeded, RecursionError):
            value = Unknown(Kind.UNKNOWN, f"`{name}`")
        finally:
            self._evaluating.discard(("global", key))
            self.steps = saved_steps
        if value is None:
            value = Unknown(Kind.UNKNOWN, f"`{name}`")
        self._globals[key] = value
        return value

    def _top_level_statement(self, module: ModuleInfo, stmt: ast.stmt) -> ast.stmt:
        """The top-level statement that is `stmt` or holds it in a branch of an `if`/`try`.

        Found by bisecting the first rows of the top-level statements (a scan of the module
        body per looked-up global made a generated module of 7 MB take minutes)."""
        body = module.tree.body
        starts = module.top_starts
        if starts is None:
            starts = module.top_starts = [top.lineno for top in body]
        row = stmt.lineno
        first = last = bisect.bisect_right(starts, row) - 1
        while first > 0 and (body[first - 1].end_lineno or body[first - 1].lineno) >= row:
            first -= 1  # statements sharing the row (`a = 1; b = 2`)
        for top in body[max(first, 0):last + 1]:
            if top is stmt:
                return top
            if top.lineno <= row <= (top.end_lineno or top.lineno) and (
                isinstance(top, (ast.If, ast.Try)) or type(top).__name__ == "TryStar"
            ):
                return top
        return stmt

    def _module_frame(self, module: ModuleInfo) -> Frame:
        frame = self._module_frames.get(module.path)
        if frame is None:
            frame = Frame(module=module, at_import=True)
            self._module_frames[module.path] = frame
        return frame

    # --- imports -----------------------------------------------------------------------------------
    def import_module_value(self, module: ModuleInfo, dotted: str, level: int) -> Value:
        if level == 0 and is_sdk_name(dotted):
            return ExtV(dotted)
        path = self.project.resolve_import(module.path, dotted, level)
        if path is not None:
            return ModV(path)
        return ExtV(dotted) if level == 0 else Unknown(Kind.UNKNOWN, f"module {dotted}")

    def import_from_value(self, module: ModuleInfo, dotted: str, level: int, name: str) -> Value:
        if level == 0 and is_sdk_name(dotted):
            return ExtV(f"{dotted}.{name}")
        path = self.project.resolve_import(module.path, dotted, level)
        if path is not None and path == module.path:
            # `from . import prompts` in a package's `__init__`: the statement binds the
            # submodule; looking `prompts` up in the package itself would find this very
            # statement again (an import cycle, so unknown)
            sub = self.project.resolve_import(module.path, (dotted + "." if dotted else "") + name, level)
            if sub is not None:
                return ModV(sub)
        if path is not None:
            target = self.project.module(path)
            if target is not None:
                if name in target.bindings:
                    key = ("from", path, name)
                    if key in self._evaluating:
                        return Unknown(Kind.UNKNOWN, name)
                    self._evaluating.add(key)
                    try:
                        value = self.global_value(target, name)
                    finally:
                        self._evaluating.discard(key)
                    if value is not None:
                        return _lazy_sdk_module(name, value)
                sub = self.project.resolve_import(module.path, (dotted + "." if dotted else "") + name, level)
                if sub is not None:
                    return ModV(sub)
                return Unknown(Kind.UNKNOWN, f"{dotted}.{name}")
        if level > 0:
            sub = self.project.resolve_import(module.path, (dotted + "." if dotted else "") + name, level)
            if sub is not None:
                return ModV(sub)
            return Unknown(Kind.UNKNOWN, name)
        return ExtV(f"{dotted}.{name}" if dotted else name)


def _relocate_holes(value: Str, label: str, span: Span) -> Str:
    """Point a parameter's hole at the place it is used (messages name that line)."""
    parts = [Part(p.text, p.kind, p.chars, span, p.label, p.volatile) if p.text is None and p.label == label else p
             for p in value.parts]
    new = Str(parts, value.span, value.origin)
    new.operands = value.operands
    new.via_param = value.via_param
    return new


def _lazy_sdk_module(name: str, value: Value) -> Value:
    """`litellm = LazyLiteLLM()`: a project object named like an SDK package whose class
    forwards attribute access (`__getattr__`) stands for that package (a lazy import, as
    aider does to avoid import time)."""
    if isinstance(value, InstV) and name in sdk.SDK_PACKAGES and any("__getattr__" in cls.methods for cls in [value.info]):
        return ExtV(name, value.span)
    return value
