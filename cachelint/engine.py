"""Linting one file: read, decode, parse, analyse, run the rules, apply suppressions.

The engine is the pure core behind the CLI (and any future editor integration): it takes a
path and the settings that apply to it and returns plain data (`FileResult`), never syntax
trees, so worker processes and the result cache can pass results around. A file that cannot
be read, decoded or parsed becomes a CL000 finding with its line; a failure inside the
analysis of one function degrades that function to "unknown"; nothing here raises for bad
input.
"""

from __future__ import annotations

import gc
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from cachelint.context import FileContext, SourceText
from cachelint.diagnostics import Diagnostic, Location, Severity
from cachelint.prefilter import worth_parsing
from cachelint.registry import all_rules, name_for, url_for
from cachelint.rule import Rule
from cachelint.config.settings import Settings
from cachelint.source import LineIndex, SourceError, SourceFile, content_digest, decode_source, quiet_warnings, read_regular_file
from cachelint.syntax import Parsed, check_target, parse_module
from cachelint.syntax.versions import TooNew, Version

INVALID_SOURCE = "CL000"

#: Modules at least this long (characters) are analysed with their tree out of the cyclic
#: garbage collector's reach (`Engine._parse`).
GC_FREEZE_CHARS = 500_000


@dataclass
class FileResult:
    """Everything the CLI needs about one linted file, as plain picklable data."""

    path: str
    diagnostics: List[Diagnostic] = field(default_factory=list)
    #: internal errors (bugs in cachelint), reported with exit code 2
    errors: List[str] = field(default_factory=list)
    #: things only --verbose shows (parts of the file the analysis could not follow)
    notes: List[str] = field(default_factory=list)
    #: project files the result depends on (path -> content digest), for the cache
    deps: Dict[str, str] = field(default_factory=dict)
    #: why the file was not analysed ("no LLM marker", "generated"), if it was not
    skipped: Optional[str] = None
    timings: Dict[str, float] = field(default_factory=dict)
    #: the analysed requests (only when asked for, e.g. --show-requests; not picklable-safe)
    requests: Optional[List[Any]] = None
    digest: Optional[str] = None
    #: static-prefix cost rows of the file's call sites (see `cachelint.costs`)
    costs: List[Dict[str, Any]] = field(default_factory=list)
    #: the analysis found LLM requests made from this file (directly or through the
    #: wrappers it calls): files importing it are analysed too (see `cachelint.runner.lint`)
    sends_requests: bool = False
    #: no request was found here, but these names of the file lead to one (a factory
    #: handing out a provider, a package `__init__` re-exporting one:
    #: `Candidates.leading_names`): files importing one of them are analysed too
    leads_through: Tuple[str, ...] = ()
    #: analysed although it mentions no SDK, because it imports a file that sends requests
    forced: bool = False
    #: files parsed while linting this one (the file itself unless its parse was reused,
    #: and the project modules its analysis read for the first time in this process), for
    #: the `--verbose` count of modules parsed
    parsed: Tuple[str, ...] = ()
    #: of a file the prefilter skipped: the (module, level) its import statements may load,
    #: read from the bytes once and cached, so a warm run finds the callers of a wrapper
    #: without reading every skipped file again (see `cachelint.importers`)
    imports: Tuple[Tuple[str, int], ...] = ()
    #: the same, encoded (`cache.results.encode_imports`), when the result came from the
    #: cache: decoded only if the importers' search is not answered from the cache either
    #: (decoding every skipped file's list took a sixth of a warm run over 11,800 files)
    imports_text: str = ""


#: `FileResult.skipped` of a file the prefilter found nothing in
SKIPPED_NO_MARKER = "no LLM SDK or caching marker"
#: `FileResult.skipped` of a walked file that is an installed SDK's own source
#: (`cachelint.analysis.installed`): every importer reads it as the SDK, so its modules are
#: neither call sites nor wrappers of the project
SKIPPED_INSTALLED_SDK = "an installed SDK's own source"
#: `FileResult.skipped` of a walked file that is generated code (`lint(skip_generated=True)`):
#: the run drops it, as discovery drops generated files it checks itself
SKIPPED_GENERATED = "generated"


