"""`cachelint server`: the Language Server Protocol over stdio, built on pygls.

What an editor gets:

* diagnostics published when a Python buffer is opened, changed or saved, for the text in
  the buffer (not the file on disk), with the cross-module analysis kept warm between edits
  (see `cachelint.server.session`). A buffer that another open buffer's analysis read is
  linted again when it changes, so a prompt edited in `prompts.py` updates the findings of
  `app.py`;
* code actions: each finding's fix (unsafe fixes too, with "unsafe" in the title and never
  preferred), a `# cachelint: ignore[...]` comment for the statement, and "fix all"
  (`source.fixAll.cachelint`, also the command `cachelint.applyAutofix`) which applies the
  safe fixes only, as `cachelint --fix` without `--unsafe-fixes` (the configuration's
  `unsafe-fixes = true` turns the unsafe ones on, as it does on the command line). Its
  edit is computed when the action is picked (`codeAction/resolve`) where the client can;
* hover: the rule's documentation page over a finding or over a rule code in a comment.

Scheduling: the analysis of a large file takes up to a few seconds, and an editor sends a
change per keystroke. Linting runs in one worker thread. A change cancels the lint of its
buffer's older text (the analysis stops at its next step) and the newest text is linted as
soon as the worker is free: no fixed delay is added. Buffers importing an edited one are
linted after the worker has been idle for a moment, and an edit cancels such a lint too.
Diagnostics carry the buffer version they were computed for. Requests that need the
findings of the current text (code actions, hover) wait for that text to be linted.

Buffers are kept here, not in pygls' workspace: positions follow the protocol's rules (lines
end at `\\n`, `\\r\\n` or `\\r` only; characters are code units of the negotiated encoding),
which `cachelint.server.positions` implements and tests.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple
from urllib.parse import unquote, urlparse

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from cachelint.version import __version__
from cachelint.config.loader import CONFIG_FILENAMES
from cachelint.diagnostics import Severity
from cachelint.server.positions import (
    UTF16,
    from_lsp,
    location_to_lsp,
    normalise_encoding,
    to_lsp,
)
from cachelint.server.session import Action, LintOutcome, LintSession
from cachelint.source import LineIndex
from cachelint.stack_room import with_stack_room

log = logging.getLogger("cachelint.server")

SOURCE = "cachelint"
FIX_ALL_KIND = "source.fixAll.cachelint"
APPLY_AUTOFIX = "cachelint.applyAutofix"
_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.NOTE: types.DiagnosticSeverity.Information,
}
_CODE_RE = re.compile(r"\bCL\d{3}\b")
#: Seconds without a change before the buffers importing an edited one are linted again.
DEPENDANTS_DELAY = 0.6


@dataclass
class Buffer:
    """An open document: its text as the editor has it, and the path it is linted as."""

    uri: str
    path: str
    text: str
    version: Optional[int]
    language_id: str


class CachelintServer(LanguageServer):
    """The server: buffers, the lint worker, and conversions to protocol types."""

    def __init__(self) -> None:
        super().__init__("cachelint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.session: Optional[LintSession] = None
        self.buffers: Dict[str, Buffer] = {}
        #: uri -> the last outcome, and the version and text it was computed for
        self.outcomes: Dict[str, Tuple[Optional[int], LintOutcome]] = {}
        #: uris to lint, in order; True for a buffer linted again because one it imports
        #: changed (a "dependant"), False for an edited one
        self.pending: Dict[str, bool] = {}
        #: the lint in progress: (uri, is a dependant), to cancel it when it is stale
        self._linting: Optional[Tuple[str, bool]] = None
        #: uri -> (text, future) of its lint in progress (`fresh` waits for it)
        self._inflight: Dict[str, Tuple[str, "asyncio.Future[LintOutcome]"]] = {}
        self._drain: Optional[asyncio.Future] = None
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cachelint-lint")
        self._untitled = 0
        #: configuration errors already shown to the user
        self._told: set = set()
        #: buffers to lint again after a pause (see `schedule_dependants`)
        self._dependants: Dict[str, None] = {}
        self._dependants_timer: Optional[asyncio.TimerHandle] = None

    # --- setup -----------------------------------------------------------------------------
    @property
    def encoding(self) -> str:
        try:
            return normalise_encoding(self.workspace.position_encoding)
        except Exception:  # before initialize, pygls has no workspace
            return UTF16

    def setup(self, params: types.InitializeParams) -> None:
        root = None
        if params.workspace_folders:
            root = uri_to_path(params.workspace_folders[0].uri)
        elif params.root_uri:
            root = uri_to_path(params.root_uri)
        elif params.root_path:
            root = params.root_path
        if not root or not os.path.isdir(root):
            root = os.getcwd()
        self.session = LintSession(Path(root), warn=lambda line: log.warning("%s", line))

    def warm_up(self) -> None:
        """Import what the first lint needs while the editor is still opening files."""
        from cachelint.registry import all_rules

        all_rules()
        assert self.session is not None
        _ = self.session.engine  # reads the configuration

    # --- buffers ----------------------------------------------------------------------------
    def path_for(self, uri: str) -> str:
        path = uri_to_path(uri)
        if path is not None:
            return path
        # An unsaved buffer (`untitled:Untitled-1`): linted as a file of the workspace root
        # that does not exist, so the root's configuration applies.
        self._untitled += 1
        root = self.session.root if self.session is not None else Path.cwd()
        return str(root / f".cachelint-untitled-{self._untitled}.py")

    def open(self, item: types.TextDocumentItem) -> None:
        self.buffers[item.uri] = Buffer(item.uri, self.path_for(item.uri), item.text, item.version, item.language_id)
        self._cancel_stale(item.uri)
        self.schedule(item.uri)

    def change(self, params: types.DidChangeTextDocumentParams) -> None:
        buffer = self.buffers.get(params.text_document.uri)
        if buffer is None:
            return
        text = buffer.text
        for change in params.content_changes:
            if isinstance(change, types.TextDocumentContentChangePartial):
                index = LineIndex(text)
                start = from_lsp(index, change.range.start.line, change.range.start.character, self.encoding)
                end = from_lsp(index, change.range.end.line, change.range.end.character, self.encoding)
                text = text[:start] + change.text + text[max(start, end):]
            else:
                text = change.text
        buffer.text = text
        buffer.version = params.text_document.version
        self._cancel_stale(buffer.uri)
        self.schedule(buffer.uri)

    def _cancel_stale(self, uri: str) -> None:
        """End the lint in progress when its answer is no longer wanted: it lints an older
        text of `uri`, or a dependant (which can wait for the next pause)."""
        if self._linting is not None and self.session is not None and (self._linting[0] == uri or self._linting[1]):
            self.session.cancel.set()

    def close(self, uri: str) -> None:
        buffer = self.buffers.pop(uri, None)
        self.outcomes.pop(uri, None)
        self.pending.pop(uri, None)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        if buffer is not None and self.session is not None:
            session = self.session
            asyncio.ensure_future(self._run(session.close, buffer.path))
            self.schedule_dependants(os.path.realpath(buffer.path))

    def saved(self, uri: str) -> None:
        """Publish the findings on save: those of the buffer's text when it was linted
        already (saving changes nothing the analysis of the buffer reads), else lint it."""
        buffer = self.buffers[uri]
        known = self.outcomes.get(uri)
        if known is None or known[1].text != buffer.text or uri in self.pending:
            self.schedule(uri)
            return
        asyncio.ensure_future(self._republish(buffer, known[1]))

    async def _republish(self, buffer: Buffer, outcome: LintOutcome) -> None:
        converted = await self._run(self.to_lsp_diagnostics, outcome)  # the worker owns the engine
        if self.buffers.get(buffer.uri) is buffer and buffer.text == outcome.text:
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                uri=buffer.uri, diagnostics=converted, version=buffer.version))

    def is_linted(self, buffer: Buffer) -> bool:
        return buffer.language_id in ("python", "") or buffer.path.endswith((".py", ".pyi"))

    # --- the lint worker --------------------------------------------------------------------
    def schedule(self, uri: str, first: bool = True) -> None:
        """Lint `uri` when the worker is free: edited buffers first, dependants after."""
        if first and self._dependants_timer is not None:
            self._dependants_timer.cancel()  # still typing: the dependants wait for a pause
            self._dependants_timer = None
        if first:
            self.pending = {uri: False, **{u: d for u, d in self.pending.items() if u != uri}}
        else:
            self.pending.setdefault(uri, True)
        if self._drain is None or self._drain.done():
            self._drain = asyncio.ensure_future(self._lint_pending())

    def schedule_dependants(self, path: str) -> None:
        """Lint again, once the worker has been idle for `DEPENDANTS_DELAY`, the open
        buffers whose analysis read `path`. Not at once: while the user types, the worker
        belongs to the edited buffer (an edit also cancels a dependant's lint in progress,
        which then waits for the next pause)."""
        for uri, (_, outcome) in list(self.outcomes.items()):
            if path in outcome.deps and uri in self.buffers:
                self._dependants[uri] = None
        if self._dependants and not self.pending and (self._drain is None or self._drain.done()):
            self._arm_dependants()  # else armed when the worker runs dry

    def _arm_dependants(self) -> None:
        """Start (again) the pause after which the dependants are linted: counted from the
        moment the worker ran out of edited buffers, not from the last change (a lint of the
        edited buffer can outlast any fixed delay)."""
        if self._dependants_timer is not None:
            self._dependants_timer.cancel()
        self._dependants_timer = asyncio.get_running_loop().call_later(DEPENDANTS_DELAY, self._flush_dependants)

    def _flush_dependants(self) -> None:
        self._dependants_timer = None
        if self.pending or (self._drain is not None and not self._drain.done()):
            return  # busy with an edit again: re-armed when it is done
        waiting, self._dependants = self._dependants, {}
        for uri in waiting:
            if uri in self.buffers:
                self.schedule(uri, first=False)

    async def _run(self, fn: Any, *args: Any) -> Any:
        # from a roomy frame, as the command line lints (`cachelint.stack_room`)
        return await asyncio.get_running_loop().run_in_executor(self._worker, with_stack_room, partial(fn, *args))

    async def _lint_pending(self) -> None:
        while self.pending:
            uri = next(iter(self.pending))
            dependant = self.pending.pop(uri)
            buffer = self.buffers.get(uri)
            if buffer is None:
                continue
            try:
                await self.lint_now(buffer, dependant)
            except Exception as exc:  # a bug in cachelint: say so in the log, keep serving
                log.exception("cachelint: internal error while linting %s", buffer.path)
                self.window_log_message(types.LogMessageParams(types.MessageType.Error, f"cachelint: internal error: {exc}"))
        if self._dependants:
            self._arm_dependants()

    async def lint_now(self, buffer: Buffer, dependant: bool = False) -> LintOutcome:
        """Lint the buffer's current text and publish the findings (if still current)."""
        assert self.session is not None
        version, text = buffer.version, buffer.text
        if not self.is_linted(buffer):
            outcome = LintOutcome(path=buffer.path, text=text, skipped="not a Python buffer")
        else:
            self.session.cancel.clear()
            self._linting = (buffer.uri, dependant)
            job = asyncio.ensure_future(self._run(self.session.lint, buffer.path, text))
            self._inflight[buffer.uri] = (text, job)
            try:
                outcome = await job
            finally:
                self._linting = None
                if self._inflight.get(buffer.uri, (None, None))[1] is job:
                    del self._inflight[buffer.uri]
        if outcome.cancelled:
            if dependant:
                self._dependants[buffer.uri] = None  # again after the next pause
            elif self.buffers.get(buffer.uri) is buffer and buffer.text == text:
                self.schedule(buffer.uri)  # cancelled for another buffer's sake: not stale
            return outcome
        converted = await self._run(self.to_lsp_diagnostics, outcome)
        for error in outcome.errors:
            self.window_log_message(types.LogMessageParams(types.MessageType.Error, f"cachelint: internal error: {error}"))
        if outcome.skipped:
            log.info("%s: %s", buffer.path, outcome.skipped)
            if outcome.skipped.startswith("configuration error") and outcome.skipped not in self._told:
                self._told.add(outcome.skipped)  # once, not on every keystroke
                self.window_show_message(types.ShowMessageParams(types.MessageType.Error, f"cachelint: {outcome.skipped}"))
        current = self.buffers.get(buffer.uri)
        if current is None or current.text != text:
            return outcome  # edited (or closed) meanwhile: the next lint publishes
        self.outcomes[buffer.uri] = (version, outcome)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=buffer.uri, diagnostics=converted, version=version)
        )
        if outcome.changed:
            self.schedule_dependants(outcome.path)
        return outcome

    async def fresh(self, uri: str) -> Optional[LintOutcome]:
        """The outcome for the buffer's current text, linting it first if needed."""
        buffer = self.buffers.get(uri)
        if buffer is None:
            return None
        known = self.outcomes.get(uri)
        if known is not None and known[1].text == buffer.text:
            return known[1]
        running = self._inflight.get(uri)
        if running is not None and running[0] == buffer.text:
            outcome = await asyncio.shield(running[1])  # the worker is on it: wait, do not queue another
        else:
            self.pending.pop(uri, None)
            outcome = await self.lint_now(buffer)
        return None if outcome.cancelled or outcome.text != buffer.text else outcome

    # --- conversions -------------------------------------------------------------------------
    def range_of(self, index: LineIndex, start: Any, end: Any) -> types.Range:
        """The protocol range of two `Location`s (or character offsets) in `index.text`."""
        enc = self.encoding
        a = location_to_lsp(index, start, enc) if not isinstance(start, int) else to_lsp(index, start, enc)
        b = location_to_lsp(index, end, enc) if not isinstance(end, int) else to_lsp(index, end, enc)
        return types.Range(types.Position(*a), types.Position(*b))

    def to_lsp_diagnostics(self, outcome: LintOutcome) -> List[types.Diagnostic]:
        index = outcome.index
        out: List[types.Diagnostic] = []
        for d in outcome.diagnostics:
            related = []
            for path, location, note in d.related:
                text = outcome.text if path == outcome.path else (self.session.text_of(path) if self.session else None)
                other = LineIndex(text) if text is not None else None
                position = (types.Position(*location_to_lsp(other, location, self.encoding)) if other is not None
                            else types.Position(max(0, location.row - 1), max(0, location.column - 1)))
                related.append(types.DiagnosticRelatedInformation(
                    types.Location(self.uri_of(path, outcome), types.Range(position, position)), note))
            out.append(types.Diagnostic(
                range=self.range_of(index, d.location, d.end_location),
                message=d.message + (f"\nFix: {d.fix.message}" if d.fix is not None and d.fix.message else ""),
                severity=_SEVERITY.get(d.severity, types.DiagnosticSeverity.Warning),
                code=d.code,
                code_description=types.CodeDescription(href=d.url) if d.url else None,
                source=SOURCE,
                tags=[types.DiagnosticTag.Unnecessary] if d.code == "CL100" else None,
                related_information=related or None,
                data={"fixable": d.fix is not None, "safe": d.fix is not None and d.fix.applicability.value == "safe"},
            ))
        return out

    def uri_of(self, path: str, outcome: Optional[LintOutcome] = None) -> str:
        for buffer in list(self.buffers.values()):  # called from the worker thread too
            if buffer.path == path or os.path.realpath(buffer.path) == path:
                return buffer.uri
        return Path(path).as_uri()

    def to_code_action(self, action: Action, outcome: LintOutcome,
                       lsp_diagnostics: Sequence[types.Diagnostic]) -> Optional[types.CodeAction]:
        """The protocol's code action; None when a file it edits cannot be read any more (a
        fix spanning files is applied in all of them or not at all)."""
        changes: Dict[str, List[types.TextEdit]] = {}
        for path, edits in action.changes.items():
            text = outcome.text if path == outcome.path else (self.session.text_of(path) if self.session else None)
            if text is None:
                return None
            index = LineIndex(text)
            changes[self.uri_of(path, outcome)] = [
                types.TextEdit(self.range_of(index, start, end), content) for start, end, content in edits
            ]
        kind = FIX_ALL_KIND if action.kind == "source.fixAll" else types.CodeActionKind.QuickFix
        matched = [lsp_diagnostics[i] for i, d in enumerate(outcome.diagnostics) if d is action.diagnostic] if action.diagnostic else []
        return types.CodeAction(
            title=action.title,
            kind=kind,
            diagnostics=matched or None,
            is_preferred=action.preferred or None,
            edit=types.WorkspaceEdit(changes=changes),
        )

    # --- requests ------------------------------------------------------------------------------
    async def code_actions(self, params: types.CodeActionParams) -> List[types.CodeAction]:
        outcome = await self.fresh(params.text_document.uri)
        if outcome is None or self.session is None:
            return []
        only = params.context.only
        wants_quickfix = not only or any(types.CodeActionKind.QuickFix.startswith(k) for k in only)
        wants_fix_all = not only or any(FIX_ALL_KIND.startswith(k) or k == types.CodeActionKind.Source for k in only)
        index = outcome.index
        start = from_lsp(index, params.range.start.line, params.range.start.character, self.encoding)
        end = from_lsp(index, params.range.end.line, params.range.end.character, self.encoding)
        session = self.session

        uri = params.text_document.uri
        lazy = self.resolves_edits()

        def build() -> List[types.CodeAction]:  # in the worker: it reads project files
            found: List[Action] = []
            if wants_quickfix:
                found.extend(session.actions(outcome, start, end))
            fix_all = None
            if wants_fix_all and not lazy:
                fix_all = session.fix_all(outcome)
                if fix_all is not None:
                    found.append(fix_all)
            elif wants_fix_all and session.may_fix_all(outcome):
                # The fix passes lint the buffer again (seconds on a large file): the edit is
                # computed when the editor resolves the action, that is when it is chosen.
                fix_all = types.CodeAction(title=session.fix_all_title(outcome), kind=FIX_ALL_KIND,
                                           data={"uri": uri, "fixAll": True})
            lsp_diagnostics = self.to_lsp_diagnostics(outcome)
            converted = [self.to_code_action(a, outcome, lsp_diagnostics) for a in found]
            if isinstance(fix_all, types.CodeAction):
                converted.append(fix_all)
            return [a for a in converted if a is not None]

        actions = await self._run(build)
        buffer = self.buffers.get(params.text_document.uri)
        if buffer is None or buffer.text != outcome.text:
            return []  # edited while the actions were computed: their offsets are stale
        return actions

    def resolves_edits(self) -> bool:
        """The client resolves a code action's `edit` lazily (`codeAction/resolve`)."""
        try:
            support = self.client_capabilities.text_document.code_action.resolve_support  # type: ignore[union-attr]
        except AttributeError:
            return False
        return support is not None and "edit" in (support.properties or [])

    async def fix_all_edit(self, uri: str) -> Optional[types.WorkspaceEdit]:
        """The WorkspaceEdit of "fix all" for the buffer's current text, or None."""
        outcome = await self.fresh(uri)
        if outcome is None or self.session is None:
            return None
        session = self.session

        def build() -> Optional[types.WorkspaceEdit]:
            action = session.fix_all(outcome)
            converted = self.to_code_action(action, outcome, []) if action is not None else None
            return converted.edit if converted is not None else None

        edit = await self._run(build)
        buffer = self.buffers.get(uri)
        if edit is None or buffer is None or buffer.text != outcome.text:
            return None
        return edit

    async def resolve_code_action(self, action: types.CodeAction) -> types.CodeAction:
        data = action.data if isinstance(action.data, dict) else {}
        if data.get("fixAll") and isinstance(data.get("uri"), str):
            action.edit = await self.fix_all_edit(data["uri"]) or types.WorkspaceEdit(changes={})
        return action

    async def apply_autofix(self, uri: str) -> Optional[types.ApplyWorkspaceEditResult]:
        edit = await self.fix_all_edit(uri)
        if edit is None:
            return None
        return await self.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(edit=edit, label="cachelint: fix all"))

    async def hover(self, params: types.HoverParams) -> Optional[types.Hover]:
        outcome = await self.fresh(params.text_document.uri)
        if outcome is None:
            return None
        index = outcome.index
        offset = from_lsp(index, params.position.line, params.position.character, self.encoding)
        codes: List[str] = []
        ranges: List[types.Range] = []
        for d in outcome.diagnostics:
            if index.offset(d.location) <= offset <= index.offset(d.end_location) and d.code not in codes:
                codes.append(d.code)
                ranges.append(self.range_of(index, d.location, d.end_location))
        # a rule code under the cursor, in a suppression comment (cachelint ignore, or noqa)
        row = index.location(offset).row
        line_start = index.line_start(row)
        for match in _CODE_RE.finditer(index.line_text(row)):
            if match.start() <= offset - line_start <= match.end() and match.group(0) not in codes:
                codes.insert(0, match.group(0))
                ranges.insert(0, self.range_of(index, line_start + match.start(), line_start + match.end()))
        pages = [page for page in (LintSession.rule_page(code) for code in codes) if page]
        if not pages:
            return None
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n---\n\n".join(pages)),
            range=ranges[0] if len(ranges) == 1 else None,
        )

    # --- files changed outside the buffers ----------------------------------------------------
    async def files_changed(self, params: types.DidChangeWatchedFilesParams) -> None:
        if self.session is None:
            return
        session = self.session
        reload = False
        for event in params.changes:
            path = uri_to_path(event.uri)
            if path is None:
                continue
            if os.path.basename(path) in CONFIG_FILENAMES:
                reload = True
                continue
            created = event.type in (types.FileChangeType.Created, types.FileChangeType.Deleted)
            await self._run(session.disk_changed, path, created)
            self.schedule_dependants(os.path.realpath(path))
            if created:
                for uri in self.buffers:
                    self.schedule(uri, first=False)  # a new module can change an import
        if reload:
            self.reload()

    def reload(self) -> None:
        assert self.session is not None
        self.session.reload()
        self._told.clear()
        self.outcomes.clear()
        for uri in list(self.buffers):
            self.schedule(uri, first=False)

    def register_watchers(self) -> None:
        supported = False
        try:
            caps = self.client_capabilities.workspace
            supported = bool(caps and caps.did_change_watched_files and caps.did_change_watched_files.dynamic_registration)
        except AttributeError:
            supported = False
        if not supported:
            return
        globs = ["**/*.py"] + [f"**/{name}" for name in CONFIG_FILENAMES]
        options = types.DidChangeWatchedFilesRegistrationOptions(
            watchers=[types.FileSystemWatcher(glob_pattern=g) for g in globs]
        )
        self.client_register_capability(types.RegistrationParams(registrations=[
            types.Registration(id="cachelint-watched-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                               register_options=options)
        ]))


def uri_to_path(uri: str) -> Optional[str]:
    """The file system path of a `file:` URI, or None for any other scheme."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    path = unquote(parsed.path)
    if os.name == "nt" and re.match(r"^/[A-Za-z]:", path):  # pragma: no cover - Windows
        path = path[1:]
    if parsed.netloc and parsed.netloc != "localhost":  # pragma: no cover - UNC paths
        path = f"//{parsed.netloc}{path}"
    return os.path.abspath(path)


def build_server() -> CachelintServer:
    """The server with every feature registered."""
    server = CachelintServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: CachelintServer, params: types.InitializeParams) -> None:
        ls.setup(params)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: CachelintServer, params: types.InitializedParams) -> None:
        ls.register_watchers()
        try:
            await ls._run(ls.warm_up)
        except Exception as exc:  # a broken config: the first lint says so for each file
            log.warning("cachelint: %s", exc)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: CachelintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.open(params.text_document)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: CachelintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.change(params)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(ls: CachelintServer, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        path = uri_to_path(uri)
        if path is not None and os.path.basename(path) in CONFIG_FILENAMES:
            ls.reload()
        elif uri in ls.buffers:
            ls.saved(uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: CachelintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.close(params.text_document.uri)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def watched(ls: CachelintServer, params: types.DidChangeWatchedFilesParams) -> None:
        await ls.files_changed(params)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND], resolve_provider=True),
    )
    async def code_action(ls: CachelintServer, params: types.CodeActionParams) -> List[types.CodeAction]:
        return await ls.code_actions(params)

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def code_action_resolve(ls: CachelintServer, params: types.CodeAction) -> types.CodeAction:
        return await ls.resolve_code_action(params)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: CachelintServer, params: types.HoverParams) -> Optional[types.Hover]:
        return await ls.hover(params)

    @server.command(APPLY_AUTOFIX)
    async def apply_autofix(ls: CachelintServer, *args: Any) -> None:
        uri = _command_uri(args)
        if uri is not None:
            await ls.apply_autofix(uri)

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: CachelintServer, *args: Any) -> None:
        ls._worker.shutdown(wait=False)

    return server


def _command_uri(args: Sequence[Any]) -> Optional[str]:
    """The document a command names: `"file:///..."`, `{"uri": ...}` as ruff's clients send
    it, or a list of either (pygls passes the arguments through as they came)."""
    for arg in args:
        if isinstance(arg, (list, tuple)):
            found = _command_uri(arg)
            if found:
                return found
        elif isinstance(arg, str) and ":" in arg:
            return arg
        elif isinstance(arg, dict) and isinstance(arg.get("uri"), str):
            return arg["uri"]
        elif hasattr(arg, "uri") and isinstance(arg.uri, str):
            return arg.uri
    return None


def serve() -> int:
    """Serve one client over stdin/stdout until it says exit (or closes the pipe).

    A stdin that ends before any client said `initialize` is no editor: most likely
    `cachelint server` was meant to lint a directory named `server`, so that is said and
    the exit code is 2 (a CI job must not pass on it)."""
    import sys

    server = build_server()
    server.start_io()
    if server.session is None:
        sys.stderr.write("cachelint server: stdin ended before an LSP client said `initialize` "
                         "(to lint a directory named `server`, run `cachelint ./server`)\n")
        return 2
    # As the protocol asks: 0 after `shutdown` then `exit`, 1 when the client left without
    # `shutdown` (pygls' own exit code is swallowed by its event loop).
    return 0 if getattr(server.protocol, "_shutdown", False) else 1
