"""`full` output (the default): each finding with a source snippet, laid out like ruff's.

```
CL007 [*] `ttl` must be "5m" or "1h", not "10m"
 --> app.py:3:40
  |
2 | client = Anthropic()
3 | block = {"cache_control": {"type": "ephemeral", "ttl": "10m"}}
  |                                                        ^^^^^
4 | send(block)
  |
help: Use "1h"
```

The snippet shows up to two lines of context on each side, without blank lines at its
edges; a range over several lines is drawn with the margin ruff uses (`/`, `|`, `_`).
Columns are counted in code points, but the underline is placed by display width (a tab is
four columns, East Asian wide characters two), so the carets sit under the right text.
When the source cannot be read, only the header and the location are printed.

Nothing from the linted code reaches the terminal raw: control characters of the message,
path, help and notes are escaped (`terminal_safe`), and in the snippet, as ruff draws it, a
C0 control or DEL is shown as its Unicode control picture (ESC as `␛`, one column, so the
carets stay aligned) and a C1 control as `\\xNN`.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Callable, List, Optional, Sequence

from cachelint.diagnostics import Diagnostic, Location, sort_diagnostics
from cachelint.output import OutputContext, display_path, help_text, location_text, source_reader, style, terminal_safe
from cachelint.output.concise import fix_marker

CONTEXT_LINES = 2
TAB_WIDTH = 4
# Rows count only these line breaks (as Python's tokenizer does), not str.splitlines()'s
# form feeds and Unicode separators.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


#: What the snippet cannot show as is: C0 controls (tab included), DEL and C1 controls.
_UNSHOWABLE = re.compile("[\x00-\x1f\x7f-\x9f]")


def _shown_char(ch: str) -> str:
    """How the snippet shows a control character (`char_width` agrees on its width)."""
    code = ord(ch)
    if ch == "\t":
        return " " * TAB_WIDTH
    if code < 0x20:
        return chr(0x2400 + code)  # the control picture: ESC is U+241B, as ruff shows it
    if code == 0x7F:
        return "\u2421"  # SYMBOL FOR DELETE
    return f"\\x{code:02x}"  # C1 controls have no picture


def visible(line: str) -> str:
    """`line` as the snippet prints it: no control character reaches the terminal."""
    if _UNSHOWABLE.search(line) is None:
        return line
    return _UNSHOWABLE.sub(lambda m: _shown_char(m.group()), line)


def char_width(ch: str) -> int:
    """Columns a character takes on a terminal, as `visible` shows it."""
    if ch == "\t":
        return TAB_WIDTH
    if ch < " " or ch == "\x7f":
        return 1  # a control picture
    if "\x80" <= ch <= "\x9f":
        return 4  # `\xNN`
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 2
    return 1


def text_width(text: str) -> int:
    return sum(char_width(ch) for ch in text)


def _offset(line: str, index: int) -> int:
    """Display column (0-based) of character `index`; past the end counts one per index."""
    return text_width(line[:index]) + max(0, index - len(line))


def _is_blank(line: str) -> bool:
    return not line.strip()


def split_lines(text: str) -> List[str]:
    return _LINE_BREAK.split(text)


def snippet(lines: List[str], start: Location, end: Location, color: bool = False) -> Optional[List[str]]:
    """The snippet lines from the opening `|` to the last line, or None if out of range.

    With `color`, in ruff's colours: the gutter bold bright blue, the markers bold bright
    red. The layout is the same either way.
    """
    nlines = len(lines)
    s_row, s_idx = start.row, start.column - 1
    e_row, e_idx = end.row, end.column - 1
    if not 1 <= s_row <= nlines or s_idx < 0:
        return None
    if e_row > s_row and e_idx <= 0:
        # A range that ends at the start of a row ends with the previous row's line break.
        e_row -= 1
        e_idx = len(lines[e_row - 1]) + 1 if e_row <= nlines else 1
    if e_row < s_row or (e_row == s_row and e_idx < s_idx):
        e_row, e_idx = s_row, s_idx
    if e_row > nlines:
        e_row, e_idx = nlines, len(lines[nlines - 1]) + 1
    multiline = e_row > s_row

    first = max(1, s_row - CONTEXT_LINES)
    last = min(nlines, e_row + CONTEXT_LINES)
    while first < s_row and _is_blank(lines[first - 1]):
        first += 1
    while last > e_row and _is_blank(lines[last - 1]):
        last -= 1

    width = len(str(last))
    empty_gutter = " " * width + " " + style.gutter("|", color)
    start_line = lines[s_row - 1]
    slash = multiline and _is_blank(start_line[:s_idx])

    out = [empty_gutter]
    last_is_source = True
    for row in range(first, last + 1):
        line = lines[row - 1]
        shown = visible(line)
        if multiline:
            if s_row < row <= e_row:
                margin = style.error_code("|", color) + " "
            elif row == s_row and slash:
                margin = style.error_code("/", color) + " "
            else:
                margin = "  "
            shown = margin + shown
        shown = shown.rstrip()
        out.append(f"{style.gutter(f'{row:>{width}}', color)} {style.gutter('|', color)}" + (f" {shown}" if shown else ""))
        last_is_source = True
        if not multiline and row == s_row:
            count = text_width(line[s_idx:e_idx]) + max(0, e_idx - max(len(line), s_idx))
            out.append(f"{empty_gutter} {' ' * _offset(line, s_idx)}{style.error_code('^' * max(1, count), color)}")
            last_is_source = False
        elif multiline and row == s_row and not slash:
            out.append(f"{empty_gutter} {style.error_code(' ' + '_' * (_offset(line, s_idx) + 1) + '^', color)}")
            last_is_source = False
        elif multiline and row == e_row:
            last_off = _offset(line, max(0, e_idx - 1))
            out.append(f"{empty_gutter} {style.error_code('|' + '_' * (last_off + 1) + '^', color)}")
            last_is_source = False
    if last_is_source:
        out.append(empty_gutter)
    return out


def render_diagnostic(
    diagnostic: Diagnostic,
    ctx: OutputContext,
    read: Optional[Callable[[str, Optional[int]], Optional[str]]] = None,
) -> str:
    """One finding, without the blank line that separates it from the next.

    In a notebook the snippet shows the finding's cell, rows counted in the cell, and
    the location reads `path:cell N:row:col`, as ruff prints it.
    """
    on = ctx.color
    path = terminal_safe(display_path(diagnostic.path, ctx.cwd))
    marker = fix_marker(diagnostic, ctx.unsafe_fixes, on, full=True)
    message = terminal_safe(diagnostic.message)
    if on:  # ruff puts the space before the message inside its bold run
        header = style.error_code(diagnostic.code) + (" " + marker.rstrip(" ") if marker else "") + style.bold(" " + message)
    else:
        header = f"{diagnostic.code} {marker}{message}"
    text = (read or source_reader(ctx))(diagnostic.path, diagnostic.cell)
    body = None if text is None else snippet(split_lines(text), diagnostic.location, diagnostic.end_location, on)
    where = f"{style.gutter('--> ', on)}{path}:{location_text(diagnostic)}"
    if body is None:
        out = [header, where]
    else:
        width = _gutter_width(body)
        out = [header, f"{' ' * width}{where}"] + body
    help_line = help_text(diagnostic)
    if help_line:
        out.append(style.help_label("help", on) + style.bold(": " + terminal_safe(help_line), on))
    for rel_path, rel_loc, note in diagnostic.related:
        out.append(
            style.note_label("note", on)
            + style.bold(
                f": {terminal_safe(display_path(rel_path, ctx.cwd))}:{rel_loc.row}:{rel_loc.column}: {terminal_safe(note)}",
                on,
            )
        )
    return "\n".join(out)


def _gutter_width(body: List[str]) -> int:
    """The width of the line numbers of a snippet: the spaces before its opening `|`."""
    return len(body[0]) - len(body[0].lstrip(" ")) - 1


def render_full(diagnostics: Sequence[Diagnostic], ctx: OutputContext) -> str:
    # Like ruff, every finding (the last too) is followed by a blank line, so the summary
    # the CLI prints next stands apart.
    read = source_reader(ctx)
    return "".join(
        render_diagnostic(d, ctx, read) + "\n\n" for d in sort_diagnostics(list(diagnostics))
    )
