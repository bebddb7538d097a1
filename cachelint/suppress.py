"""Suppression comments: which findings a comment silences, which comments silence nothing.

Syntax (Ruff's spelling, Fixit's statement-wide reach):

- `# cachelint: ignore[CL002]` or `# cachelint: ignore[dynamic-before-static]` silences those
  rules on one statement; several codes or names are comma-separated, spaces allowed
  (`ignore[CL001, invalid-cache-control]`). A bare `# cachelint: ignore` silences every
  rule on the statement (CL100 reports it when it silenced nothing).
- `# cachelint: file-ignore[CL001, ...]`, as an own-line comment anywhere in the file,
  silences those rules in the whole file; a bare `# cachelint: file-ignore` silences every
  rule in the file. A trailing `file-ignore` (after code) is not honoured: a file-wide
  switch hidden at the end of a line of code is too easy to overlook.
- `# noqa` (bare: every rule) and `# noqa: CL002, E501` are honoured like `ignore`, so code
  already annotated for flake8/Ruff keeps working. `NOQA` and `noqa:CL002` work too. Codes
  that are not `CL###` belong to other tools: they never silence a cachelint finding and
  CL100 never reports or removes them.
- Several directives may share one comment: `# noqa: E501  # cachelint: ignore[CL001]`.
  Each directive starts at a `#`, optionally followed by spaces; text after a directive is
  a free-form explanation.

Comments are found with `tokenize`, never by searching raw lines, so a `#` inside a string
(or an f-string format spec) is not a comment.

Scope is resolved on the stdlib syntax tree, not by physical line. Each range of a finding
(`Diagnostic.suppression_rows`: the finding itself plus anchors such as the call that sends
the request) is mapped to the innermost statement containing it. A range inside the header of
a compound statement (`with client.messages.stream(...) as s:`, a decorator, an `except`
clause) maps to that header: its rows from the first decorator to the end of the header's
logical line (the row of its colon), so an own-line comment between the header and the first
body statement belongs to that statement, not to the header.
A range that starts in a header and runs into the body maps to the header too, so a comment
deep inside a function body never silences a finding about the whole function. A directive
covers a statement when it is a comment on any row of the statement (trailing, or own-line
inside its brackets: a multi-line call is covered from any of its lines, as in Fixit) or an
own-line comment in the block of consecutive comment lines directly above its first row.
Ranges at module level outside any statement (or in a file that did not parse) cover their
own rows. A finding is silenced when any of its ranges is covered.

CL100 (`unused-suppression`) findings can be silenced only by `file-ignore`: a line directive
silencing the report about itself would be a loop. `file-ignore[CL100]` is therefore never
reported as unused, and `ignore[CL100]` on a line always is.
"""

from __future__ import annotations

import ast
import bisect
import io
import re
import tokenize
from dataclasses import dataclass, field, replace
from typing import Dict, FrozenSet, List, Optional, Sequence, Set, Tuple

from cachelint.diagnostics import Applicability, Diagnostic, Edit, Fix, Severity
from cachelint.registry import name_for, normalize_code, url_for
from cachelint.source import LineIndex, SourceFile

IGNORE = "ignore"
FILE_IGNORE = "file-ignore"
NOQA = "noqa"

#: The rule reported here (`cachelint/rules/cl100_unused_suppression.py` documents it; its
#: severity there is this one, which tests/test_suppress.py checks).
UNUSED_CODE = "CL100"
UNUSED_SEVERITY = Severity.WARNING
#: Findings of files that do not parse; never baselined (there is no statement to put it on).
INVALID_SOURCE_CODE = "CL000"

_CACHELINT_RE = re.compile(r"cachelint\s*:\s*(file-ignore|ignore)(?![\w-])", re.IGNORECASE)
_NOQA_RE = re.compile(r"noqa(?![\w-])", re.IGNORECASE)
_NOQA_CODE_RE = re.compile(r"[A-Za-z]+[0-9]+(?![\w-])")
_OUR_CODE_RE = re.compile(r"^CL[0-9]+$")
_NEWLINES_RE = re.compile(r"\r\n|\r")
#: What any directive needs somewhere in the text (`_CACHELINT_RE` or `_NOQA_RE`).
_DIRECTIVE_TEXT_RE = re.compile(r"cachelint|noqa", re.IGNORECASE)


