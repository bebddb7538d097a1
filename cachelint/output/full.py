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
from typing import Callable, Dict, List, Optional, Sequence

from cachelint.diagnostics import Diagnostic, Location, sort_diagnostics
from cachelint.output import OutputContext, display_path, help_text, terminal_safe
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


def snippet(lines: List[str], start: Location, end: Location) -> Optional[List[str]]:
    """The snippet lines from the opening `|` to the last line, or None if out of range."""
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
    empty_gutter = " " * width + " |"
    start_line = lines[s_row - 1]
    slash = multiline and _is_blank(start_line[:s_idx])

    out = [empty_gutter]
    last_is_source = True
    for row in range(first, last + 1):
        line = lines[row - 1]
        shown = visible(line)
        if multiline:
            if s_row < row <= e_row:
                margin = "| "
            elif row == s_row and slash:
                margin = "/ "
            else:
                margin = "  "
            shown = margin + shown
        out.append(f"{row:>{width}} | {shown}".rstrip())
        last_is_source = True
        if not multiline and row == s_row:
            count = text_width(line[s_idx:e_idx]) + max(0, e_idx - max(len(line), s_idx))
            out.append(f"{empty_gutter} {' ' * _offset(line, s_idx)}{'^' * max(1, count)}")
            last_is_source = False
        elif multiline and row == s_row and not slash:
            out.append(f"{empty_gutter}  {'_' * (_offset(line, s_idx) + 1)}^")
            last_is_source = False
        elif multiline and row == e_row:
            last_off = _offset(line, max(0, e_idx - 1))
            out.append(f"{empty_gutter} |{'_' * (last_off + 1)}^")
            last_is_source = False
    if last_is_source:
        out.append(empty_gutter)
    return out


def _reader(ctx: OutputContext) -> Callable[[str], Optional[List[str]]]:
    """`ctx.read_text` split into lines, read once per file; unreadable means no snippet."""
    cache: Dict[str, Optional[List[str]]] = {}

    def lines_of(path: str) -> Optional[List[str]]:
        if path not in cache:
            try:
                text = ctx.read_text(path)
            except (OSError, UnicodeError):
                text = None
            cache[path] = None if text is None else split_lines(text)
        return cache[path]

    return lines_of


def render_diagnostic(
    diagnostic: Diagnostic,
    ctx: OutputContext,
    lines_of: Optional[Callable[[str], Optional[List[str]]]] = None,
) -> str:
    """One finding, without the blank line that separates it from the next."""
    loc = diagnostic.location
    path = terminal_safe(display_path(diagnostic.path, ctx.cwd))
    header = (
        f"{diagnostic.code} {fix_marker(diagnostic, ctx.unsafe_fixes)}"
        f"{terminal_safe(diagnostic.message)}"
    )
    lines = (lines_of or _reader(ctx))(diagnostic.path)
    body = None if lines is None else snippet(lines, loc, diagnostic.end_location)
    if body is None:
        out = [header, f"--> {path}:{loc.row}:{loc.column}"]
    else:
        width = len(body[0]) - 2  # the opening line is the gutter: width spaces + " |"
        out = [header, f"{' ' * width}--> {path}:{loc.row}:{loc.column}"] + body
    help_line = help_text(diagnostic)
    if help_line:
        out.append(f"help: {terminal_safe(help_line)}")
    for rel_path, rel_loc, note in diagnostic.related:
        out.append(
            f"note: {terminal_safe(display_path(rel_path, ctx.cwd))}:{rel_loc.row}:"
            f"{rel_loc.column}: {terminal_safe(note)}"
        )
    return "\n".join(out)


def render_full(diagnostics: Sequence[Diagnostic], ctx: OutputContext) -> str:
    # Like ruff, every finding (the last too) is followed by a blank line, so the summary
    # the CLI prints next stands apart.
    lines_of = _reader(ctx)
    return "".join(
        render_diagnostic(d, ctx, lines_of) + "\n\n" for d in sort_diagnostics(list(diagnostics))
    )
