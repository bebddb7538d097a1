"""The language server's linting core: one warm engine per workspace, buffers as overrides.

An editor asks for the same files again and again, a few characters apart. So the server
keeps one `Engine` (and through it one `Project` per project root) for its whole life: the
project modules a buffer imports are read and parsed once, their summaries and the byte
indexes of the project are kept, and an edit replaces one module's text. The edited buffer's
text is handed to the engine as the content of its path (an override), so the analysis of
every other file sees the buffer, not the file on disk; `Project.set_override` then drops
what was derived from the old text (see `Project._changed`).

This module speaks cachelint's own types and plain offsets; `cachelint.server.lsp` turns them
into protocol messages. It imports neither pygls nor lsprotocol, so it is tested directly.
"""

from __future__ import annotations

import difflib
import io
import os
import threading
import time
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, FrozenSet, List, Optional, Sequence, Tuple

from cachelint.diagnostics import Applicability, Diagnostic, Edit, sort_diagnostics
from cachelint.source import LineIndex

#: A change of one file's text: replace characters `[start, end)` with `content`.
TextChange = Tuple[int, int, str]


@dataclass
class LintOutcome:
    """What linting one buffer gave, for the text that was linted."""

    path: str
    text: str
    diagnostics: List[Diagnostic] = field(default_factory=list)
    #: project files the analysis read, the buffer's own path excluded (its dependencies)
    deps: FrozenSet[str] = frozenset()
    #: internal errors (bugs in cachelint), shown in the editor's log
    errors: List[str] = field(default_factory=list)
    #: files parsed for this lint (the buffer, and project modules read for the first time)
    parsed: Tuple[str, ...] = ()
    #: the text differs from what the analysis of other files read before (the buffer's
    #: previous text, or the file on disk): open buffers importing it need linting again
    changed: bool = False
    #: the lint was cancelled (`LintSession.cancel`): nothing in it holds
    cancelled: bool = False
    #: why the buffer got no findings without being linted ("excluded", a config error)
    skipped: Optional[str] = None
    seconds: float = 0.0

    @property
    def index(self) -> LineIndex:
        found = self.__dict__.get("_index")
        if found is None:
            found = self.__dict__["_index"] = LineIndex(self.text)
        return found


@dataclass(frozen=True)
class Action:
    """One code action: a title, and the changes it makes per file (character offsets
    into the text each file has now)."""

    title: str
    kind: str  # "quickfix", "source.fixAll" or "suppress"
    changes: Dict[str, List[TextChange]]
    diagnostic: Optional[Diagnostic] = None
    preferred: bool = False


def encode_buffer(text: str) -> bytes:
    """The bytes a buffer would be saved as: UTF-8 unless its coding line names another
    encoding (the engine decodes by that line, as Python does, so the positions it reports
    are positions in `text` either way). A buffer the named codec cannot encode stays UTF-8:
    the engine then reports why it cannot be decoded, as it would for the saved file."""
    data = text.encode("utf-8", "surrogatepass")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        return data
    if encoding in ("utf-8", "utf-8-sig"):
        return data
    try:
        return text.encode(encoding)
    except (LookupError, UnicodeError):
        return data


def line_changes(old: str, new: str) -> List[TextChange]:
    """The changes turning `old` into `new`, one per differing run of lines.

    Used where a fix is not a list of edits of the current text (imports added with libcst,
    several fix passes for "fix all"): the editor keeps its cursor and marks outside the
    changed lines, which one edit replacing the whole buffer would not let it do."""
    if old == new:
        return []
    a = old.splitlines(keepends=True)
    b = new.splitlines(keepends=True)
    starts = [0]
    for line in a:
        starts.append(starts[-1] + len(line))
    changes: List[TextChange] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            changes.append((starts[i1], starts[i2], "".join(b[j1:j2])))
    return changes