def invalid_source(path: str, message: str, row: int = 1, column: int = 1) -> Diagnostic:
    """A CL000 finding (the rule class only documents it: nothing here imports a rule)."""
    location = Location(max(1, row), max(1, column))
    return Diagnostic(
        code=INVALID_SOURCE,
        name=name_for(INVALID_SOURCE),
        message=message,
        path=path,
        location=location,
        end_location=location,
        severity=Severity.ERROR,
        url=url_for(INVALID_SOURCE),
    )


class Engine:
    """Lints files; holds per-process caches (parsed project modules, rule instances)."""

    def __init__(self, settings_for: Callable[[Path], Settings], strict: bool = False) -> None:
        self.settings_for = settings_for
        self.strict = strict or os.environ.get("CACHELINT_STRICT") == "1"
        self._projects: Dict[Tuple[str, str], Any] = {}
        self._rules: Dict[str, List[Rule]] = {}
        self._gc_frozen = False
        #: project root -> where its byte index and its modules' summaries are kept
        #: between runs, when the run has a result cache (the runner sets it: see
        #: `cachelint.cache.byte_index` and `cachelint.cache.summaries`)
        self.stores_for: Optional[Callable[[Path], Tuple[Any, Any]]] = None

    # --- per-settings caches -----------------------------------------------------------------
    def project_for(self, settings: Settings) -> Any:
        from cachelint.analysis.project import Project

        key = (str(settings.project_root), repr(settings.analysis))
        project = self._projects.get(key)
        if project is None:
            project = Project(settings.project_root, settings.analysis)
            if self.stores_for is not None:
                project.index_store, project.summary_store = self.stores_for(project.root)
            self._projects[key] = project
        return project

    def rules_for(self, settings: Settings) -> List[Rule]:
        key = settings.fingerprint()
        rules = self._rules.get(key)
        if rules is None:
            rules = [
                cls(settings.rule_options.get(cls.code))
                for cls in all_rules()
                if not cls.engine_only
            ]
            self._rules[key] = rules
        return rules

    def forget(self, path: str) -> None:
        """Drop cached knowledge of a file whose content changed (fix passes)."""
        for project in self._projects.values():
            project.forget(path)

    def files_changed(self) -> None:
        """Files were created or deleted under the projects (the language server hears of
        it): forget the file lists and import resolutions built from the old tree."""
        for project in self._projects.values():
            project.files_changed()

    def replace(self, path: str, data: bytes, settings: Settings) -> None:
        """`path` now reads as `data`, which differs from what the analysis read before (an
        editor buffer): like `override`, and everything derived from the old content is
        dropped even when no parsed module of it was held (the byte indexes read it)."""
        project = self.project_for(settings)
        project.set_override(path, data)
        project.content_changed(path)

    def override(self, path: str, data: bytes, settings: Settings) -> None:
        """Make the analysis read `data` as the content of `path` (stdin, fix passes)."""
        self.project_for(settings).set_override(path, data)

    # --- linting -------------------------------------------------------------------------------
    @quiet_warnings()  # Python's warnings about the linted code are not cachelint's to print
    def lint(
        self,
        path: str,
        data: Optional[bytes] = None,
        *,
        explicit: bool = False,
        settings: Optional[Settings] = None,
        want_requests: bool = False,
        skip_generated: bool = False,
    ) -> FileResult:
        """Lint one file (read from disk unless `data` is given).

        `skip_generated`: the generated-code check discovery deferred (`discover(...,
        defer_generated=True)`): a generated file is `skipped` as `SKIPPED_GENERATED`.
        """
        try:
            return self._lint(path, data, explicit, settings, want_requests, skip_generated)
        finally:
            if self._gc_frozen:
                gc.unfreeze()
                self._gc_frozen = False

    def _parse(self, text: str, path: str, target: Optional[Version]) -> Parsed:
        """Parse; a huge module's tree is kept out of the cyclic garbage collector's reach.

        Every full collection traverses every live object, and building and analysing the
        tree of a module of megabytes allocates enough to trigger many: on a 3 MB generated
        module they were a third of the run. The collector is off while the tree is built
        (nodes hold no cycles), then `gc.freeze()` sets everything alive aside until
        `lint` returns; objects made later are collected as usual."""
        if len(text) < GC_FREEZE_CHARS or not gc.isenabled() or self._gc_frozen:
            return parse_module(text, path, target)
        gc.disable()
        try:
            return parse_module(text, path, target)
        finally:
            gc.freeze()
            self._gc_frozen = True
            gc.enable()

    def _lint(
        self,
        path: str,
        data: Optional[bytes],
        explicit: bool,
        settings: Optional[Settings],
        want_requests: bool,
        skip_generated: bool,
    ) -> FileResult:
        path = os.path.realpath(path) if os.path.exists(path) else os.path.abspath(path)
        settings = settings or self.settings_for(Path(path))
        result = FileResult(path=path)
        clock = _Clock(result.timings)
        from_disk = data is None
        if data is None:
            try:
                data = read_regular_file(path)  # never blocks on a FIFO
            except OSError as exc:
                result.diagnostics = self._select([invalid_source(path, f"cannot read file: {exc.strerror or exc}")], settings, path)
                return result
        result.digest = content_digest(data)
        if skip_generated:
            from cachelint.discovery.walk import is_generated

            if is_generated(data):
                result.skipped = SKIPPED_GENERATED
                return result
        notebook = path.endswith(".ipynb")
        if not notebook:
            with clock("prefilter"):
                interesting = worth_parsing(data)
        # Every file is decoded (C speed: a file that is not valid text is a CL000 finding
        # wherever it is), but only files that can matter are parsed: those naming an SDK,
        # a caching field or an LLM endpoint, files named on the command line, and files
        # with a cachelint comment. Parsing the rest would cost as much as the analysis of
        # a whole monorepo (most of its files never touch an LLM); syntax errors there are
        # the business of the interpreter and of ruff.
        try:
            source = decode_source(path, data)
        except SourceError as exc:
            result.diagnostics = self._select([invalid_source(path, exc.message, exc.row, exc.column)], settings, path)
            return result
        code = data
        if notebook:  # a notebook's code is its cells' (its outputs may name any SDK)
            code = source.text.encode("utf-8", "surrogatepass")
            with clock("prefilter"):
                interesting = worth_parsing(code)
        if not interesting and not explicit and not _has_directives(code):
            result.skipped = SKIPPED_NO_MARKER
            if b"import" in code:
                from cachelint.importers import imported_modules

                result.imports = tuple(imported_modules(code))
            return result
        project = self.project_for(settings)
        if not explicit and project.installed_sdk(path):
            result.skipped = SKIPPED_INSTALLED_SDK
            return result
        known = project.parsed_tree(path, data)
        parsed: List[str] = []
        too_new: List[Diagnostic] = []
        if known is not None:
            source, tree = known  # imported by a file linted earlier: parsed once, here too
            if settings.target_version is not None:
                found = check_target(tree, source.text, settings.target_version)
                if found is not None:
                    too_new = [_too_new_diagnostic(path, found, settings.target_version)]
        else:
            with clock("parse"):
                outcome = self._parse(source.text, path, settings.target_version)
            parsed.append(path)
            tree = outcome.tree
            if tree is None:
                assert outcome.error is not None
                result.diagnostics = _in_cells(self._select([invalid_source(path, *outcome.error)], settings, path), source)
                result.parsed = tuple(parsed)
                return result
            if outcome.too_new is not None and settings.target_version is not None:
                too_new = [_too_new_diagnostic(path, outcome.too_new, settings.target_version)]
        index = LineIndex(source.text)
        enabled = settings.enabled_for(path)
        project.set_override(path, data, (source, tree), index)
        project.parse_log = []
        requests: List[Any] = []
        events: List[Any] = []
        if (interesting or explicit) and enabled:
            from cachelint.analysis import analyse_file

            with clock("analyse"):
                analysis = analyse_file(project, path, settings.analysis.max_call_depth, self.strict)
            requests, events = analysis.requests, analysis.events
            result.sends_requests = bool(requests)
            result.leads_through = () if requests else tuple(sorted(analysis.leading_names))
            result.deps = {p: h for p, h in analysis.deps.items() if p != path}
            result.notes.extend(f"analysis gave up on part of this file: {e}" for e in analysis.errors)
        parsed.extend(project.parse_log)
        project.parse_log = []
        result.parsed = tuple(parsed)
        ctx = FileContext(
            path=path,
            source=source,
            index=index,
            tree=tree,
            settings=settings,
            requests=requests,
            events=events,
            load_source=lambda p: self._load_source(p, project, path, source, index),
            name_uses=project.name_uses,
        )
        with clock("rules"):
            for rule in self.rules_for(settings):
                if rule.code not in enabled:
                    continue
                try:
                    rule.check_module(ctx)
                    for request in requests:
                        rule.check_request(request, ctx)
                except RecursionError:
                    continue
                except Exception as exc:  # a rule bug must not stop the run
                    if self.strict:
                        raise
                    result.errors.append(f"{path}: {rule.code}: internal error: {type(exc).__name__}: {exc}")
        if from_disk:
            project.drop_override(path)  # the disk holds these bytes; a worker needn't
        diagnostics = _dedupe(ctx.deduplicated())
        diagnostics = [d if settings.is_fixable(d.code) or d.fix is None else d.with_fix(None) for d in diagnostics]
        with clock("suppress"):
            from cachelint.suppress import apply_suppressions

            suppressed = apply_suppressions(source.text, tree, diagnostics, enabled, path, index)
        result.diagnostics = _in_cells(self._select(too_new, settings, path) + suppressed.kept + suppressed.unused, source)
        if requests:
            from cachelint.costs import cost_records

            result.costs = _costs_in_cells(cost_records(requests, settings.tables, path, index.location, ctx), source)
        if want_requests:
            result.requests = requests
        return result

    def _select(self, diagnostics: List[Diagnostic], settings: Settings, path: str) -> List[Diagnostic]:
        enabled = settings.enabled_for(path)
        return [d for d in diagnostics if d.code in enabled]

    def _load_source(self, p: str, project: Any, path: str, source: SourceFile, index: LineIndex) -> Optional[SourceText]:
        real = os.path.realpath(p)
        if real == path:
            return SourceText(source, index)
        module = project.module(real)
        if module is None:
            return None
        return SourceText(module.source, module.index)