def _may_hold_directive(text: str) -> bool:
    """`_DIRECTIVE_TEXT_RE.search(text)`, at C speed for ASCII text: a case-insensitive
    regex search of a 3 MB module takes 0.05 s, `lower()` and two substring searches a
    tenth of that (for ASCII, case-insensitive matching is exactly `lower()`'s)."""
    if text.isascii():
        lowered = text.lower()
        return "cachelint" in lowered or "noqa" in lowered
    return _DIRECTIVE_TEXT_RE.search(text) is not None


#: A `noqa` comment whose list of codes names one of cachelint's (E501 and CL001, say).
_OUR_NOQA_TEXT_RE = re.compile(r"noqa\s*:[^\r\n]*cl[0-9]", re.IGNORECASE)
_CACHELINT_TEXT_RE = re.compile("cachelint", re.IGNORECASE)


def _may_name_our_codes(text: str) -> bool:
    """Whether a directive in `text` may be judged unused (CL100) when nothing was found.

    Bare `noqa` belongs to every tool and `noqa` with other tools' codes is not ours, so a
    file without findings needs the tokenizer only when it names cachelint or a CL code.
    litellm's files hold hundreds of `# noqa: PLR0915`: tokenizing them all was 3 %
    of a litellm run."""
    if text.isascii():
        lowered = text.lower()
        return "cachelint" in lowered or _OUR_NOQA_TEXT_RE.search(lowered) is not None
    return _CACHELINT_TEXT_RE.search(text) is not None or _OUR_NOQA_TEXT_RE.search(text) is not None


# --- comments ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Comment:
    """One comment token: its row, its start offset in the text, its text, own-line or not."""

    row: int
    start: int
    text: str
    own_line: bool

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass
class TokenScan:
    """What `tokenize` tells about a file: its comments and where lines may be inserted.

    `break_rows` are rows that end in a real line break of the token stream (NEWLINE or NL,
    outside any string): a new line may be inserted after such a row without landing inside
    a multi-line string or a backslash continuation. `complete` is False when the tokenizer
    stopped early; the comments before the failure are still real comments.
    """

    comments: List[Comment] = field(default_factory=list)
    break_rows: Set[int] = field(default_factory=set)
    #: Rows of NEWLINE tokens: where logical lines (statements, headers) end.
    logical_ends: Set[int] = field(default_factory=set)
    complete: bool = True


def scan_tokens(text: str, index: LineIndex) -> TokenScan:
    """Tokenize `text`; never raises (a broken file yields what was read before the error)."""
    scan = TokenScan()
    # Line endings are made uniform for the tokenizer only: rows and columns stay the same
    # because every kind of line break counts as one row, as in `LineIndex`.
    normalized = _NEWLINES_RE.sub("\n", text)
    fstring_depth = 0
    fstring_start = getattr(tokenize, "FSTRING_START", None)
    fstring_end = getattr(tokenize, "FSTRING_END", None)
    try:
        for tok in tokenize.generate_tokens(io.StringIO(normalized).readline):
            if fstring_start is not None and tok.type == fstring_start:
                fstring_depth += 1
            elif fstring_end is not None and tok.type == fstring_end:
                fstring_depth = max(0, fstring_depth - 1)
            elif tok.type == tokenize.COMMENT:
                row, col = tok.start
                line_start = index.line_start(row)
                own_line = index.text[line_start : line_start + col].strip() == ""
                scan.comments.append(Comment(row, line_start + col, tok.string, own_line))
            elif tok.type in (tokenize.NEWLINE, tokenize.NL) and fstring_depth == 0:
                scan.break_rows.add(tok.start[0])
                if tok.type == tokenize.NEWLINE:
                    scan.logical_ends.add(tok.start[0])
    except Exception:  # TokenError, IndentationError, SyntaxError, RecursionError, ...
        scan.complete = False
    return scan


# --- directives -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Item:
    """One code or rule name in a directive, as written, with the code it means.

    `ours` is False for another tool's code in `# noqa: E501` (never judged, never removed);
    `code` is None for a `CL` code or name that names no rule.
    """

    raw: str
    code: Optional[str]
    ours: bool = True


