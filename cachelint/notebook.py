"""Jupyter notebooks (`.ipynb`): their code cells linted as one module, and fixed in place.

Much code that calls LLM SDKs lives in notebooks. A notebook is linted the way ruff lints
it:

* The code cells are concatenated in order, each followed by one line break, into one
  Python module (`Notebook.text`); markdown and raw cells, cells whose `metadata.vscode`
  names another language, and cells that start with a non-Python cell magic (`%%bash`)
  or an automagic (`pip install x`) are left out. A notebook whose
  `metadata.language_info.name` is not `python` has no code to lint.
* IPython's escape commands (`%pip install x`, `!ls`, `files = !ls`, `os?`, the
  `%%time` line of a cell that is still Python) are not Python: each such line is
  replaced, in the linted text only, by a line of its own that parses
  (`__cachelint_magic_3__`, or `files = __cachelint_magic_3__`, a name nothing defines, so
  the analysis knows nothing of its value); backslash continuation lines become blank.
  Rows are kept, so a finding's row is the row in its cell, as the user sees it.
* Findings carry the 1-based number of their cell among all cells (`cell` in the JSON
  output, `nb.ipynb:cell 3:2:5` in the text formats) and rows counted within that cell.

Fixing rewrites only what changed: the fixed module is split back into its cells (by the
lines that changed; a change that spans two cells is refused, as ruff refuses a fix that
crosses a cell boundary), each placeholder line is given back its escape command (a fix
that touched one is refused), and the `source` value of each changed cell is replaced in
the file's own text, in the form it had (one string or a list of lines) and the file's
indentation and escaping. Outputs, metadata, key order, cell ids and the rest of the
JSON text are kept byte for byte, so a notebook diff shows the fix and nothing else.
(ruff re-serialises the whole notebook instead and adds missing cell ids.)
"""

from __future__ import annotations

import codecs
import difflib
import json
import re
from dataclasses import dataclass, replace
from typing import Any, Dict, List, Optional, Sequence, Tuple

from cachelint.diagnostics import Diagnostic, Edit, Fix, Location
from cachelint.source import SourceError, SourceFile

#: Cell magics whose body is Python whose names the rest of the notebook sees (ruff's list).
TRANSPARENT_CELL_MAGICS = frozenset(
    ("capture", "debug", "ipytest", "prun", "pypy", "python", "python3", "time", "timeit")
)
#: IPython's automagics: a cell starting with one of them (`pip install x`) is a shell-like
#: cell that Jupyter does not let mix with Python (ruff's list).
AUTOMAGICS = frozenset(
    """alias alias_magic autoawait autocall automagic bookmark cd code_wrap colors conda config
    debug dhist dirs doctest_mode edit env gui history killbgscripts load load_ext loadpy logoff
    logon logstart logstate logstop lsmagic macro magic mamba matplotlib micromamba notebook page
    pastebin pdb pdef pdoc pfile pinfo pinfo2 pip popd pprint precision prun psearch psource pushd
    pwd pycat pylab quickref recall rehashx reload_ext rerun reset reset_selective run save sc
    set_env sx system tb time timeit unalias unload_ext who who_ls whos xdel xmode""".split()
)
_ASSIGN_OPS = frozenset(("=", "+=", "-=", "*=", "/=", "//=", "%=", "**=", "&=", "|=", "^="))

_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_NEWLINE_RE = re.compile(r"\r\n|\r|\n")
_WS = re.compile(r"[ \t\n\r]*")
#: `name = !cmd`, `a, b = %sx ls`: an escape command whose output is assigned.
_ASSIGNED_ESCAPE = re.compile(
    r"^([ \t]*(?:[A-Za-z_][\w.]*(?:\[[^\]]*\])?[ \t]*,[ \t]*)*[A-Za-z_][\w.]*(?:\[[^\]]*\])?"
    r"[ \t]*=[ \t]*)[%!]"
)
_ESCAPE_STARTS = ("%", "!", "?", "/", ";", ",")


