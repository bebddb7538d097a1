"""Applying fixes: non-overlapping edits, re-analysis until stable, a syntax guard.

Ruff's semantics on cachelint's findings. Each pass takes every applicable fix, sorted by
position, and accepts a fix only if none of its edits overlaps an edit already accepted
(identical edits from two findings are shared, e.g. two call sites fixed by the same edit
of a prompt module). Accepted edits are applied in memory; a file whose new text does not
parse keeps its old text and the offending fix is reported as an internal error with its
rule's code. The changed files, and the files whose analysis read them, are linted again;
fixes that waited because of an overlap get their turn. This repeats until nothing changes
(at most `MAX_PASSES`). Imports a fix needs are added once at the end with libcst.

Nothing is written here: the caller writes the final texts atomically, or prints a diff.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

from cachelint.diagnostics import Diagnostic, Edit
from cachelint.engine import Engine, FileResult
from cachelint.fixes import check_parses
from cachelint.source import SourceError, SourceFile, decode_source, quiet_warnings, read_regular_file

MAX_PASSES = 10


@dataclass
class FixOutcome:
    """The result of fixing: new texts, what was fixed, and the final findings."""

    originals: Dict[str, SourceFile] = field(default_factory=dict)
    texts: Dict[str, str] = field(default_factory=dict)
    fixed: Dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    results: Dict[str, FileResult] = field(default_factory=dict)
    errors: List[str] = field(default_factory=list)
    #: imports applied fixes need, per file (added in a final pass)
    imports: Dict[str, Set[Tuple[str, Optional[str]]]] = field(default_factory=lambda: defaultdict(set))

    @property
    def changed(self) -> Dict[str, str]:
        """path -> new text, only for files whose text really changed."""
        return {p: t for p, t in self.texts.items() if t != self.originals[p].text}

    @property
    def fixed_count(self) -> int:
        return sum(sum(c.values()) for c in self.fixed.values())


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """Apply non-overlapping edits of one file, last first so offsets stay valid."""
    out = text
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        out = out[: edit.start] + edit.content + out[edit.end :]
    return out


def select_fixes(diagnostics: Iterable[Diagnostic], allowed) -> List[Diagnostic]:
    """Fixes that can be applied together: each all-or-nothing, none overlapping."""
    chosen: List[Diagnostic] = []
    taken: List[Edit] = []
    for diagnostic in sorted(diagnostics, key=lambda d: (d.path, d.location, d.code)):
        fix = diagnostic.fix
        if fix is None or not allowed(diagnostic):
            continue
        conflict = False
        for edit in fix.edits:
            for other in taken:
                if edit == other:
                    continue
                if edit.overlaps(other):
                    conflict = True
                    break
            if conflict:
                break
        if conflict:
            continue
        chosen.append(diagnostic)
        for edit in fix.edits:
            if edit not in taken:
                taken.append(edit)
    return chosen


class Fixer:
    """Fixes findings until stable.

    `only_paths`, when given, limits fixing to edits in those files (stdin: the text read
    from stdin is the only thing cachelint may change; a fix that would also edit a file
    on disk is left alone).
    """

    def __init__(self, engine: Engine, unsafe_fixes: bool, only_paths: Optional[Set[str]] = None) -> None:
        self.engine = engine
        self.unsafe_fixes = unsafe_fixes
        self.only_paths = only_paths
        #: fixes that broke the syntax once: re-analysis reports them again, but they are
        #: neither retried nor reported again in later passes
        self._broken: Set[Tuple] = set()
        self._outcome: Optional[FixOutcome] = None

    def _allowed(self, diagnostic: Diagnostic) -> bool:
        fix = diagnostic.fix
        if fix is None or not fix.applicability.allowed(self.unsafe_fixes):
            return False
        if self.only_paths is not None and not set(fix.paths) <= self.only_paths:
            return False
        if self._broken and self._fix_key(diagnostic) in self._broken:
            return False
        settings = self.engine.settings_for(Path(diagnostic.path))
        return settings.is_fixable(diagnostic.code)

    @quiet_warnings()  # fixed texts are parsed again: their warnings are the user's
    def run(
        self,
        results: Dict[str, FileResult],
        explicit: Set[str],
        sources: Optional[Dict[str, SourceFile]] = None,
    ) -> FixOutcome:
        """Fix `results` until stable. `sources` gives texts not to be read from disk (stdin)."""
        outcome = FixOutcome(results=dict(results))
        self._outcome = outcome
        self._broken = set()
        for path, source in (sources or {}).items():
            outcome.originals[path] = source
            outcome.texts[path] = source.text
        for _ in range(MAX_PASSES):
            candidates = [d for r in outcome.results.values() for d in r.diagnostics if d.fix is not None]
            chosen = select_fixes(candidates, self._allowed)
            if not chosen:
                return self._finish(outcome)
            applied = self._apply(chosen, outcome)
            if not applied:
                return self._finish(outcome)
            changed_paths = {e.path for d in applied for e in d.fix.edits}  # type: ignore[union-attr]
            for d in applied:
                outcome.fixed[d.path][d.code] += 1
                if d.fix is not None and d.fix.imports and d.fix.edits:
                    outcome.imports[d.fix.edits[0].path].update(d.fix.imports)
            self._relint(outcome, changed_paths, explicit)
        outcome.errors.append(
            f"fixes did not converge after {MAX_PASSES} passes; this is a bug in cachelint, please report it"
        )
        return self._finish(outcome)

    # --- one pass -------------------------------------------------------------------------------
    def _source(self, path: str, outcome: FixOutcome) -> Optional[SourceFile]:
        if path in outcome.originals:
            return outcome.originals[path]
        try:
            data = read_regular_file(path)
            source = decode_source(path, data)
        except (OSError, SourceError):
            return None
        outcome.originals[path] = source
        outcome.texts[path] = source.text
        return source

    def _apply(self, chosen: List[Diagnostic], outcome: FixOutcome) -> List[Diagnostic]:
        by_path: Dict[str, List[Diagnostic]] = defaultdict(list)
        for diagnostic in chosen:
            for path in diagnostic.fix.paths:  # type: ignore[union-attr]
                by_path[path].append(diagnostic)
        rejected: Set[int] = set()
        for path, diagnostics in by_path.items():
            if self._source(path, outcome) is None:
                rejected.update(id(d) for d in diagnostics)
                continue
            text = outcome.texts[path]
            usable = [d for d in diagnostics if id(d) not in rejected]
            source = outcome.originals[path]
            if not _writable(source, apply_edits(text, _edits_for(usable, path))):
                # A notebook's fix that crosses a cell boundary or changes an IPython escape
                # command cannot be written back: it is not applied (ruff skips such fixes
                # too); the others are, one at a time.
                accepted: List[Diagnostic] = []
                for d in usable:
                    if _writable(source, apply_edits(text, _edits_for([*accepted, d], path))):
                        accepted.append(d)
                    else:
                        rejected.add(id(d))
                        self._broken.add(self._fix_key(d))
                usable = [d for d in usable if id(d) not in rejected]
            if check_parses(apply_edits(text, _edits_for(usable, path))) is None or check_parses(text) is not None:
                continue
            # Find the culprit(s): apply fixes one at a time, keeping those that parse.
            partial = text
            for d in usable:
                attempt = apply_edits(partial, _edits_for([d], path))
                problem = check_parses(attempt)
                if problem is None:
                    partial = attempt
                    continue
                rejected.add(id(d))
                self._broken.add(self._fix_key(d))
                outcome.errors.append(
                    f"{path}:{problem[0]}: {d.code}: the fix introduced a syntax error ({problem[1]}); "
                    "it was not applied. This is a bug in cachelint, please report it"
                )
        # A fix that spans files is applied in all of them or in none.
        for path, diagnostics in by_path.items():
            keep = [d for d in diagnostics if id(d) not in rejected]
            if keep and path in outcome.texts:
                outcome.texts[path] = apply_edits(outcome.texts[path], _edits_for(keep, path))
        return [d for d in chosen if id(d) not in rejected]

    def _fix_key(self, diagnostic: Diagnostic) -> Tuple:
        """What identifies a fix across passes: its rule, message and what each edit turns
        which text into (offsets move when other fixes land before it)."""
        texts = self._outcome.texts if self._outcome is not None else {}
        edits = tuple(
            (e.path, texts[e.path][e.start : e.end] if e.path in texts else None, e.content)
            for e in diagnostic.fix.edits  # type: ignore[union-attr]
        )
        return (diagnostic.code, diagnostic.path, diagnostic.message, edits)

    def _relint(self, outcome: FixOutcome, changed: Set[str], explicit: Set[str]) -> None:
        for path in changed:
            self.engine.forget(path)
            source = outcome.originals[path]
            settings = self.engine.settings_for(Path(path))
            self.engine.override(path, source.encode(outcome.texts[path]), settings)
        for path, result in list(outcome.results.items()):
            if path in changed or changed & set(result.deps):
                data = None
                if path in outcome.texts:
                    data = outcome.originals[path].encode(outcome.texts[path])
                forced = result.forced
                outcome.results[path] = self.engine.lint(path, data, explicit=path in explicit or forced)
                outcome.results[path].forced = forced

    def _finish(self, outcome: FixOutcome) -> FixOutcome:
        self._add_imports(outcome)
        return outcome

    def _add_imports(self, outcome: FixOutcome) -> None:
        """Add the imports fixes asked for, once per file, with libcst."""
        for path, imports in outcome.imports.items():
            if path in outcome.texts and imports:
                ordered = sorted(imports, key=lambda i: (i[0], i[1] or ""))
                text = add_imports(outcome.texts[path], ordered)
                if _writable(outcome.originals[path], text):
                    outcome.texts[path] = text
                else:
                    outcome.errors.append(f"{path}: the imports the fixes need cannot be added to the notebook's cells")


def _writable(source: SourceFile, text: str) -> bool:
    """Whether `text` can be written as `source` (only a notebook's text may not be)."""
    if getattr(source, "notebook", None) is None:
        return True
    try:
        source.encode(text)
    except ValueError:
        return False
    return True


def _edits_for(diagnostics: Iterable[Diagnostic], path: str) -> List[Edit]:
    edits: List[Edit] = []
    for d in diagnostics:
        for edit in d.fix.edits:  # type: ignore[union-attr]
            if edit.path == path and edit not in edits:
                edits.append(edit)
    return edits


def add_imports(text: str, imports: Sequence[Tuple[str, Optional[str]]]) -> str:
    """`text` with `import module` / `from module import name` added where missing."""
    import libcst
    from libcst.codemod import CodemodContext
    from libcst.codemod.visitors import AddImportsVisitor

    module = libcst.parse_module(text)
    context = CodemodContext()
    for mod, name in imports:
        AddImportsVisitor.add_needed_import(context, mod, name)
    return AddImportsVisitor(context).transform_module(module).code