@dataclass(frozen=True)
class Directive:
    """One directive in a comment, with the offsets a CL100 fix needs.

    `start` is the `#` that opens its segment of the comment, `end` the end of the directive
    syntax, `segment_end` where the next `#` segment (or the comment) ends. `items` is None
    for a bare directive; `items_start`/`items_end` delimit the written list of codes.
    """

    kind: str
    comment: Comment
    start: int
    end: int
    segment_end: int
    items: Optional[Tuple[Item, ...]]
    items_start: int = 0
    items_end: int = 0

    @property
    def row(self) -> int:
        return self.comment.row

    @property
    def bare(self) -> bool:
        return self.items is None

    def matches(self, code: str) -> bool:
        if self.items is None:
            return True
        return any(item.ours and item.code == code for item in self.items)


def _our_item(raw: str) -> Item:
    return Item(raw=raw, code=normalize_code(raw))


def _parse_cachelint(
    comment: Comment, seg_start: int, body: str, body_offset: int, seg_end: int
) -> Optional[Directive]:
    match = _CACHELINT_RE.match(body)
    if match is None:
        return None
    kind = match.group(1).lower()
    pos = match.end()
    rest = body[pos:]
    stripped = rest.lstrip()
    if not stripped.startswith("["):
        return Directive(kind, comment, seg_start, body_offset + pos, seg_end, None)
    open_at = pos + (len(rest) - len(stripped))
    close_at = body.find("]", open_at)
    if close_at < 0:
        return None  # `ignore[CL001` is malformed: silencing everything would be a surprise
    inner = body[open_at + 1 : close_at]
    tokens = [m for m in re.finditer(r"[^,\s]+", inner)]
    if not tokens:
        return None  # `ignore[]` names nothing; it is not a blanket ignore either
    items = tuple(_our_item(m.group(0)) for m in tokens)
    base = body_offset + open_at + 1
    return Directive(
        kind,
        comment,
        seg_start,
        body_offset + close_at + 1,
        seg_end,
        items,
        items_start=base + tokens[0].start(),
        items_end=base + tokens[-1].end(),
    )


def _parse_noqa(
    comment: Comment, seg_start: int, body: str, body_offset: int, seg_end: int
) -> Optional[Directive]:
    match = _NOQA_RE.match(body)
    if match is None:
        return None
    pos = match.end()
    colon = re.match(r"\s*:", body[pos:])
    if colon is None:
        return Directive(NOQA, comment, seg_start, body_offset + pos, seg_end, None)
    pos += colon.end()
    spans: List[Tuple[int, int]] = []
    while True:
        sep = re.match(r"[\s,]*", body[pos:])
        at = pos + (sep.end() if sep else 0)
        code = _NOQA_CODE_RE.match(body, at)
        if code is None or (spans and at == pos):
            break
        spans.append((code.start(), code.end()))
        pos = code.end()
    if not spans:
        return None  # a noqa colon with no codes after it is malformed (as in Ruff): no effect
    items = []
    for s, e in spans:
        raw = body[s:e]
        upper = raw.upper()
        if _OUR_CODE_RE.match(upper):
            items.append(Item(raw=raw, code=normalize_code(upper)))
        else:
            items.append(Item(raw=raw, code=None, ours=False))
    return Directive(
        NOQA,
        comment,
        seg_start,
        body_offset + spans[-1][1],
        seg_end,
        tuple(items),
        items_start=body_offset + spans[0][0],
        items_end=body_offset + spans[-1][1],
    )


def parse_directives(comment: Comment) -> List[Directive]:
    """Every directive in one comment; each `#`-segment holds at most one."""
    text = comment.text
    starts = [i for i, ch in enumerate(text) if ch == "#"]
    found: List[Directive] = []
    for n, seg in enumerate(starts):
        seg_end = starts[n + 1] if n + 1 < len(starts) else len(text)
        lead = len(text[seg + 1 : seg_end]) - len(text[seg + 1 : seg_end].lstrip())
        body_at = seg + 1 + lead
        body = text[body_at:seg_end]
        for parser in (_parse_cachelint, _parse_noqa):
            directive = parser(
                comment, comment.start + seg, body, comment.start + body_at, comment.start + seg_end
            )
            if directive is not None:
                found.append(directive)
                break
    return found


# --- statement scopes -------------------------------------------------------------------------
Rows = Tuple[int, int]


def _stmt_rows(node: ast.AST) -> Rows:
    first = int(getattr(node, "lineno", 1))
    for decorator in getattr(node, "decorator_list", None) or ():
        first = min(first, decorator.lineno)
    last = getattr(node, "end_lineno", None) or first
    return first, int(last)