class _Clock:
    """Accumulates wall time per phase into a dict (shown by --verbose)."""

    def __init__(self, timings: Dict[str, float]) -> None:
        self.timings = timings

    def __call__(self, phase: str) -> "_Phase":
        return _Phase(self.timings, phase)


class _Phase:
    def __init__(self, timings: Dict[str, float], phase: str) -> None:
        self.timings = timings
        self.phase = phase

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *exc: Any) -> None:
        self.timings[self.phase] = self.timings.get(self.phase, 0.0) + time.perf_counter() - self.start


def _in_cells(diagnostics: List[Diagnostic], source: SourceFile) -> List[Diagnostic]:
    """A notebook's findings with their cells and rows within the cell (as ruff reports
    them); other files' as they are."""
    if not is_notebook_source(source):
        return diagnostics
    from cachelint.notebook import cell_diagnostics

    return cell_diagnostics(diagnostics, source)  # type: ignore[arg-type]


def _costs_in_cells(rows: List[Dict[str, Any]], source: SourceFile) -> List[Dict[str, Any]]:
    if not is_notebook_source(source):
        return rows
    from cachelint.diagnostics import Location
    from cachelint.notebook import cell_location

    for row in rows:
        cell, location = cell_location(source.notebook, Location(row["row"], row["column"]))  # type: ignore[attr-defined]
        row["cell"], row["row"], row["column"] = cell, location.row, location.column
    return rows


