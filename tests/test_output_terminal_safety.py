"""Terminal safety: nothing taken from the linted code reaches the terminal raw.

A `ttl` value, a model name or a label is quoted in messages, and the `full` snippet shows
the source itself. A newline there split one finding over two lines of `concise` output
(so `grep` and problem matchers saw a finding that was not one), and an escape sequence
recoloured, cleared or retitled the user's terminal. The human formats (`full`,
`concise`, the summary lines, `--show-requests`) escape C0/C1 controls and DEL; the
machine formats already encode them and must stay exactly as they were.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Callable, Dict, Optional

import pytest
from click.testing import Result

from cachelint.cli import main
from cachelint.diagnostics import Diagnostic, Location
from cachelint.output import OutputContext, render
from cachelint.output.github import escape_data, escape_property
from cli_runner import cli_runner as _cli_runner

#: What must never reach a terminal: C0 controls but the line feed, DEL and C1 controls.
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")
#: One of each kind: a newline, a CSI sequence, an OSC title change ended by BEL, a bare
#: carriage return, DEL and the one-byte C1 CSI.
NASTY = "1h\n\x1b[2J\x1b]0;pwned\x07\r\x7f\x9b31m"
NASTY_ESCAPED = "1h\\n\\x1b[2J\\x1b]0;pwned\\x07\\r\\x7f\\x9b31m"



def finding(path: str, message: str = f'ttl "{NASTY}" is not valid', **extra: object) -> Diagnostic:
    return Diagnostic(
        code="CL007",
        name="invalid-cache-control",
        message=message,
        path=path,
        location=Location(1, 5),
        end_location=Location(1, 8),
        **extra,  # type: ignore[arg-type]
    )


def context(root: Path, files: Optional[Dict[str, str]] = None) -> OutputContext:
    files = files or {}
    return OutputContext(cwd=root, project_root=root, read_text=lambda p: files.get(p), version="9.9.9")


# --- the escaping itself ---------------------------------------------------------------------
def test_terminal_safe_escapes_controls_as_repr_does_and_keeps_the_rest() -> None:
    from cachelint.output import terminal_safe

    assert terminal_safe(NASTY) == NASTY_ESCAPED
    assert terminal_safe("\x00\t\x1f\x80\x85\x9f") == "\\x00\\t\\x1f\\x80\\x85\\x9f"
    for char in map(chr, [*range(0x20), *range(0x7F, 0xA0)]):
        assert terminal_safe(char) == repr(char)[1:-1]  # Python's own spelling
    kept = 'café 中文 \u2028 ✓ C:\\temp \\n "quoted" \udce9'  # Unicode, backslashes, fsdecode bytes
    assert terminal_safe(kept) == kept
    plain = "nothing to escape"
    assert terminal_safe(plain) is plain


# --- the human formats -------------------------------------------------------------------------
def test_concise_keeps_one_line_per_finding(tmp_path: Path) -> None:
    odd_name = str(tmp_path / "odd\nname\x1b[31m.py")
    out = render("concise", [finding(str(tmp_path / "a.py")), finding(odd_name)], context(tmp_path))
    assert RAW_CONTROL.search(out) is None
    assert out.splitlines() == [
        f'a.py:1:5: CL007 ttl "{NASTY_ESCAPED}" is not valid',
        f'odd\\nname\\x1b[31m.py:1:5: CL007 ttl "{NASTY_ESCAPED}" is not valid',
    ]


def test_full_escapes_header_location_help_and_notes(tmp_path: Path) -> None:
    path = str(tmp_path / "a.py")
    d = finding(
        path,
        fix_title=f'Use "1h", not "{NASTY}"',
        related=((str(tmp_path / "b\n.py"), Location(2, 3), f"model {NASTY} set here"),),
    )
    out = render("full", [d], context(tmp_path))
    assert RAW_CONTROL.search(out) is None
    assert out == (
        f'CL007 ttl "{NASTY_ESCAPED}" is not valid\n'
        "--> a.py:1:5\n"
        f'help: Use "1h", not "{NASTY_ESCAPED}"\n'
        f"note: b\\n.py:2:3: model {NASTY_ESCAPED} set here\n"
        "\n"
    )


def test_full_snippet_shows_control_pictures_and_keeps_the_carets_aligned(tmp_path: Path) -> None:
    """As ruff draws it: a C0 control or DEL is its one-column Unicode picture (ESC is
    `␛`); a C1 control has none and is spelled `\\x9b`, four columns wide."""
    path = str(tmp_path / "a.py")
    text = 'x = "\x1b[2J\x07\x7f\x9b"; y = "10m"\n'
    start = text.index('"10m"')
    d = Diagnostic(
        code="CL007",
        name="invalid-cache-control",
        message="m",
        path=path,
        location=Location(1, start + 1),
        end_location=Location(1, start + 6),
    )
    out = render("full", [d], context(tmp_path, {path: text}))
    assert RAW_CONTROL.search(out) is None
    shown = 'x = "␛[2J␇␡\\x9b"; y = "10m"'
    caret_column = shown.index('"10m"')
    assert f" |\n1 | {shown}\n  | {' ' * caret_column}^^^^^\n" in out


def test_machine_formats_are_unchanged(tmp_path: Path) -> None:
    """JSON, SARIF and JUnit encode control characters themselves and keep the exact value;
    GitHub's workflow commands keep actions/toolkit's escaping, byte for byte."""
    path = str(tmp_path / "a.py")
    message = f'ttl "{NASTY}" is not valid'
    ctx = context(tmp_path)
    (item,) = json.loads(render("json", [finding(path)], ctx))
    assert item["message"] == message
    assert json.loads(render("sarif", [finding(path)], ctx))["runs"][0]["results"][0]["message"]["text"] == message
    assert render("github", [finding(path)], ctx) == (
        f"::error title=cachelint (CL007),file={escape_property(path)},line=1,col=5,endLine=1,endColumn=8::"
        + escape_data(f"a.py:1:5: CL007 {message}")
        + "\n"
    )
    junit = render("junit", [finding(path)], ctx)
    assert "\x1b" not in junit and "\n1h" not in junit


# --- through the command -------------------------------------------------------------------------
APP = f'''\
import anthropic

client = anthropic.Anthropic()
SYSTEM = "Answer in one short paragraph. " * 320
RAW = "\x1b[2J{chr(0x9B)}"


def ask(question):
    return client.messages.create(
        model="claude-sonnet-4-5\\x1b[2J\\nfake",
        max_tokens=200,
        system=[{{"type": "text", "text": SYSTEM, "cache_control": {{"type": "ephemeral", "ttl": {NASTY!r}}}}}],
        messages=[{{"role": "user", "content": question}}],
    )
'''


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "app.py").write_text(APP, encoding="utf-8")
    monkeypatch.chdir(root)

    def invoke(*args: str) -> Result:
        result = _cli_runner().invoke(main, ["--no-cache", *args], catch_exceptions=False)
        assert "Traceback" not in result.stderr
        return result

    return invoke


@pytest.mark.parametrize("fmt", ["full", "concise"])
def test_the_command_prints_no_raw_control_character(cli: Callable[..., Result], fmt: str) -> None:
    result = cli("--output-format", fmt, "app.py")
    assert result.exit_code == 1
    assert "Found 1 error." in result.stderr
    assert RAW_CONTROL.search(result.stdout) is None and RAW_CONTROL.search(result.stderr) is None
    assert f'"{NASTY_ESCAPED}"' in result.stdout
    if fmt == "concise":
        assert len(result.stdout.splitlines()) == 1


def test_show_requests_keeps_each_value_on_its_line(cli: Callable[..., Result]) -> None:
    result = cli("--show-requests", "app.py")
    assert result.exit_code == 0
    assert RAW_CONTROL.search(result.stdout) is None
    lines = result.stdout.splitlines()
    (model,) = [line for line in lines if line.startswith("  model: ")]
    assert model.startswith("  model: claude-sonnet-4-5\\x1b[2J\\nfake (")
    (marker,) = [line for line in lines if "breakpoint:" in line]
    assert f"ttl={NASTY_ESCAPED}," in marker
    as_json = json.loads(cli("--show-requests", "--output-format", "json", "app.py").stdout)
    assert '"claude-sonnet-4-5\\u001b[2J\\nfake"' in json.dumps(as_json)  # the data is kept


def test_summary_and_warning_lines_escape_paths(cli: Callable[..., Result], tmp_path: Path) -> None:
    """--show-fixes lists paths; a warning names a pyproject.toml: a file name may hold a
    newline or an escape sequence too."""
    odd = tmp_path / "proj" / "odd\n\x1b[31mdir"
    odd.mkdir()
    (odd / "pyproject.toml").write_text("[project\n", encoding="utf-8")
    (odd / "fix me.py").write_text('X = {"cache_control": {"type": "persistent"}}\n', encoding="utf-8")
    result = cli("--fix", "--show-fixes", "--output-format", "concise", os.fspath(odd))
    assert result.exit_code == 0, result.stderr
    assert RAW_CONTROL.search(result.stderr) is None
    assert "- odd\\n\\x1b[31mdir/fix me.py:" in result.stderr
    (warning,) = [line for line in result.stderr.splitlines() if "warning" in line]
    assert "odd\\n\\x1b[31mdir/pyproject.toml: invalid TOML" in warning