def _block_rows(stmts: Sequence[ast.stmt]) -> Rows:
    return _stmt_rows(stmts[0])[0], _stmt_rows(stmts[-1])[1]


@dataclass
class _Part:
    """A child of a compound statement: a block of statements or a clause with a header."""

    first: int
    last: int
    body: Sequence[ast.stmt]
    clause: bool


def _parts(node: ast.AST) -> List[_Part]:
    parts: List[_Part] = []
    for name in ("body", "orelse", "finalbody"):
        stmts = getattr(node, name, None)
        if isinstance(stmts, list) and stmts and isinstance(stmts[0], ast.stmt):
            first, last = _block_rows(stmts)
            parts.append(_Part(first, last, stmts, clause=False))
    for handler in getattr(node, "handlers", None) or ():  # try / try* clauses
        if handler.body:
            parts.append(
                _Part(handler.lineno, _block_rows(handler.body)[1], handler.body, clause=True)
            )
    for case in getattr(node, "cases", None) or ():  # match statements (3.10+)
        if case.body:
            parts.append(
                _Part(case.pattern.lineno, _block_rows(case.body)[1], case.body, clause=True)
            )
    return parts


class StatementIndex:
    """Maps row ranges to the rows of the statement (or header) a suppression refers to.

    `logical_ends` are the rows of the tokenizer's NEWLINE tokens (ends of logical lines).
    With them a header ends at the end of its own logical line, so an own-line comment
    between `if x:` and the first body statement belongs to that statement only; without
    them (the file could not be tokenized) a header runs to the line before its body.
    """

    def __init__(self, tree: Optional[ast.Module], logical_ends: Sequence[int] = ()) -> None:
        self._body: Sequence[ast.stmt] = tree.body if isinstance(tree, ast.Module) else ()
        self._ends: List[int] = sorted(set(logical_ends))

    def scope(self, rows: Rows) -> Rows:
        first, last = rows
        if last < first:
            first, last = last, first
        try:
            found = self._in_block(self._body, first, last)
        except (AttributeError, TypeError, ValueError, IndexError, RecursionError):
            found = None  # a hand-made or partial tree: fall back to the finding's rows
        return found if found is not None else (first, last)

    def _in_block(self, stmts: Sequence[ast.stmt], first: int, last: int) -> Optional[Rows]:
        for stmt in stmts:
            s_first, s_last = _stmt_rows(stmt)
            if s_first <= first and last <= s_last:
                return self._in_compound(s_first, s_last, stmt.lineno, _parts(stmt), first, last)
        return None

    def _in_compound(
        self, s_first: int, s_last: int, key_row: int, parts: List[_Part], first: int, last: int
    ) -> Optional[Rows]:
        """`key_row` is the row of the keyword (`def`, `if`, `except`, `case`...)."""
        if not parts:
            return s_first, s_last
        for part in parts:
            if part.clause:
                if part.first <= first and last <= part.last:
                    body = [_Part(*_block_rows(part.body), part.body, clause=False)]
                    return self._in_compound(part.first, part.last, part.first, body, first, last)
            else:
                found = self._in_block(part.body, first, last)
                if found is not None:
                    return found
        header_last = max(s_first, min(p.first for p in parts) - 1)
        at = bisect.bisect_left(self._ends, key_row)
        if at < len(self._ends):
            header_last = max(s_first, min(header_last, self._ends[at]))
        if first <= header_last:
            return s_first, header_last
        return None  # e.g. an `else:` line: no statement holds it


