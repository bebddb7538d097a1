"""`cachelint server` driven as an editor drives it: a child process spoken to in JSON-RPC
over its stdin and stdout (see `lsp_client`).

Each test starts one server (about half a second) on a copy of a small project: the example
project's 6,000-token `prompts.py`, and buffers that make findings with safe and unsafe fixes.
Expected positions come from `cachelint.lint_source` (code points) and are converted to
UTF-16 here by encoding the text, independently of the server's conversion.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Dict, List

import pytest

pytest.importorskip("pygls")

from lsp_client import ROOT, LspClient, apply_text_edits, code_units, text_in_range  # noqa: E402

from cachelint import lint_source  # noqa: E402

CHAT = textwrap.dedent('''\
    import anthropic

    from prompts import SUPPORT_PROMPT

    client = anthropic.Anthropic()


    def greet(question):
        return client.messages.create(model="claude-sonnet-4-5", max_tokens=64, stop_sequences=["héllo 😀 wörld"], messages=[{"role": "user", "content": question}], system=SUPPORT_PROMPT)
    ''')

MIXED = textwrap.dedent('''\
    import anthropic

    from prompts import SUPPORT_PROMPT

    client = anthropic.Anthropic()


    def ask(history, question):
        for message in history:
            message["content"][0]["cache_control"] = {"type": "ephemeral"}
        return client.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=1024,
            system=[{"type": "text", "text": SUPPORT_PROMPT, "cache_control": {"type": "ephemeral", "ttl": "3m"}}],
            messages=history + [{"role": "user", "content": question}],
        )
    ''')


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    example = ROOT / "fixtures" / "example-project"
    for name in ("prompts.py", "assistant.py", "pyproject.toml"):
        shutil.copy(example / name, root / name)
    (root / "chat.py").write_text(CHAT, encoding="utf-8")
    (root / "mixed.py").write_text(MIXED, encoding="utf-8")
    return root


@pytest.fixture
def client(project: Path):
    lsp = LspClient(project)
    yield lsp
    if lsp.process.poll() is None:
        lsp.process.kill()
        lsp.process.wait()


def _codes(diagnostics: List[Dict[str, Any]]) -> List[str]:
    return sorted(d["code"] for d in diagnostics)


def _actions(client: LspClient, uri: str, range_: Dict[str, Any], only: Any = None) -> List[Dict[str, Any]]:
    context: Dict[str, Any] = {"diagnostics": []}
    if only:
        context["only"] = only
    return client.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": range_, "context": context})


def test_an_editor_session_diagnostics_fix_hover_and_exit(client: LspClient, project: Path) -> None:
    result = client.initialize(project)
    capabilities = result["capabilities"]
    assert capabilities["positionEncoding"] == "utf-16"
    assert capabilities["textDocumentSync"]["change"] == 2  # incremental
    assert set(capabilities["codeActionProvider"]["codeActionKinds"]) >= {"quickfix", "source.fixAll.cachelint"}
    assert capabilities["hoverProvider"]

    path = project / "chat.py"
    uri = path.as_uri()
    client.open(uri, CHAT, version=1)
    diagnostics = client.diagnostics(uri, version=1)
    assert _codes(diagnostics) == ["CL001"]
    (diagnostic,) = diagnostics
    assert diagnostic["source"] == "cachelint"
    assert diagnostic["codeDescription"]["href"].endswith("CL001-uncached-static-prompt.md")

    # The range is the API's finding, in UTF-16 units: the emoji before it counts twice.
    (expected,) = [d for d in lint_source(CHAT, path) if d.code == "CL001"]
    assert diagnostic["severity"] == {"error": 1, "warning": 2, "note": 3}[expected.severity.value]
    line = CHAT.splitlines()[expected.location.row - 1]
    assert diagnostic["range"]["start"] == {
        "line": expected.location.row - 1,
        "character": code_units(line[: expected.location.column - 1]),
    }
    assert diagnostic["range"]["start"]["character"] == expected.location.column  # -1, and +2 for 😀 (é, ö: one unit)
    assert text_in_range(CHAT, diagnostic["range"]) == line[expected.location.column - 1 : expected.end_location.column - 1]

    hover = client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": diagnostic["range"]["start"]})
    assert hover["contents"]["kind"] == "markdown"
    assert hover["contents"]["value"].startswith("# CL001 uncached-static-prompt\n")
    away = client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 1}})
    assert away is None

    # An incremental edit on the same line, after the emoji: the finding moves by what was typed.
    typed = " again"
    at = line.index(" wörld")
    client.change(uri, 2, [{
        "range": {"start": {"line": expected.location.row - 1, "character": code_units(line[:at])},
                  "end": {"line": expected.location.row - 1, "character": code_units(line[:at])}},
        "text": typed,
    }])
    text = CHAT.replace("😀 wörld", "😀" + typed + " wörld")
    moved = client.diagnostics(uri, version=2)
    assert _codes(moved) == ["CL001"]
    assert moved[0]["range"]["start"]["character"] == diagnostic["range"]["start"]["character"] + len(typed)
    assert text_in_range(text, moved[0]["range"]) == text_in_range(CHAT, diagnostic["range"])

    actions = _actions(client, uri, moved[0]["range"])
    (fix,) = [a for a in actions if a["kind"] == "quickfix" and "ignore" not in a["title"]]
    assert fix["title"].startswith("CL001: ") and fix["isPreferred"] is True
    assert fix["diagnostics"][0]["code"] == "CL001"
    fixed = apply_text_edits(text, fix["edit"]["changes"][uri])
    assert fixed == text.replace("system=SUPPORT_PROMPT)", 'system=[{"type": "text", "text": SUPPORT_PROMPT, "cache_control": {"type": "ephemeral"}}])')
    compile(fixed, "chat.py", "exec")
    (ignore,) = [a for a in actions if "ignore" in a["title"]]
    silenced = apply_text_edits(text, ignore["edit"]["changes"][uri])
    assert silenced == text.replace("    return client", "    # cachelint: ignore[CL001]\n    return client")

    # The editor applies the fix (a full-text change): the finding is gone.
    client.change(uri, 3, [{"text": fixed}])
    assert client.diagnostics(uri, version=3) == []
    assert path.read_text(encoding="utf-8") == CHAT  # the server never writes a file

    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    assert client.diagnostics(uri) == []  # cleared on close
    assert client.close() == 0


def test_unsafe_fixes_are_labelled_and_fix_all_applies_only_safe_ones(client: LspClient, project: Path) -> None:
    client.initialize(project)
    uri = (project / "mixed.py").as_uri()
    client.open(uri, MIXED)
    diagnostics = client.diagnostics(uri)
    assert _codes(diagnostics) == ["CL003", "CL007"]
    by_code = {d["code"]: d for d in diagnostics}

    unsafe = [a for a in _actions(client, uri, by_code["CL003"]["range"]) if a["title"].startswith("CL003: ") and "ignore" not in a["title"]]
    assert len(unsafe) == 1
    assert "unsafe" in unsafe[0]["title"] and not unsafe[0].get("isPreferred")
    marked_last = apply_text_edits(MIXED, unsafe[0]["edit"]["changes"][uri])
    assert "for message in history[-1:]:" in marked_last

    (fix_all,) = _actions(client, uri, by_code["CL003"]["range"], only=["source.fixAll"])
    assert fix_all["kind"] == "source.fixAll.cachelint"
    fixed = apply_text_edits(MIXED, fix_all["edit"]["changes"][uri])
    assert '"ttl": "5m"' in fixed and "for message in history:" in fixed  # the safe fix only

    # The same through the command, as an editor's "fix all" key binding runs it.
    client.request("workspace/executeCommand", {"command": "cachelint.applyAutofix", "arguments": [{"uri": uri}]})
    (apply,) = [r for r in client.server_requests if r["method"] == "workspace/applyEdit"]
    assert apply_text_edits(MIXED, apply["params"]["edit"]["changes"][uri]) == fixed

    client.change(uri, 2, [{"text": fixed}])
    assert _codes(client.diagnostics(uri, version=2)) == ["CL003"]

    # A rule code in a comment: its page, also where another finding (CL100) covers it.
    noted = fixed.replace("    for message", "    # noqa: CL002\n    for message")
    client.change(uri, 3, [{"text": noted}])
    assert "CL100" in _codes(client.diagnostics(uri, version=3))
    row = noted.splitlines().index("    # noqa: CL002")
    hover = client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": row, "character": 14}})
    assert hover["contents"]["value"].startswith("# CL002 dynamic-before-static\n")
    assert client.close() == 0


def test_an_edit_of_an_imported_module_updates_the_open_importer(client: LspClient, project: Path) -> None:
    client.initialize(project)
    assistant = (project / "assistant.py").as_uri()
    prompts = (project / "prompts.py").as_uri()
    client.open(assistant, (project / "assistant.py").read_text(encoding="utf-8"))
    assert _codes(client.diagnostics(assistant)) == ["CL001"]
    on_disk = (project / "prompts.py").read_text(encoding="utf-8")
    client.open(prompts, on_disk)
    assert client.diagnostics(prompts) == []

    # The prompt shrinks below the cacheable minimum in the buffer (not on disk): the
    # importer's finding goes, without the importer being touched.
    client.change(prompts, 2, [{"text": 'SUPPORT_PROMPT = "Answer briefly."\n'}])
    assert client.diagnostics(prompts, version=2) == []
    assert client.diagnostics(assistant) == []
    # Closing the buffer makes the file on disk the truth again.
    client.notify("textDocument/didClose", {"textDocument": {"uri": prompts}})
    assert _codes(client.diagnostics(assistant)) == ["CL001"]
    assert client.close() == 0


def test_fix_all_is_resolved_when_picked_by_a_client_that_resolves_edits(client: LspClient, project: Path) -> None:
    client.initialize(project, resolve=True)
    uri = (project / "mixed.py").as_uri()
    client.open(uri, MIXED)
    diagnostics = client.diagnostics(uri)
    (lazy,) = _actions(client, uri, diagnostics[0]["range"], only=["source.fixAll"])
    assert lazy["kind"] == "source.fixAll.cachelint" and "edit" not in lazy
    resolved = client.request("codeAction/resolve", lazy)
    fixed = apply_text_edits(MIXED, resolved["edit"]["changes"][uri])
    assert '"ttl": "5m"' in fixed and "for message in history:" in fixed  # the safe fix only
    assert client.close() == 0


@pytest.mark.parametrize("encoding", ["utf-8", "utf-32"])
def test_a_client_offering_another_position_encoding_gets_it(client: LspClient, project: Path, encoding: str) -> None:
    result = client.initialize(project, encodings=[encoding, "utf-16"])
    assert result["capabilities"]["positionEncoding"] == encoding
    path = project / "chat.py"
    client.open(path.as_uri(), CHAT)
    (diagnostic,) = client.diagnostics(path.as_uri())
    (expected,) = [d for d in lint_source(CHAT, path) if d.code == "CL001"]
    line = CHAT.splitlines()[expected.location.row - 1]
    assert diagnostic["range"]["start"]["character"] == code_units(line[: expected.location.column - 1], encoding)
    assert text_in_range(CHAT, diagnostic["range"], encoding) == line[expected.location.column - 1 : expected.end_location.column - 1]
    assert client.close() == 0


def test_without_pygls_the_server_says_how_to_install_it_in_one_line(tmp_path: Path) -> None:
    # `None` in sys.modules makes `import pygls` fail as if it were not installed.
    code = "import sys; sys.modules['pygls'] = None; sys.argv = ['cachelint', 'server']; from cachelint.cli import main; main()"
    done = subprocess.run([sys.executable, "-c", code], cwd=str(tmp_path), capture_output=True, text=True, timeout=60,
                          env={**_env(), "PYTHONPATH": str(ROOT)}, stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert "pip install 'pygls>=2,<3'" in lines[0]


def test_a_stdin_that_ends_before_initialize_is_an_error_not_a_silent_pass(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "cachelint", "server"], cwd=str(tmp_path), capture_output=True, text=True,
                          timeout=60, env={**_env(), "PYTHONPATH": str(ROOT)}, stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    assert "cachelint ./server" in done.stderr and "Traceback" not in done.stderr


def _env() -> Dict[str, str]:
    import os

    return dict(os.environ)


def test_a_configuration_error_is_shown_once_and_a_saved_fix_of_it_is_picked_up(client: LspClient, project: Path) -> None:
    pyproject = project / "pyproject.toml"
    good = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(good.replace("[tool.cachelint]", '[tool.cachelint]\nselect = ["CL999"]'), encoding="utf-8")
    client.initialize(project)
    uri = (project / "assistant.py").as_uri()
    client.open(uri, (project / "assistant.py").read_text(encoding="utf-8"))
    assert client.diagnostics(uri) == []
    shown = client.wait_for(lambda m: m.get("method") == "window/showMessage")
    assert shown["params"]["type"] == 1 and "CL999" in shown["params"]["message"]

    pyproject.write_text(good, encoding="utf-8")
    client.notify("textDocument/didSave", {"textDocument": {"uri": pyproject.as_uri()}})
    assert _codes(client.diagnostics(uri)) == ["CL001"]
    assert client.close() == 0


def test_a_fix_that_spans_files_edits_both_in_one_workspace_edit(tmp_path: Path) -> None:
    """CL004's fix removes a root `cache_control` from shared kwargs in `config.py` and marks
    the call's system message in `extract.py`: one code action, both files, as `--fix`."""
    fixture = ROOT / "fixtures" / "rules" / "CL004-litellm-bedrock-kwargs"
    root = tmp_path / "proj"
    shutil.copytree(fixture, root, ignore=shutil.ignore_patterns("fixed"))
    lsp = LspClient(root)
    try:
        lsp.initialize(root)
        extract = root / "extract.py"
        uri = extract.as_uri()
        lsp.open(uri, extract.read_text(encoding="utf-8"))
        (diagnostic,) = lsp.diagnostics(uri)
        assert diagnostic["code"] == "CL004"
        (fix,) = [a for a in _actions(lsp, uri, diagnostic["range"]) if a["title"].startswith("CL004: ") and "ignore" not in a["title"]]
        changes = fix["edit"]["changes"]
        assert set(changes) == {uri, (root / "config.py").as_uri()}
        for name in ("extract.py", "config.py"):
            text = (root / name).read_text(encoding="utf-8")
            assert apply_text_edits(text, changes[(root / name).as_uri()]) == (fixture / "fixed" / name).read_text(encoding="utf-8")
        assert lsp.close() == 0
    finally:
        if lsp.process.poll() is None:
            lsp.process.kill()
            lsp.process.wait()