def is_notebook_source(source: SourceFile) -> bool:
    return getattr(source, "notebook", None) is not None


def _too_new_diagnostic(path: str, found: TooNew, target: Version) -> Diagnostic:
    """CL000 for syntax the project's target Python cannot parse (the file is analysed all
    the same: every newer Python reads it)."""
    return invalid_source(path, found.message(target), found.row, found.column)


_DIRECTIVE_RE = re.compile(rb"cachelint\s*:|noqa\s*:[^\n]*\bCL\d{3}", re.IGNORECASE)


def _has_directives(data: bytes) -> bool:
    """A suppression comment naming cachelint: the file must go through the suppression pass
    so that CL100 sees it. A file whose LLM call was removed keeps its now unused
    `# cachelint: ignore[...]`, and no SDK marker is left for the prefilter to find."""
    return _DIRECTIVE_RE.search(data) is not None


def _dedupe(diagnostics: Sequence[Diagnostic]) -> List[Diagnostic]:
    """One finding per (code, place, message): a call site reached from several entry points
    (or analysed once per subclass) is reported once."""
    seen = set()
    out: List[Diagnostic] = []
    for d in diagnostics:
        key = (d.code, d.location, d.end_location, d.message)
        if key in seen:
            continue
        seen.add(key)
        out.append(d)
    return out