# --- matching ---------------------------------------------------------------------------------
class DirectiveTable:
    """All directives of a file, indexed by row, and which findings each one silenced."""

    def __init__(self, scan: TokenScan, statements: StatementIndex) -> None:
        self.statements = statements
        self.directives: List[Directive] = []
        self.file_level: List[Directive] = []
        self.by_row: Dict[int, List[Directive]] = {}
        self.comment_rows: Set[int] = set()
        for comment in scan.comments:
            if comment.own_line:
                self.comment_rows.add(comment.row)
            for directive in parse_directives(comment):
                if directive.kind == FILE_IGNORE:
                    if not comment.own_line:
                        continue
                    self.file_level.append(directive)
                else:
                    self.by_row.setdefault(comment.row, []).append(directive)
                self.directives.append(directive)
        #: id(directive) -> codes it silenced; bare directives record every code they silenced.
        self.used: Dict[int, Set[str]] = {}

    def line_directives(self, scope: Rows) -> List[Directive]:
        """Directives on the rows of `scope` or in the comment block directly above it."""
        first, last = scope
        found: List[Directive] = []
        for row in range(first, last + 1):
            found.extend(self.by_row.get(row, ()))
        row = first - 1
        while row in self.comment_rows:
            found.extend(self.by_row.get(row, ()))
            row -= 1
        return found

    def ranges(self, diagnostic: Diagnostic) -> List[Rows]:
        rows = list(diagnostic.suppression_rows)
        if not rows:
            rows = [(diagnostic.location.row, diagnostic.end_location.row)]
        return rows

    def silencers(self, diagnostic: Diagnostic) -> List[Directive]:
        """Every directive that silences `diagnostic` (all of them are marked used)."""
        found = [d for d in self.file_level if d.matches(diagnostic.code)]
        if diagnostic.code != UNUSED_CODE:
            for rows in self.ranges(diagnostic):
                scope = self.statements.scope(rows)
                found.extend(d for d in self.line_directives(scope) if d.matches(diagnostic.code))
        return found

    def mark(self, directives: Sequence[Directive], code: str) -> None:
        for directive in directives:
            self.used.setdefault(id(directive), set()).add(code)


def _build_table(
    text: str, tree: Optional[ast.Module], index: LineIndex
) -> Tuple[TokenScan, DirectiveTable]:
    scan = scan_tokens(text, index)
    return scan, DirectiveTable(scan, StatementIndex(tree, sorted(scan.logical_ends)))


# --- CL100 ------------------------------------------------------------------------------------
def _quoted(raws: Sequence[str]) -> str:
    return ", ".join(f"`{raw}`" for raw in raws)


def unused_message(unused: Sequence[str], unknown: Sequence[str], bare: bool = False) -> str:
    """Ruff RUF100-style message; an unknown code alone gets its own plain sentence."""
    if bare:
        return "Unused suppression (blanket `cachelint: ignore` silenced nothing)"
    if not unused:
        word = "rule" if len(unknown) == 1 else "rules"
        return f"Unknown {word} {_quoted(unknown)} in suppression"
    parts = [f"unused: {_quoted(unused)}"]
    if unknown:
        parts.append(f"unknown: {_quoted(unknown)}")
    return f"Unused suppression ({'; '.join(parts)})"


def _edit(path: str, index: LineIndex, start: int, end: int, content: str) -> Edit:
    return Edit(path, start, end, content, index.location(start), index.location(end))


def removal_edit(directive: Directive, index: LineIndex, path: str) -> Edit:
    """Remove a whole directive, keeping other directives and text of its comment.

    An own-line comment that held only this directive goes with its line (and line ending).
    """
    text = index.text
    comment = directive.comment
    if directive.segment_end < comment.end:
        # Another `#` segment follows: drop this one up to it.
        return _edit(path, index, directive.start, directive.segment_end, "")
    start = directive.start
    while start > comment.start and text[start - 1] in " \t":
        start -= 1
    if start > comment.start or not comment.own_line:
        # After other text of the comment, or trailing after code: drop it with the spaces
        # before it.
        if start == comment.start:
            while start > 0 and text[start - 1] in " \t":
                start -= 1
        return _edit(path, index, start, comment.end, "")
    line_start = index.line_start(comment.row)
    line_end = index.line_start(comment.row + 1) if comment.row < index.line_count else len(text)
    return _edit(path, index, line_start, line_end, "")


def _unused_items(
    directive: Directive, table: DirectiveTable, enabled: FrozenSet[str]
) -> Tuple[List[Item], List[Item]]:
    """(unused, unknown) items of a directive with codes."""
    used = table.used.get(id(directive), set())
    unused: List[Item] = []
    unknown: List[Item] = []
    seen: Set[str] = set()
    for item in directive.items or ():
        if not item.ours:
            continue
        if item.code is None:
            unknown.append(item)
            continue
        if item.code in seen:
            unused.append(item)  # a duplicate adds nothing
            continue
        seen.add(item.code)
        if item.code not in enabled:
            continue  # a rule that did not run cannot be judged
        if directive.kind == FILE_IGNORE and item.code == UNUSED_CODE:
            continue  # judging it would silence the report about itself
        if item.code not in used:
            unused.append(item)
    return unused, unknown