class NotebookError(ValueError):
    """A notebook that cannot be read (or a fixed text that cannot be written back)."""

    def __init__(self, message: str, row: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.row = row
        self.column = column


def split_lines(text: str) -> List[str]:
    """`text` as lines with their line breaks (`\\r\\n`, `\\r`, `\\n`, as the tokenizer)."""
    return _LINE_RE.findall(text)


def _row_count(text: str) -> int:
    return len(_NEWLINE_RE.findall(text)) + 1


# --- which cells are code ------------------------------------------------------------------
def _is_magic_cell(lines: Sequence[str]) -> bool:
    """ruff's `is_magic_cell`: an automagic first line, or any `%%` cell magic that is not
    one of the transparent ones."""
    if lines:
        tokens = lines[0].split()
        if tokens and tokens[0] in AUTOMAGICS and not (len(tokens) > 1 and tokens[1] in _ASSIGN_OPS):
            return True
    for line in lines:
        tokens = line.split()
        if tokens and len(tokens[0]) >= 2 and tokens[0].startswith("%%"):
            if tokens[0][2:] not in TRANSPARENT_CELL_MAGICS:
                return True
    return False


def _is_python_cell(cell: Dict[str, Any], text: str) -> bool:
    if cell.get("cell_type") != "code":
        return False
    metadata = cell.get("metadata")
    vscode = metadata.get("vscode") if isinstance(metadata, dict) else None
    if isinstance(vscode, dict) and vscode.get("languageId", "python") != "python":
        return False
    return not _is_magic_cell(text.splitlines())


# --- escape commands -----------------------------------------------------------------------
class _Scanner:
    """Just enough of Python's lexical structure to tell where a logical line starts: open
    brackets, strings (triple-quoted ones span lines) and backslash continuations."""

    def __init__(self) -> None:
        self.depth = 0
        self.quote: Optional[str] = None  # the open triple quote, if any
        self.continued = False

    @property
    def at_statement_start(self) -> bool:
        return self.depth == 0 and self.quote is None and not self.continued

    def feed(self, line: str) -> None:
        i, n = 0, len(line)
        self.continued = False
        while i < n:
            if self.quote is not None:
                end = line.find(self.quote, i)
                while end != -1 and _escaped(line, end):
                    end = line.find(self.quote, end + 1)
                if end == -1:
                    self.continued = False
                    return
                i = end + 3
                self.quote = None
                continue
            ch = line[i]
            if ch == "#":
                break
            if ch in "([{":
                self.depth += 1
            elif ch in ")]}":
                self.depth = max(0, self.depth - 1)
            elif ch in "'\"":
                triple = line[i:i + 3]
                if triple in ("'''", '"""'):
                    self.quote = triple
                    i += 3
                    continue
                end = i + 1
                while end < n and line[end] != ch:
                    end += 2 if line[end] == "\\" else 1
                i = end + 1
                continue
            elif ch == "\\" and line[i + 1:].strip() == "":
                self.continued = True
                return
            i += 1


def _escaped(line: str, index: int) -> bool:
    backslashes = 0
    while index - backslashes - 1 >= 0 and line[index - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def _escape_kind(line: str) -> Optional[str]:
    """`"statement"` or `"assigned"` for a line (at a statement start) that is an IPython
    escape command, else None."""
    body = line.strip()
    if not body:
        return None
    if body.startswith(_ESCAPE_STARTS):
        return "statement"
    if _ASSIGNED_ESCAPE.match(line):
        return "assigned"
    if body.endswith("?") and "#" not in body:  # `os?`, `os.path??`: help
        return "statement"
    return None


@dataclass(frozen=True)
class Magic:
    """One escape command of a cell: the name its placeholder uses, the lines it had and
    the lines the linted text has in their place."""

    name: str
    original: Tuple[str, ...]
    placeholder: Tuple[str, ...]


def _python_text(text: str, counter: List[int]) -> Tuple[str, Tuple[Magic, ...]]:
    """The cell's text with its escape commands replaced (see the module docstring)."""
    lines = split_lines(text)
    out: List[str] = []
    magics: List[Magic] = []
    scanner = _Scanner()
    row = 0
    while row < len(lines):
        line = lines[row]
        body = line.rstrip("\r\n")
        kind = _escape_kind(body) if scanner.at_statement_start else None
        if kind is None:
            out.append(line)
            scanner.feed(body)
            row += 1
            continue
        # the command goes on while its lines end in a backslash
        last = row
        while last + 1 < len(lines) and lines[last].rstrip("\r\n").endswith("\\"):
            last += 1
        counter[0] += 1
        name = f"__cachelint_magic_{counter[0]}__"
        indent = body[: len(body) - len(body.lstrip())]
        if kind == "assigned":
            match = _ASSIGNED_ESCAPE.match(body)
            assert match is not None
            first = match.group(1) + name
        else:
            first = indent + name
        original = tuple(lines[row:last + 1])
        ends = [ln[len(ln.rstrip("\r\n")):] for ln in original]
        placeholder = (first + ends[0],) + tuple(end for end in ends[1:])
        out.extend(placeholder)
        magics.append(Magic(name, original, placeholder))
        row = last + 1
    return "".join(out), tuple(magics)


def _restore(text: str, magics: Sequence[Magic]) -> Optional[str]:
    """`text` with each placeholder given back its escape command; None when one of them
    is no longer there, in order, as it was written."""
    if not magics:
        return text
    lines = split_lines(text)
    out: List[str] = []
    pending = list(magics)
    i = 0
    while i < len(lines):
        owner = next((m for m in pending if m.name in lines[i]), None)
        if owner is None:
            out.append(lines[i])
            i += 1
            continue
        if owner is not pending[0]:
            return None
        got = lines[i : i + len(owner.placeholder)]
        if [ln.rstrip("\r\n") for ln in got] != [ln.rstrip("\r\n") for ln in owner.placeholder]:
            return None
        for original, line in zip(owner.original, got):
            # the line break the text has now (the cell's last line has none)
            out.append(original.rstrip("\r\n") + line[len(line.rstrip("\r\n")) :])
        pending.pop(0)
        i += len(got)
    return None if pending else "".join(out)


# --- reading ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class CodeCell:
    """One code cell that is linted."""

    number: int  # 1-based among all the notebook's cells (ruff's `cell N`)
    text: str  # its source as stored (the lines joined)
    python: str  # the text linted in its place
    magics: Tuple[Magic, ...]
    first_row: int  # its first row in the linted module


def _json_error(exc: json.JSONDecodeError) -> NotebookError:
    return NotebookError(
        "Expected a Jupyter Notebook, which must be internally stored as JSON, but this file "
        f"isn't valid JSON: {exc.msg}",
        exc.lineno,
        exc.colno,
    )


def _schema_error(what: str) -> NotebookError:
    return NotebookError(f"This file does not match the schema expected of Jupyter Notebooks: {what}")


def _source_text(cell: Dict[str, Any], number: int) -> str:
    source = cell.get("source", "")
    if isinstance(source, str):
        return source
    if isinstance(source, list) and all(isinstance(s, str) for s in source):
        return "".join(source)
    raise _schema_error(f"the `source` of cell {number} is neither a string nor a list of strings")


class Notebook:
    """A parsed notebook: its JSON text, its code cells, and the module linted for it."""

    def __init__(self, json_text: str) -> None:
        try:
            data = json.loads(json_text)
        except json.JSONDecodeError as exc:
            raise _json_error(exc) from None
        except RecursionError:
            raise NotebookError("the notebook's JSON is nested too deeply to read") from None
        if not isinstance(data, dict):
            raise _schema_error(f"expected an object, found {type(data).__name__}")
        nbformat = data.get("nbformat")
        if nbformat != 4:
            raise NotebookError(f"Expected Jupyter Notebook format 4, found: {nbformat}")
        cells = data.get("cells")
        if not isinstance(cells, list) or not all(isinstance(c, dict) for c in cells):
            raise _schema_error("`cells` is not a list of objects")
        self.json_text = json_text
        metadata = data.get("metadata")
        language = metadata.get("language_info") if isinstance(metadata, dict) else None
        name = language.get("name") if isinstance(language, dict) else None
        self.is_python = name is None or name == "python"
        counter = [0]
        code: List[CodeCell] = []
        row = 1
        for number, cell in enumerate(cells, start=1):
            text = _source_text(cell, number)
            if not self.is_python or not _is_python_cell(cell, text):
                continue
            python, magics = _python_text(text, counter)
            code.append(CodeCell(number, text, python, magics, row))
            row += _row_count(python)
        self.cells: Tuple[CodeCell, ...] = tuple(code)
        self.all_sources: Tuple[str, ...] = tuple(_source_text(c, i) for i, c in enumerate(cells, 1))
        self.text = "".join(c.python + "\n" for c in code)

    # --- positions ----------------------------------------------------------------------------
    def cell_at(self, row: int) -> Optional[CodeCell]:
        """The code cell holding `row` of the linted module (the last one past its end)."""
        found = None
        for cell in self.cells:
            if cell.first_row <= row:
                found = cell
            else:
                break
        return found

    def cell_source(self, number: int) -> Optional[str]:
        """The stored source of cell `number` (1-based), as the user sees it."""
        if 1 <= number <= len(self.all_sources):
            return self.all_sources[number - 1]
        return None

    # --- writing -------------------------------------------------------------------------------
    def split(self, text: str) -> Optional[List[str]]:
        """The linted module `text` (this notebook's, edited) cut back into the code cells'
        new linted texts, or None when an edit crosses a cell boundary."""
        if not self.cells:
            return [] if text == "" else None
        old = split_lines(self.text)
        new = split_lines(text)
        starts = [c.first_row - 1 for c in self.cells]
        opcodes = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
        bounds = [0]
        for start in starts[1:]:
            mapped = _map_boundary(start, opcodes, new)
            if mapped is None or mapped < bounds[-1]:
                return None
            bounds.append(mapped)
        bounds.append(len(new))
        out = []
        for first, last in zip(bounds, bounds[1:]):
            chunk = "".join(new[first:last])
            if not chunk.endswith("\n"):
                return None  # the separator line break is gone: cannot tell the cells apart
            out.append(chunk[:-1])
        return out

    def render(self, text: str) -> str:
        """The notebook's JSON text with the code cells holding `text` (the linted module,
        fixed). Raises `NotebookError` when it cannot be written back faithfully."""
        if text == self.text:
            return self.json_text
        pieces = self.split(text)
        if pieces is None:
            raise NotebookError("a fix crosses a cell boundary; fix not written")
        changed: Dict[int, str] = {}
        for cell, python in zip(self.cells, pieces):
            if python == cell.python:
                continue
            restored = _restore(python, cell.magics)
            if restored is None:
                raise NotebookError(
                    f"a fix changes an IPython escape command in cell {cell.number}; fix not written"
                )
            changed[cell.number] = restored
        return _splice(self.json_text, changed)


def _map_boundary(start: int, opcodes: Sequence[Tuple[str, int, int, int, int]], new: Sequence[str]) -> Optional[int]:
    """Where the cell starting at old line `start` starts in the new lines."""
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "insert" and i1 == start:
            # Lines inserted between two cells: comments right above the next cell's first
            # statement (a suppression comment) belong to it; code (an import) to the cell
            # before.
            k = j2
            while k > j1 and (new[k - 1].strip() == "" or new[k - 1].lstrip().startswith("#")):
                k -= 1
            return k
        if i1 <= start < i2:
            if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
                return j1 + (start - i1)  # lines changed in place: they stay in their cells
            return j1 if start == i1 else None
    return len(new) if start >= (opcodes[-1][2] if opcodes else 0) else None


# --- splicing the JSON text --------------------------------------------------------------------
def _skip(text: str, i: int) -> int:
    match = _WS.match(text, i)
    return match.end() if match else i


def _expect(text: str, i: int, char: str) -> None:
    if i >= len(text) or text[i] != char:
        raise ValueError(f"expected {char!r} at {i}")


def _object_members(text: str, i: int, decoder: json.JSONDecoder) -> List[Tuple[Any, int, int]]:
    """(key, value start, value end) of each member of the JSON object at `i`."""
    i = _skip(text, i)
    _expect(text, i, "{")
    i = _skip(text, i + 1)
    out: List[Tuple[Any, int, int]] = []
    if text[i] == "}":
        return out
    while True:
        key, i = decoder.raw_decode(text, i)
        i = _skip(text, i)
        _expect(text, i, ":")
        i = _skip(text, i + 1)
        end = decoder.raw_decode(text, i)[1]
        out.append((key, i, end))
        i = _skip(text, end)
        if text[i] == "}":
            return out
        _expect(text, i, ",")
        i = _skip(text, i + 1)


def _array_items(text: str, i: int, decoder: json.JSONDecoder) -> List[Tuple[int, int]]:
    """(start, end) of each item of the JSON array at `i`."""
    i = _skip(text, i)
    _expect(text, i, "[")
    i = _skip(text, i + 1)
    out: List[Tuple[int, int]] = []
    if text[i] == "]":
        return out
    while True:
        end = decoder.raw_decode(text, i)[1]
        out.append((i, end))
        i = _skip(text, end)
        if text[i] == "]":
            return out
        _expect(text, i, ",")
        i = _skip(text, i + 1)


def _source_spans(json_text: str) -> Dict[int, Tuple[int, int]]:
    """Cell number -> the character range of its `source` value in the JSON text (the
    last one of a duplicated key, as `json.loads` reads it)."""
    decoder = json.JSONDecoder()
    spans: Dict[int, Tuple[int, int]] = {}
    for key, start, _ in _object_members(json_text, 0, decoder):
        if key != "cells":
            continue
        spans = {}
        for number, (item, _end) in enumerate(_array_items(json_text, start, decoder), start=1):
            for cell_key, value_start, value_end in _object_members(json_text, item, decoder):
                if cell_key == "source":
                    spans[number] = (value_start, value_end)
    return spans


_NON_ASCII_ESCAPE = re.compile(r"(?<!\\)\\u(?:00[89a-fA-F][0-9a-fA-F]|0[1-9a-fA-F][0-9a-fA-F]{2}|[1-9a-fA-F][0-9a-fA-F]{3})")


def _ensure_ascii(json_text: str) -> bool:
    """Whether the file spells characters outside ASCII as `\\uXXXX` escapes."""
    if not json_text.isascii():
        return False
    return _NON_ASCII_ESCAPE.search(json_text) is not None


def _list_layout(json_text: str, start: int, end: int, decoder: json.JSONDecoder) -> Tuple[str, str, str]:
    """(text after `[`, text between items, text before `]`) of the list at `start`, or,
    for an empty list, what the file's indentation gives."""
    items = _array_items(json_text, start, decoder)
    if items:
        lead = json_text[start + 1 : items[0][0]]
        tail = json_text[items[-1][1] : end - 1]
        sep = json_text[items[0][1] : items[1][0]] if len(items) > 1 else "," + lead
        return lead, sep, tail
    if "\n" not in json_text:
        return "", ", " if '", "' in json_text else ",", ""
    newline = "\r\n" if "\r\n" in json_text else "\n"
    line_start = json_text.rfind("\n", 0, start) + 1
    line = json_text[line_start:start]
    key_indent = line[: len(line) - len(line.lstrip(" \t"))]
    first = _skip(json_text, 1)
    unit = json_text[json_text.rfind("\n", 0, first) + 1 : first] or " "
    lead = newline + key_indent + unit
    return lead, "," + lead, newline + key_indent


def _splice(json_text: str, changed: Dict[int, str]) -> str:
    """`json_text` with the `source` of each cell in `changed` replaced, in its own form."""
    if not changed:
        return json_text
    decoder = json.JSONDecoder()
    try:
        spans = _source_spans(json_text)
    except (ValueError, IndexError, RecursionError) as exc:
        raise NotebookError(f"cannot find the cells in the notebook's JSON text ({exc}); fix not written") from None
    ascii_only = _ensure_ascii(json_text)
    out = json_text
    for number in sorted(changed, reverse=True):
        if number not in spans:
            raise NotebookError(f"cell {number} has no `source` in the JSON text; fix not written")
        start, end = spans[number]
        text = changed[number]
        if json_text[start] == "[":
            lines = text.splitlines(True)
            if lines:
                lead, sep, tail = _list_layout(json_text, start, end, decoder)
                value = "[" + lead + sep.join(json.dumps(ln, ensure_ascii=ascii_only) for ln in lines) + tail + "]"
            else:
                value = "[]"
        else:
            value = json.dumps(text, ensure_ascii=ascii_only)
        out = out[:start] + value + out[end:]
    try:  # what the file now says must be exactly what was meant
        cells = json.loads(out)["cells"]
        faithful = all(_source_text(cells[n - 1], n) == text for n, text in changed.items())
    except (ValueError, KeyError, IndexError, TypeError, NotebookError):
        faithful = False
    if not faithful:
        raise NotebookError("the fixed cells cannot be written back into the notebook's JSON; fix not written")
    return out


# --- as a source file ----------------------------------------------------------------------------
def decode_notebook(path: str, raw: bytes) -> "NotebookSource":
    """The notebook in `raw` as a `SourceFile` whose text is the module linted for it.

    Raises `SourceError` (one line, with the JSON row when the JSON is broken) for a file
    that is not a notebook cachelint can read.
    """
    bom = raw.startswith(codecs.BOM_UTF8)
    body = raw[len(codecs.BOM_UTF8) :] if bom else raw
    try:
        json_text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        row = body.count(b"\n", 0, exc.start) + 1
        raise SourceError(
            f"cannot decode byte 0x{body[exc.start:exc.start + 1].hex()} as utf-8 (a notebook is UTF-8 JSON)", row=row
        ) from None
    try:
        notebook = Notebook(json_text)
    except NotebookError as exc:
        raise SourceError(exc.message, exc.row, exc.column) from None
    return NotebookSource(path=path, raw=raw, text=notebook.text, encoding="utf-8", bom=bom, newline="\n",
                          notebook=notebook)


@dataclass(frozen=True)
class NotebookSource(SourceFile):
    """A notebook read as source: `text` is the linted module, `raw` the file's bytes, and
    `encode` turns a (fixed) module back into the notebook's bytes."""

    notebook: Optional[Notebook] = None

    def encode(self, text: str) -> bytes:
        """The notebook's bytes with its code cells holding `text`; raises `NotebookError`
        when that cannot be written faithfully (see `Notebook.render`)."""
        assert self.notebook is not None
        if text == self.text:
            return self.raw
        data = self.notebook.render(text).encode("utf-8")
        return codecs.BOM_UTF8 + data if self.bom else data


# --- findings in cell coordinates -------------------------------------------------------------
def cell_location(notebook: Optional[Notebook], location: Location, within: Optional[CodeCell] = None
                  ) -> Tuple[Optional[int], Location]:
    """(cell number, row and column in that cell) of a location in the linted module.

    With `within`, a location past the end of that cell (a range that ends at the start of
    the next cell) is given as the row after the cell's last one, column 1."""
    cell = notebook.cell_at(location.row) if notebook is not None else None
    if cell is None:
        return None, location
    if within is not None and cell is not within:
        if cell.number > within.number:
            return within.number, Location(_row_count(within.python) + 1, 1)
        cell = within
    return cell.number, Location(max(1, location.row - cell.first_row + 1), location.column)


def cell_diagnostics(diagnostics: Sequence[Diagnostic], source: "NotebookSource") -> List[Diagnostic]:
    """`diagnostics` of the linted module with their cell and rows counted in the cell
    (the location, the end, `noqa_row`, each fix edit and related places in the notebook).

    `suppression_rows` keep the module's rows: `--add-ignore` places its comments there.
    """
    notebook = source.notebook
    out = []
    for d in diagnostics:
        if d.cell is not None or notebook is None or notebook.cell_at(d.location.row) is None:
            out.append(d)
            continue
        cell = notebook.cell_at(d.location.row)
        number, location = cell_location(notebook, d.location)
        _, end = cell_location(notebook, d.end_location, within=cell)
        fix = d.fix
        if fix is not None:
            edits = []
            for e in fix.edits:
                if e.path != d.path:
                    edits.append(e)
                    continue
                edit_cell = notebook.cell_at(e.location.row)
                _, start = cell_location(notebook, e.location)
                _, stop = cell_location(notebook, e.end_location, within=edit_cell)
                edits.append(Edit(e.path, e.start, e.end, e.content, start, stop))
            fix = Fix(fix.applicability, fix.message, tuple(edits), fix.imports)
        related = []
        for path, loc, note in d.related:
            if path == d.path:
                rel_cell, loc = cell_location(notebook, loc)
                note = f"cell {rel_cell}: {note}" if rel_cell is not None else note
            related.append((path, loc, note))
        rows = d.suppression_rows or ((d.location.row, d.end_location.row),)
        noqa = None if d.noqa_row is None else cell_location(notebook, Location(d.noqa_row, 1))[1].row
        out.append(replace(d, cell=number, location=location, end_location=end, fix=fix, noqa_row=noqa,
                           related=tuple(related), suppression_rows=rows))
    return out
