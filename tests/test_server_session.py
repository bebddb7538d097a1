"""The language server's linting core (`cachelint.server.session`), without the protocol:
what stays warm between edits, what is invalidated, and that a warm answer is the answer
a fresh process gives."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cachelint import lint_source
from cachelint.server.session import LintSession, encode_buffer, line_changes

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "fixtures" / "example-project"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    shutil.copytree(EXAMPLE, root)
    return root


def _codes(outcome) -> list:
    return sorted(d.code for d in outcome.diagnostics)


def test_an_edit_reparses_the_buffer_only_and_answers_as_a_fresh_run(project: Path) -> None:
    session = LintSession(project)
    path = str(project / "assistant.py")
    text = (project / "assistant.py").read_text(encoding="utf-8")
    first = session.lint(path, text)
    assert _codes(first) == ["CL001"]
    assert str(project / "prompts.py") in first.parsed  # the imported prompt module, once
    assert str(project / "prompts.py") in first.deps

    edited = text.replace("max_tokens=1024", "max_tokens=2048")
    second = session.lint(path, edited)
    assert second.parsed == (path,)  # prompts.py is not read or parsed again
    fresh = lint_source(edited, path)
    assert [(d.code, d.location, d.message) for d in second.diagnostics] == [(d.code, d.location, d.message) for d in fresh]


def test_an_open_imported_buffer_is_what_the_importer_sees_until_it_is_closed(project: Path) -> None:
    session = LintSession(project)
    assistant = str(project / "assistant.py")
    prompts = str(project / "prompts.py")
    text = (project / "assistant.py").read_text(encoding="utf-8")
    assert _codes(session.lint(assistant, text)) == ["CL001"]
    opened = session.lint(prompts, (project / "prompts.py").read_text(encoding="utf-8"))
    assert not opened.changed  # the same text as on disk: importers need no new lint
    shrunk = session.lint(prompts, 'SUPPORT_PROMPT = "Answer briefly."\n')
    assert shrunk.changed
    assert _codes(session.lint(assistant, text)) == []
    session.close(prompts)
    assert _codes(session.lint(assistant, text)) == ["CL001"]


def test_a_subclass_added_in_a_buffer_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The subclass search reads a byte index of `class X(Base)` headers, built once per
    project; an edit must update it, or a long-lived server would never see a new subclass
    (here: the one that picks the client, so the inherited call is analysed once more)."""
    root = tmp_path / "app"
    root.mkdir()
    (root / "pyproject.toml").write_text("[tool.cachelint]\n", encoding="utf-8")
    (root / "prompts.py").write_text('PROMPT = """' + "Static rules of the house. " * 600 + '"""\n', encoding="utf-8")
    base_text = (
        "import anthropic\n\nfrom prompts import PROMPT\n\n\nclass Base:\n"
        "    def client(self):\n        raise NotImplementedError\n\n"
        "    def ask(self, q):\n        return self.client().messages.create(model=\"claude-sonnet-4-5\", max_tokens=64,\n"
        "            system=PROMPT, messages=[{\"role\": \"user\", \"content\": q}])\n"
    )
    (root / "base.py").write_text(base_text, encoding="utf-8")
    (root / "impl.py").write_text("from base import Base\n", encoding="utf-8")
    monkeypatch.chdir(root)
    base = str(root / "base.py")
    session = LintSession(root)
    before = session.lint(base, base_text)
    assert [(d.code, d.location) for d in before.diagnostics] == [(d.code, d.location) for d in lint_source(base_text, base)]

    sub = "import anthropic\n\nfrom base import Base\n\n\nclass Impl(Base):\n    def client(self):\n        return anthropic.Anthropic()\n"
    session.lint(str(root / "impl.py"), sub)  # typed in the editor, not saved
    after = session.lint(base, base_text)
    (root / "impl.py").write_text(sub, encoding="utf-8")  # what a fresh run must then see
    fresh = lint_source(base_text, base)
    assert len(fresh) > len(before.diagnostics)  # the subclass matters to the answer
    assert [(d.code, d.location, d.message) for d in after.diagnostics] == [(d.code, d.location, d.message) for d in fresh]