class LintSession:
    """Lints editor buffers of one workspace with a warm engine.

    Not thread-safe: the server calls it from one worker thread at a time.
    """

    def __init__(self, root: Path, warn: Optional[Callable[[str], None]] = None) -> None:
        self.root = Path(os.path.realpath(root))
        self._warn = warn
        self._engine = None
        self._resolver = None
        #: real path -> the bytes last handed to the engine for an open buffer
        self._open: Dict[str, bytes] = {}
        #: set from another thread to end the lint (or fix) in progress: its outcome is
        #: `cancelled`. The server sets it when the buffer changed again; clearing it is the
        #: caller's business, before it starts the next lint.
        self.cancel = threading.Event()

    # --- configuration --------------------------------------------------------------------
    def _setup(self) -> None:
        from cachelint.config.loader import CliOverrides, ConfigResolver
        from cachelint.engine import Engine

        self._resolver = ConfigResolver(self.root, CliOverrides(), warn=self._warn)
        self._engine = engine = Engine(self._resolver.settings_for)
        for path, data in self._open.items():  # after `reload`: the buffers are still open
            try:
                engine.override(path, data, self._resolver.settings_for(Path(path)))
            except Exception:  # a config error: linting that buffer will say so
                continue

    @property
    def engine(self):
        if self._engine is None:
            self._setup()
        return self._engine

    def reload(self) -> None:
        """A config file changed: read the configuration again and start a new engine (its
        projects may have other roots or analysis options), keeping the open buffers."""
        self._engine = None
        self._resolver = None

    def settings_for(self, path: str):
        _ = self.engine  # builds the resolver
        assert self._resolver is not None
        return self._resolver.settings_for(Path(path))

    # --- buffers ------------------------------------------------------------------------------
    def lint(self, path: str, text: str) -> LintOutcome:
        """Lint `text` as the content of `path` (which need not exist)."""
        from cachelint.discovery.walk import is_excluded
        from cachelint.registry import UnknownSelector
        from cachelint.config.settings import ConfigError

        started = time.perf_counter()
        path = _real(path)
        outcome = LintOutcome(path=path, text=text)
        try:
            settings = self.settings_for(path)
        except (ConfigError, UnknownSelector) as exc:
            outcome.skipped = f"configuration error: {exc}"
            return outcome
        data = encode_buffer(text)
        outcome.changed = data != self._known_bytes(path)
        self._open[path] = data
        if outcome.changed:
            self.engine.replace(path, data, settings)
        if is_excluded(Path(path), settings, self.root):
            # As ruff's server: a file the configuration excludes gets no findings, also
            # when it is opened (a vendored module, a fixture, a file of a virtualenv). Other
            # files' analysis still reads the buffer (`replace` above).
            outcome.skipped = "excluded by the configuration"
            return outcome
        from cachelint.analysis.frames import Cancelled

        self.engine.project_for(settings).cancel = self.cancel
        try:
            result = self.engine.lint(path, data, explicit=True, settings=settings)
        except Cancelled:
            outcome.cancelled = True
            return outcome
        outcome.diagnostics = sort_diagnostics(list(result.diagnostics))
        outcome.deps = frozenset(p for p in result.deps if p != path)
        outcome.errors = list(result.errors)
        outcome.parsed = result.parsed
        outcome.seconds = time.perf_counter() - started
        return outcome

    def _known_bytes(self, path: str) -> Optional[bytes]:
        """What the analysis reads as `path` now: the open buffer, else the file on disk."""
        known = self._open.get(path)
        if known is not None:
            return known
        from cachelint.source import read_regular_file

        try:
            return read_regular_file(path)
        except OSError:
            return None

    def close(self, path: str) -> None:
        """The buffer was closed: the file on disk is the truth again."""
        path = _real(path)
        if self._open.pop(path, None) is not None and self._engine is not None:
            self._engine.forget(path)

    def disk_changed(self, path: str, created_or_deleted: bool = False) -> None:
        """A file changed on disk (a checkout, a formatter, another editor). An open buffer
        keeps its text; anything else is read again when next needed."""
        if self._engine is None:
            return
        path = _real(path)
        if created_or_deleted:
            self._engine.files_changed()
        if path not in self._open:
            self._engine.forget(path)

    # --- fixes ------------------------------------------------------------------------------
    def actions(self, outcome: LintOutcome, start: int, end: int) -> List[Action]:
        """Code actions for the findings of `outcome` that touch `[start, end)`: its fix
        (unsafe ones too, labelled so), and a suppression comment for the statement."""
        actions: List[Action] = []
        index = outcome.index
        for diagnostic in outcome.diagnostics:
            d_start = index.offset(diagnostic.location)
            d_end = index.offset(diagnostic.end_location)
            if not (d_start <= end and start <= d_end):
                continue
            fix = self.fix_action(outcome, diagnostic)
            if fix is not None:
                actions.append(fix)
            ignore = self.ignore_action(outcome, diagnostic)
            if ignore is not None:
                actions.append(ignore)
        return actions

    def fix_action(self, outcome: LintOutcome, diagnostic: Diagnostic) -> Optional[Action]:
        fix = diagnostic.fix
        if fix is None or not fix.edits:
            return None
        texts = self._texts_for(outcome, fix.paths)
        if texts is None:
            return None
        changes: Dict[str, List[TextChange]] = {}
        for path in fix.paths:
            edits = [e for e in fix.edits if e.path == path]
            if fix.imports and path == fix.edits[0].path:
                from cachelint.fix.apply import add_imports, apply_edits

                new = add_imports(apply_edits(texts[path], edits), sorted(fix.imports, key=lambda i: (i[0], i[1] or "")))
                changes[path] = line_changes(texts[path], new)
            else:
                changes[path] = [(e.start, e.end, e.content) for e in _unique(edits)]
        safe = fix.applicability is Applicability.SAFE
        label = fix.message or diagnostic.fix_title or f"Fix {diagnostic.code}"
        title = f"{diagnostic.code}: {label}" if safe else f"{diagnostic.code}: {label} (unsafe fix: {_UNSAFE_WHY})"
        return Action(title=title, kind="quickfix", changes=changes, diagnostic=diagnostic, preferred=safe)

    def ignore_action(self, outcome: LintOutcome, diagnostic: Diagnostic) -> Optional[Action]:
        """`# cachelint: ignore[CODE]` above the statement, as `--add-ignore` writes it."""

        from cachelint.source import SourceError, decode_source
        from cachelint.suppress import add_ignore_directives

        if diagnostic.code in ("CL000", "CL100"):
            return None
        try:
            source = decode_source(outcome.path, encode_buffer(outcome.text))
        except SourceError:
            return None
        from cachelint.syntax import parse_module

        tree = parse_module(outcome.text, outcome.path).tree
        if tree is None:
            return None
        new, count = add_ignore_directives(source, tree, [diagnostic])
        if not count:
            return None
        return Action(title=f"{diagnostic.code}: silence it on this statement (# cachelint: ignore)", kind="suppress",
                      changes={outcome.path: line_changes(outcome.text, new)}, diagnostic=diagnostic)

    def may_fix_all(self, outcome: LintOutcome) -> bool:
        """Whether "fix all" can change anything: a finding has a fix it would apply (cheap;
        `fix_all` runs the fix passes)."""
        if outcome.skipped or outcome.cancelled:
            return False
        try:
            unsafe = bool(self.settings_for(outcome.path).unsafe_fixes)
        except Exception:  # a config error: nothing is linted, nothing to fix
            return False
        return any(d.fixable(unsafe) and set(d.fix.paths) <= {outcome.path} for d in outcome.diagnostics)  # type: ignore[union-attr]

    def fix_all(self, outcome: LintOutcome) -> Optional[Action]:
        """Every fix of the buffer allowed without `--unsafe-fixes` (unless the configuration
        turns unsafe fixes on), applied in passes as `cachelint --fix` does; only the buffer
        is changed, as for text read from stdin. None when nothing would change.

        Remembered on `outcome`: an editor asks for the code actions at every cursor move,
        and the outcome is replaced whenever the buffer, or a file its analysis read, changes."""
        if "_fix_all" not in outcome.__dict__:
            found = self._fix_all(outcome)
            if not self.cancel.is_set():
                outcome.__dict__["_fix_all"] = found  # a cancelled run is not the answer
            return found
        return outcome.__dict__["_fix_all"]

    def _fix_all(self, outcome: LintOutcome) -> Optional[Action]:
        from cachelint.engine import FileResult
        from cachelint.fix.apply import Fixer
        from cachelint.source import SourceError, decode_source

        if not self.may_fix_all(outcome):
            return None
        path = outcome.path
        data = encode_buffer(outcome.text)
        try:
            source = decode_source(path, data)
        except SourceError:
            return None
        settings = self.settings_for(path)
        result = FileResult(path=path, diagnostics=list(outcome.diagnostics), deps=dict.fromkeys(outcome.deps, ""))
        from cachelint.analysis.frames import Cancelled

        engine = self.engine
        engine.project_for(settings).cancel = self.cancel
        try:
            fixed = Fixer(engine, bool(settings.unsafe_fixes), only_paths={path}).run(
                {path: result}, {path}, sources={path: source}
            )
        except Cancelled:
            return None  # the buffer changed: these edits would not apply to it anyway
        finally:
            # The fix passes linted the fixed text as `path`: the buffer is the truth again
            # (`replace`, not `override`: the byte indexes read the fixed text meanwhile).
            engine.forget(path)
            engine.replace(path, data, settings)
        new = fixed.texts.get(path, outcome.text)
        if new == outcome.text:
            return None
        return Action(title=self.fix_all_title(outcome), kind="source.fixAll", changes={path: line_changes(outcome.text, new)})

    def fix_all_title(self, outcome: LintOutcome) -> str:
        try:
            unsafe = bool(self.settings_for(outcome.path).unsafe_fixes)
        except Exception:  # a config error: `may_fix_all` said no anyway
            unsafe = False
        return "cachelint: fix all" if unsafe else "cachelint: fix all safe fixes"

    def _texts_for(self, outcome: LintOutcome, paths: Sequence[str]) -> Optional[Dict[str, str]]:
        """The text each file of a fix has as the analysis read it (an open buffer's text, or
        the module the project parsed); None when one cannot be had."""
        texts: Dict[str, str] = {}
        for path in paths:
            if path == outcome.path:
                texts[path] = outcome.text
                continue
            project = self.engine.project_for(self.settings_for(path))
            module = project.module(path)
            if module is None:
                return None
            texts[path] = module.text
        return texts

    # --- documentation ----------------------------------------------------------------------
    @staticmethod
    def rule_page(code: str) -> Optional[str]:
        """The rule's documentation page (Markdown), as `cachelint --explain` prints it."""
        from cachelint.docs import render_rule_page
        from cachelint.registry import rule_for

        rule = rule_for(code)
        return render_rule_page(rule) if rule is not None else None

    def text_of(self, path: str) -> Optional[str]:
        """The text of a project file as the analysis sees it (for related locations)."""
        if self._engine is None:
            return None
        try:
            project = self._engine.project_for(self.settings_for(path))
        except Exception:  # a config error: the related location keeps its raw column
            return None
        module = project.module(path)
        return module.text if module is not None else None


_UNSAFE_WHY = "changes prompt text or order, or drops a breakpoint"


def _unique(edits: Sequence[Edit]) -> List[Edit]:
    out: List[Edit] = []
    for edit in edits:
        if edit not in out:
            out.append(edit)
    return out


def _real(path: str) -> str:
    path = os.path.abspath(path)
    return os.path.realpath(path) if os.path.exists(path) else path
