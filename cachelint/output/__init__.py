"""Every output format, behind one function: `render(fmt, diagnostics, ctx)`.

Each format lives in its own module (one job each) and is imported only when used, so the
CLI does not pay for XML or SARIF machinery on an ordinary run. The helpers here are the
few facts all formats must agree on: how a path is shown, what the `help:` text is, and
what a rule's metadata is when the registry may not know the code (an internal error is
still reported as a diagnostic).

Every format returns text that ends with a newline when it is not empty, so the caller can
write it as is to stdout or to `-o FILE`.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, Sequence, Tuple, Type

from cachelint import __version__
from cachelint.diagnostics import Diagnostic

if TYPE_CHECKING:  # pragma: no cover
    from cachelint.rule import Rule

FORMATS: Tuple[str, ...] = (
    "full", "concise", "json", "json-lines", "github", "gitlab", "sarif", "junit"
)


class UnknownFormat(ValueError):
    """An output format name that is not in `FORMATS` (a usage error, exit code 2)."""


def _no_source(path: str) -> Optional[str]:
    return None


@dataclass(frozen=True)
class OutputContext:
    """What the formats need beyond the diagnostics themselves.

    `cwd`: paths in human formats are shown relative to it when under it.
    `project_root`: SARIF URIs are relative to it, under the uriBaseId `%SRCROOT%`, so a
    report made in CI points at the same files on a developer's machine.
    `unsafe_fixes`: whether unsafe fixes count as applicable (the `[*]` marker).
    `read_text`: the decoded text of a file, for the `full` snippets (None: unavailable);
    for a notebook, its JSON text (`source_text` takes a cell's source from it).
    `color`: whether the human formats colour their text (`--color`; see `output.style`).
    """

    cwd: Path
    project_root: Path
    unsafe_fixes: bool = False
    read_text: Callable[[str], Optional[str]] = _no_source
    version: str = __version__
    color: bool = False


def location_text(diagnostic: Diagnostic) -> str:
    """`row:column`, or `cell N:row:column` for a finding in a notebook (ruff's spelling)."""
    loc = diagnostic.location
    cell = f"cell {diagnostic.cell}:" if diagnostic.cell is not None else ""
    return f"{cell}{loc.row}:{loc.column}"


def source_reader(ctx: OutputContext) -> Callable[[str, Optional[int]], Optional[str]]:
    """`(path, cell) -> text`: a file's text, or the source of a notebook's cell, read once
    per file (None when unavailable)."""
    texts: Dict[str, Optional[str]] = {}
    cells: Dict[str, Optional[Tuple[str, ...]]] = {}

    def read(path: str, cell: Optional[int] = None) -> Optional[str]:
        if path not in texts:
            try:
                texts[path] = ctx.read_text(path)
            except (OSError, UnicodeError):
                texts[path] = None
        text = texts[path]
        if cell is None or text is None:
            return text
        if path not in cells:
            cells[path] = notebook_cell_sources(text)
        sources = cells[path]
        return sources[cell - 1] if sources is not None and 1 <= cell <= len(sources) else None

    return read


def notebook_cell_sources(json_text: str) -> Optional[Tuple[str, ...]]:
    """The source of every cell of a notebook's JSON text, or None if it is not one."""
    import json

    try:
        cells = json.loads(json_text)["cells"]
        return tuple(c["source"] if isinstance(c["source"], str) else "".join(c["source"]) for c in cells)
    except (ValueError, KeyError, TypeError, RecursionError):
        return None


def display_path(path: str, cwd: Path) -> str:
    """`path` relative to `cwd` when it lies under it, else unchanged (as ruff shows paths)."""
    try:
        relative = Path(path).relative_to(cwd)
    except ValueError:
        return path
    text = str(relative)
    return path if text == "." else text


def utf8_safe(text: str) -> str:
    """`text` with each byte of a file name that is not UTF-8 written as `\\xNN`.

    On POSIX a file name is bytes; `os.fsdecode` turns a byte that is not UTF-8 (a name
    from a latin-1 era, `caf\\xe9.py`) into a lone surrogate, which cannot be encoded as
    UTF-8. JSON, SARIF and XML must be valid UTF-8, so such a byte is spelled out instead.
    """
    return _LONE_SURROGATE.sub(_spell_surrogate, text)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _spell_surrogate(match: "re.Match[str]") -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's escape of the byte code - 0xDC00
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}"


#: C0 controls, DEL and C1 controls: what a terminal may act on instead of showing.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _spell_control(match: "re.Match[str]") -> str:
    char = match.group()
    return _NAMED_ESCAPES.get(char) or f"\\x{ord(char):02x}"


def terminal_safe(text: str) -> str:
    """`text` with every control character spelled as Python's `repr` spells it.

    Messages quote values taken from the linted code (a `ttl`, a model name, a label) and
    paths come from the file system: a newline there would split one finding over two
    lines of `concise` output, and an escape sequence would recolour or rewrite the
    user's terminal. C0 and C1 controls and DEL become `\\n`, `\\r`, `\\t` or `\\xNN`;
    every other character, ordinary Unicode included, is kept, and so is a backslash (a
    message that names a regex or a Windows path reads as before). Text without a control
    character is returned as is.
    """
    if _CONTROL.search(text) is None:
        return text
    return _CONTROL.sub(_spell_control, text)


def utf8_safe_data(value: Any) -> Any:
    """`value` (JSON-like data) with `utf8_safe` applied to every string in it."""
    if isinstance(value, str):
        return utf8_safe(value)
    if isinstance(value, dict):
        return {utf8_safe_data(k): utf8_safe_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [utf8_safe_data(v) for v in value]
    return value


def dumps_utf8(data: Any, **options: Any) -> str:
    """`json.dumps(data, ensure_ascii=False)` that is always valid UTF-8.

    The data is only walked again in the rare case a string holds an undecodable byte of
    a file name (see `utf8_safe`); names stay readable (`caf\\xe9.py`), not `\\udce9`.
    """
    import json

    text = json.dumps(data, ensure_ascii=False, **options)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(utf8_safe_data(data), ensure_ascii=False, **options)
    return text


def help_text(diagnostic: Diagnostic) -> Optional[str]:
    """The `help:` line: the fix title, else the fix's own message, else nothing."""
    if diagnostic.fix_title:
        return diagnostic.fix_title
    if diagnostic.fix is not None and diagnostic.fix.message:
        return diagnostic.fix.message
    return None


def known_rule(code: str) -> Optional[Type["Rule"]]:
    """The registry's rule for `code`, or None for codes it does not know."""
    from cachelint.registry import rule_for

    if not code:
        return None
    rule = rule_for(code)
    # `rule_for` also accepts names; only an exact code match describes this diagnostic.
    return rule if rule is not None and rule.code == code.upper() else None


def diagnostic_url(diagnostic: Diagnostic) -> Optional[str]:
    """The documentation URL: the diagnostic's own, else the registry's page, else None."""
    if diagnostic.url:
        return diagnostic.url
    rule = known_rule(diagnostic.code)
    if rule is None:
        return None
    from cachelint.registry import rule_url

    return rule_url(rule)


# format -> (module under cachelint.output, function name); imported on first use.
_RENDERERS: Dict[str, Tuple[str, str]] = {
    "full": ("full", "render_full"),
    "concise": ("concise", "render_concise"),
    "json": ("json_format", "render_json"),
    "json-lines": ("json_format", "render_json_lines"),
    "github": ("github", "render_github"),
    "gitlab": ("gitlab", "render_gitlab"),
    "sarif": ("sarif", "render_sarif"),
    "junit": ("junit", "render_junit"),
}


def render(fmt: str, diagnostics: Sequence[Diagnostic], ctx: OutputContext) -> str:
    """Render `diagnostics` (in any order) in the output format named `fmt`."""
    if fmt not in FORMATS:
        raise UnknownFormat(
            f"unknown output format {fmt!r} (expected one of: {', '.join(FORMATS)})"
        )
    module_name, function_name = _RENDERERS[fmt]
    module = importlib.import_module(f"cachelint.output.{module_name}")
    renderer: Callable[[Sequence[Diagnostic], OutputContext], str] = getattr(module, function_name)
    return renderer(diagnostics, ctx)


__all__ = [
    "FORMATS",
    "OutputContext",
    "UnknownFormat",
    "diagnostic_url",
    "display_path",
    "dumps_utf8",
    "help_text",
    "known_rule",
    "location_text",
    "notebook_cell_sources",
    "source_reader",
    "render",
    "terminal_safe",
    "utf8_safe",
    "utf8_safe_data",
]