def test_fix_all_changes_the_buffer_only_and_leaves_the_engine_on_the_buffer_text(project: Path) -> None:
    session = LintSession(project)
    path = str(project / "cache_settings.py")
    on_disk = (project / "cache_settings.py").read_text(encoding="utf-8")
    # "3m" in the buffer: its fix ("5m") is safe ("10m" on disk would become an unsafe "1h")
    text = on_disk.replace('"ttl": "10m"}', '"ttl": "3m"}')
    outcome = session.lint(path, text)
    assert _codes(outcome) == ["CL007"]
    action = session.fix_all(outcome)
    assert action is not None and action.kind == "source.fixAll"
    assert session.fix_all(outcome) is action  # remembered: asked for at every cursor move
    (changes,) = action.changes.values()
    fixed = text
    for start, end, content in sorted(changes, reverse=True):
        fixed = fixed[:start] + content + fixed[end:]
    assert fixed == text.replace('"ttl": "3m"}', '"ttl": "5m"}')
    assert (project / "cache_settings.py").read_text(encoding="utf-8") == on_disk
    assert _codes(session.lint(path, text)) == ["CL007"]  # the engine reads the buffer again


def test_line_changes_rebuild_the_new_text() -> None:
    old = "a\nb\nc\r\nd"
    for new in ("a\nB\nc\r\nd", "x\na\nb\nc\r\nd\ny", "", "a\nb\n", old):
        text = old
        for start, end, content in sorted(line_changes(old, new), reverse=True):
            text = text[:start] + content + text[end:]
        assert text == new


def test_a_buffer_with_a_coding_line_is_encoded_as_it_says() -> None:
    text = "# -*- coding: latin-1 -*-\nNAME = 'café'\n"
    assert encode_buffer(text) == text.encode("latin-1")
    assert encode_buffer("x = 'café'\n") == "x = 'café'\n".encode("utf-8")


def test_a_cancelled_lint_returns_nothing_and_the_next_one_is_whole(project: Path) -> None:
    """The server cancels a lint whose buffer changed again; the analysis stops at its next
    step, and what it left behind (the buffer's override, half-built memos) must not change
    the next answer."""
    session = LintSession(project)
    path = str(project / "assistant.py")
    text = (project / "assistant.py").read_text(encoding="utf-8")
    session.cancel.set()
    cancelled = session.lint(path, text)
    assert cancelled.cancelled and cancelled.diagnostics == []
    session.cancel.clear()
    again = session.lint(path, text)
    assert not again.cancelled
    assert [(d.code, d.location, d.message) for d in again.diagnostics] == [
        (d.code, d.location, d.message) for d in lint_source(text, path)
    ]
    session.cancel.set()
    assert session.fix_all(again) is None  # cancelled too; the buffer is linted as before
    session.cancel.clear()
    assert _codes(session.lint(path, text)) == ["CL001"]


def test_an_excluded_buffer_gets_no_findings_but_its_importers_read_it(project: Path) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8").replace(
        "[tool.cachelint]", '[tool.cachelint]\nextend-exclude = ["prompts.py", "vendored"]'), encoding="utf-8")
    (project / "vendored").mkdir()
    (project / "vendored" / "assistant.py").write_text((project / "assistant.py").read_text(encoding="utf-8"), encoding="utf-8")
    session = LintSession(project)
    vendored = session.lint(str(project / "vendored" / "assistant.py"), (project / "assistant.py").read_text(encoding="utf-8"))
    assert vendored.skipped == "excluded by the configuration" and vendored.diagnostics == []
    prompts = session.lint(str(project / "prompts.py"), 'SUPPORT_PROMPT = "Answer briefly."\n')
    assert prompts.skipped and prompts.changed
    assistant = session.lint(str(project / "assistant.py"), (project / "assistant.py").read_text(encoding="utf-8"))
    assert _codes(assistant) == []  # the short prompt of the excluded buffer, not the disk's