def _unused_diagnostic(
    directive: Directive,
    index: LineIndex,
    path: str,
    message: str,
    edit: Edit,
) -> Diagnostic:
    row = directive.row
    return Diagnostic(
        code=UNUSED_CODE,
        name=name_for(UNUSED_CODE),
        message=message,
        path=path,
        location=index.location(directive.start),
        end_location=index.location(directive.end),
        severity=UNUSED_SEVERITY,
        fix=Fix(Applicability.SAFE, "Remove unused suppression", (edit,)),
        fix_title="Remove unused suppression",
        noqa_row=row,
        url=url_for(UNUSED_CODE),
        suppression_rows=((row, row),),
    )


def unused_suppressions(
    table: DirectiveTable, enabled: FrozenSet[str], index: LineIndex, path: str
) -> List[Diagnostic]:
    """CL100 findings for directives (or codes in them) that silenced nothing."""
    found: List[Diagnostic] = []
    for directive in table.directives:
        if directive.bare:
            if directive.kind == IGNORE and not table.used.get(id(directive)):
                message = unused_message((), (), bare=True)
                found.append(
                    _unused_diagnostic(
                        directive, index, path, message, removal_edit(directive, index, path)
                    )
                )
            continue  # bare `noqa` belongs to every tool; a blanket file-ignore is a policy
        unused, unknown = _unused_items(directive, table, enabled)
        if not unused and not unknown:
            continue
        dropped = {id(item) for item in unused + unknown}
        kept = [item for item in directive.items or () if id(item) not in dropped]
        if kept:
            content = ", ".join(item.raw for item in kept)
            edit = _edit(path, index, directive.items_start, directive.items_end, content)
        else:
            edit = removal_edit(directive, index, path)
        message = unused_message([i.raw for i in unused], [i.raw for i in unknown])
        found.append(_unused_diagnostic(directive, index, path, message, edit))
    return found


# --- the engine's entry points ----------------------------------------------------------------
@dataclass
class SuppressionResult:
    kept: List[Diagnostic]  # not suppressed, with noqa_row filled
    suppressed: int
    unused: List[Diagnostic]  # CL100 findings (only when "CL100" is in `enabled`)


def apply_suppressions(
    text: str,
    tree: Optional[ast.Module],
    diagnostics: Sequence[Diagnostic],
    enabled: FrozenSet[str],
    path: str,
    index: Optional[LineIndex] = None,
) -> SuppressionResult:
    """Drop the findings a comment silences and, if CL100 is enabled, report unused ones.

    `tree` may be None (a file that did not parse): every range then covers its own rows.
    """
    index = index if index is not None else LineIndex(text)
    if not _may_hold_directive(text) or (not diagnostics and not _may_name_our_codes(text)):
        # No comment can hold a directive: nothing to silence, nothing unused, and the
        # file need not be tokenized (pure Python: a second on a 3 MB module). Logical line
        # ends only shorten the header rows of compound statements, where findings never
        # start, so the statement rows (`noqa_row`) are the same without them. With no
        # finding, only a directive naming cachelint's codes could be reported unused.
        table = DirectiveTable(TokenScan(), StatementIndex(tree))
    else:
        _, table = _build_table(text, tree, index)
    kept: List[Diagnostic] = []
    suppressed = 0
    for diagnostic in diagnostics:
        silencers = table.silencers(diagnostic)
        if silencers:
            table.mark(silencers, diagnostic.code)
            suppressed += 1
            continue
        scope = table.statements.scope(table.ranges(diagnostic)[0])
        kept.append(replace(diagnostic, noqa_row=scope[0]))
    unused: List[Diagnostic] = []
    if UNUSED_CODE in enabled:
        for finding in unused_suppressions(table, enabled, index, path):
            if any(d.matches(UNUSED_CODE) for d in table.file_level):
                suppressed += 1
            else:
                unused.append(finding)
    return SuppressionResult(kept=kept, suppressed=suppressed, unused=unused)


# --- --add-ignore -----------------------------------------------------------------------------
def _sort_key(item: Item) -> Tuple[str, str]:
    return (item.code or item.raw.upper(), item.raw)


def _merged_list(directive: Directive, codes: Set[str]) -> Optional[str]:
    """The item list of `directive` with `codes` added (sorted), or None when none is new."""
    items = list(directive.items or ())
    present = {item.code for item in items if item.code is not None}
    new = sorted(code for code in codes if code not in present)
    if not new:
        return None
    unique: List[Item] = []
    seen: Set[str] = set()
    for item in items + [Item(raw=code, code=code) for code in new]:
        key = item.code or item.raw
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return ", ".join(item.raw for item in sorted(unique, key=_sort_key))


