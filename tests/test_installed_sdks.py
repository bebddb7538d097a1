"""An installed SDK's own source inside the project tree is the SDK, not the project's code.

A tree can hold installed packages (a `pip install --target` directory, a Lambda bundle,
unpacked wheels: corpus L is eight of them). Every importer reads `anthropic`, `openai` or
`litellm` as the SDK; analysing the SDK's own modules as project code interpreted its
implementation of a request for nothing and took three quarters of corpus L's time. A
package directory counts only with its distribution's metadata beside it: a project's own
`openai/` or `providers/anthropic.py` is still the project's.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cachelint.analysis.installed import InstalledSdks
from cli_runner import cli_runner
from cachelint.cli import main
from project_files import concise_findings, write_project

#: code that would be a CL001 finding anywhere in the project's own code
SENDER = '''\
import anthropic

GUIDE = "Follow the house style guide carefully. " * 300
client = anthropic.Anthropic()


def ask(question):
    return client.messages.create(model="claude-sonnet-4-5", max_tokens=100, system=GUIDE,
                                  messages=[{"role": "user", "content": question}])
'''


def _installed(project: Path, where: str, package: str, metadata: str) -> None:
    """A project root `project` with `where/package/__init__.py` and `where/package/proxy.py`
    (the sender), and an empty metadata directory `metadata` beside the package (none when
    empty)."""
    write_project(project, {f"{where}/{package}/__init__.py": "", f"{where}/{package}/proxy.py": SENDER})
    if metadata:
        (project / where / metadata).mkdir(parents=True)


def test_an_installed_sdk_s_modules_are_not_linted_as_the_project_s(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _installed(tmp_path, "vendor", "litellm", "litellm-1.80.0.dist-info")
    write_project(tmp_path, {"app.py": SENDER})
    monkeypatch.chdir(tmp_path)
    result = cli_runner().invoke(main, ["--no-cache", "--verbose", "--select", "CL001", "--output-format", "concise", "."])
    assert "app.py:8:85: CL001" in result.stdout  # the project's own code is linted
    assert "proxy.py" not in result.stdout
    assert "1 installed SDK sources skipped" in result.stderr


def test_without_its_metadata_a_package_named_like_an_sdk_is_project_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _installed(tmp_path, "vendor", "litellm", "")
    monkeypatch.chdir(tmp_path)
    assert "proxy.py:8:85: CL001" in concise_findings(tmp_path, ["CL001"])


def test_another_distribution_s_metadata_does_not_make_it_an_sdk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _installed(tmp_path, "vendor", "litellm", "litellm_helpers-0.3.dist-info")
    monkeypatch.chdir(tmp_path)
    assert "proxy.py:8:85: CL001" in concise_findings(tmp_path, ["CL001"])


def test_a_file_named_on_the_command_line_is_linted_even_inside_an_sdk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _installed(tmp_path, "vendor", "litellm", "litellm-1.80.0.dist-info")
    monkeypatch.chdir(tmp_path)
    assert "proxy.py:8:85: CL001" in concise_findings(tmp_path / "vendor" / "litellm" / "proxy.py", ["CL001"])


def test_the_project_s_calls_of_an_installed_sdk_are_still_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the SDK installed at the project root, where `import anthropic` could resolve to it
    _installed(tmp_path, ".", "anthropic", "anthropic-0.70.0.dist-info")
    write_project(tmp_path, {"anthropic/__init__.py": "class Anthropic:\n    pass\n", "app.py": SENDER})
    monkeypatch.chdir(tmp_path)
    findings = concise_findings(tmp_path, ["CL001"])
    assert "app.py:8:85: CL001" in findings
    assert "proxy.py" not in findings


@pytest.mark.parametrize(("package", "metadata", "expected"), [
    ("openai", "openai-3.54.0.dist-info", True),
    ("openai", "OpenAI-1.0.egg-info", True),  # an egg's metadata; names compare case-blind
    (os.path.join("google", "genai"), "google_genai-1.2.0.dist-info", True),
    ("genai", "google_genai-1.2.0.dist-info", False),  # not where that distribution puts it
    ("openai", "openai_agents-0.1.dist-info", False),
    ("providers", "openai-3.54.0.dist-info", False),
])
def test_which_directories_are_installed_sdks(tmp_path: Path, package: str, metadata: str, expected: bool) -> None:
    (tmp_path / package / "types").mkdir(parents=True)
    (tmp_path / metadata).mkdir()
    installed = InstalledSdks(str(tmp_path))
    assert installed.holds(str(tmp_path / package / "types" / "chat.py")) is expected
    assert installed.holds(str(tmp_path / "app.py")) is False


def test_nothing_outside_the_root_is_an_installed_sdk(tmp_path: Path) -> None:
    (tmp_path / "openai").mkdir()
    (tmp_path / "openai-3.54.0.dist-info").mkdir()
    (tmp_path / "project").mkdir()
    # the root is inside the SDK's install directory, not the other way round
    assert InstalledSdks(str(tmp_path / "project")).holds(str(tmp_path / "openai" / "x.py")) is False