def _directive_above(table: DirectiveTable, row: int) -> Optional[Directive]:
    """The nearest `cachelint: ignore[...]` in the own-line comment block above `row`."""
    above = row - 1
    while above in table.comment_rows:
        for directive in table.by_row.get(above, ()):
            if directive.kind == IGNORE and not directive.bare:
                return directive
        above -= 1
    return None


def _trailing_directive(table: DirectiveTable, row: int) -> Optional[Directive]:
    for directive in table.by_row.get(row, ()):
        if directive.kind == IGNORE and not directive.bare and not directive.comment.own_line:
            return directive
    return None


def _indentation(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t\f"))]


def add_ignore_directives(
    source: SourceFile, tree: ast.Module, diagnostics: Sequence[Diagnostic], reason: str = ""
) -> Tuple[str, int]:
    """Silence every finding with a `# cachelint: ignore[...]` comment (for `--add-ignore`).

    Baselines a codebase like Ruff's `--add-noqa`: one own-line directive directly above
    each flagged statement, in its indentation and the file's line ending, merged into a
    `cachelint: ignore[...]` already in the comment block above. Findings already silenced,
    CL000 (no statement to attach to) and CL100 (only `file-ignore` silences it) are
    skipped. A line is only inserted after a row the tokenizer saw end in a real line
    break, so when tokenizing stops early (a parseable file ending in a backslash) the rows
    it did not reach are skipped rather than guessed. A `reason` (`--add-ignore=REASON`)
    follows each new directive as its explanation. Returns the new text and how many
    directives were added or extended; the text is returned unchanged when the result
    would not parse.
    """
    text = source.text
    index = LineIndex(text)
    scan, table = _build_table(text, tree, index)
    groups: Dict[int, Tuple[Rows, Set[str]]] = {}
    for diagnostic in diagnostics:
        if diagnostic.code in (INVALID_SOURCE_CODE, UNUSED_CODE):
            continue
        if table.silencers(diagnostic):
            continue
        scope = table.statements.scope(table.ranges(diagnostic)[0])
        entry = groups.setdefault(scope[0], (scope, set()))
        entry[1].add(diagnostic.code)

    edits: List[Tuple[int, int, str]] = []
    for row, (scope, codes) in groups.items():
        edit = _ignore_edit(table, scan, index, source.newline, row, scope, codes, reason)
        if edit is not None:
            edits.append(edit)
    if not edits:
        return text, 0
    new_text = text
    for start, end, content in sorted(edits, reverse=True):
        new_text = new_text[:start] + content + new_text[end:]
    from cachelint.syntax import parses

    if parses(new_text) is not None:
        return text, 0
    return new_text, len(edits)


def _ignore_edit(
    table: DirectiveTable,
    scan: TokenScan,
    index: LineIndex,
    newline: str,
    row: int,
    scope: Rows,
    codes: Set[str],
    reason: str = "",
) -> Optional[Tuple[int, int, str]]:
    """One (start, end, content) change silencing `codes` on the statement at `row`."""
    why = f" {reason}" if reason else ""
    if row < 1 or row > index.line_count:
        return None  # a finding outside the file's rows: nothing to attach to
    if row == 1 or (row - 1) in scan.break_rows:
        existing = _directive_above(table, row)
        if existing is not None:
            merged = _merged_list(existing, codes)
            if merged is None:
                return None
            return existing.items_start, existing.items_end, merged
        line = index.line_text(row)
        directive = f"{_indentation(line)}# cachelint: ignore[{', '.join(sorted(codes))}]{why}{newline}"
        start = index.line_start(row)
        return start, start, directive
    # The statement starts on a row that continues a multi-line string or a backslash
    # continuation (`s = """...\n"""; call()`): a line above would land inside it, so the
    # directive trails the statement's last row instead.
    last = scope[1]
    if last not in scan.break_rows:
        return None
    existing = _trailing_directive(table, last)
    if existing is not None:
        merged = _merged_list(existing, codes)
        if merged is None:
            return None
        return existing.items_start, existing.items_end, merged
    end = index.line_start(last) + len(index.line_text(last))
    return end, end, f"  # cachelint: ignore[{', '.join(sorted(codes))}]{why}"
