"""Jupyter notebooks: their code cells linted as one module, reported per cell, fixed in place.

Findings come from CL007 (an invalid `cache_control` value), which needs no SDK call, so
each notebook is small. What is compared with the real ruff (skipped without it): which
cells count as code, how IPython escape commands are skipped, and the `cell N:row:col`
each line maps to, using ruff's F401 on `import` lines placed where CL007 findings are.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from click.testing import Result

from cachelint.cli import main
from cachelint.notebook import Notebook, NotebookError
from cli_runner import cli_runner as _runner

BAD_TYPE = 'X = {"cache_control": {"type": "persistent"}}'
BAD_TTL = 'Y = {"cache_control": {"type": "ephemeral", "ttl": "3m"}}'


def code(source: Any, **extra: Any) -> Dict[str, Any]:
    cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}
    cell.update(extra)
    return cell


def markdown(source: Any) -> Dict[str, Any]:
    return {"cell_type": "markdown", "metadata": {}, "source": source}


def notebook(*cells: Dict[str, Any], language: Optional[str] = "python", minor: int = 4) -> Dict[str, Any]:
    metadata: Dict[str, Any] = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}
    if language is not None:
        metadata["language_info"] = {"name": language}
    return {"cells": list(cells), "metadata": metadata, "nbformat": 4, "nbformat_minor": minor}


def jupyter_text(data: Dict[str, Any]) -> str:
    """What Jupyter writes: one-space indent, keys sorted, UTF-8, a final line break."""
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


#: Two cells with a finding each, an output, metadata, magics and a markdown cell.
DEMO = notebook(
    markdown(["# Support bot\n", "Notes about the prompt ünïcode.\n"]),
    code(
        ["%pip install anthropic\n", "import anthropic\n", BAD_TYPE],
        execution_count=3,
        metadata={"tags": ["setup"]},
        outputs=[{"name": "stdout", "output_type": "stream", "text": ["Successfully installed\n"]}],
    ),
    code(["!ls prompts\n", "files = !ls\n", BAD_TTL + "\n"]),
)



@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "pyproject.toml").write_text("[tool.cachelint]\n", encoding="utf-8")
    (root / "demo.ipynb").write_text(jupyter_text(DEMO), encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def cli(*args: str, input: Optional[bytes] = None) -> Result:
    result = _runner().invoke(main, ["--no-cache", "--select", "CL007", *args], input=input, catch_exceptions=False)
    assert "Traceback" not in result.stderr
    return result


# --- reporting ---------------------------------------------------------------------------------
def test_json_reports_the_cell_and_rows_within_it(project: Path) -> None:
    result = cli("--output-format", "json", "demo.ipynb")
    assert result.exit_code == 1
    found = json.loads(result.stdout)
    assert [(d["cell"], d["location"], d["end_location"], d["noqa_row"]) for d in found] == [
        (2, {"row": 3, "column": 32}, {"row": 3, "column": 44}, 3),
        (3, {"row": 3, "column": 52}, {"row": 3, "column": 56}, 3),
    ]
    edit = found[1]["fix"]["edits"][0]  # an edit's rows are counted in its cell too
    assert edit["location"]["row"] == edit["end_location"]["row"] == 3
    plain = project / "plain.py"
    plain.write_text(BAD_TYPE + "\n", encoding="utf-8")
    assert json.loads(cli("--output-format", "json", "plain.py").stdout)[0]["cell"] is None


def test_concise_and_full_name_the_cell_as_ruff_does(project: Path) -> None:
    concise = cli("--output-format", "concise", "demo.ipynb").stdout.splitlines()
    assert [line.split(": CL007")[0] for line in concise] == ["demo.ipynb:cell 2:3:32", "demo.ipynb:cell 3:3:52"]
    full = cli("demo.ipynb").stdout
    # The snippet is the cell as the user sees it: its own rows, its magics as written.
    assert (
        " --> demo.ipynb:cell 3:3:52\n"
        "  |\n"
        "1 | !ls prompts\n"
        "2 | files = !ls\n"
        '3 | Y = {"cache_control": {"type": "ephemeral", "ttl": "3m"}}\n'
        "  |                                                    ^^^^\n"
    ) in full
    assert "__cachelint_magic" not in full


def test_machine_formats_point_at_the_file_and_say_the_cell(project: Path) -> None:
    github = cli("--output-format", "github", "demo.ipynb").stdout
    assert ",line=1,endLine=1::demo.ipynb:cell 2:3:32: CL007 " in github
    gitlab = json.loads(cli("--output-format", "gitlab", "demo.ipynb").stdout)
    assert gitlab[0]["location"]["lines"] == {"begin": 1, "end": 1}
    assert gitlab[0]["description"].endswith("(cell 2, line 3)")
    sarif = json.loads(cli("--output-format", "sarif", "demo.ipynb").stdout)
    result = sarif["runs"][0]["results"][0]
    assert result["properties"]["cell"] == 2 and "fixes" not in result
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 1, "startColumn": 1}


def test_escape_commands_and_other_cells_are_skipped(project: Path) -> None:
    data = notebook(
        code(["%%bash\n", BAD_TYPE + "\n"]),  # a shell cell: not Python
        code(["pip install anthropic\n"]),  # an automagic cell
        code(["%%time\n", BAD_TYPE + "\n"]),  # timed Python: linted
        code([BAD_TYPE], metadata={"vscode": {"languageId": "sql"}}),  # another language
        {"cell_type": "raw", "metadata": {}, "source": [BAD_TYPE]},
        markdown([BAD_TYPE]),
        code(["def f():\n", "    %time g()\n", "    x = !ls \\\n", "        -la\n", "    return x?\n", BAD_TTL]),
        code(['PROMPT = """\n', "!important: this line is text, not a shell command\n", '"""\n', BAD_TYPE]),
    )
    (project / "magic.ipynb").write_text(jupyter_text(data), encoding="utf-8")
    found = json.loads(cli("--output-format", "json", "magic.ipynb").stdout)
    assert [(d["cell"], d["location"]["row"]) for d in found] == [(3, 2), (7, 6), (8, 4)]
    assert all(d["code"] == "CL007" for d in found)


def test_a_non_python_notebook_has_nothing_to_lint(project: Path) -> None:
    (project / "r.ipynb").write_text(jupyter_text(notebook(code([BAD_TYPE]), language="R")), encoding="utf-8")
    result = cli("--output-format", "concise", "r.ipynb")
    assert result.exit_code == 0 and result.stdout == ""


@pytest.mark.parametrize(
    "text, message",
    [
        ('{"cells": [', "Expected a Jupyter Notebook, which must be internally stored as JSON, but this file isn't valid JSON"),
        ('{"cells": [], "metadata": {}, "nbformat": 3, "nbformat_minor": 0}', "Expected Jupyter Notebook format 4, found: 3"),
        ("[]", "This file does not match the schema expected of Jupyter Notebooks"),
        ('{"cells": [{"cell_type": "code", "source": 5}], "nbformat": 4}', "the `source` of cell 1"),
    ],
)
def test_a_broken_notebook_is_one_cl000_line_and_the_run_goes_on(project: Path, text: str, message: str) -> None:
    (project / "broken.ipynb").write_text(text, encoding="utf-8")
    result = _runner().invoke(main, ["--no-cache", "--output-format", "concise", "."], catch_exceptions=False)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    broken = [line for line in lines if line.startswith("broken.ipynb:")]
    assert len(broken) == 1 and " CL000 " in broken[0] and message in broken[0]
    assert any(line.startswith("demo.ipynb:cell 2:3:32: CL007") for line in lines)


def test_a_syntax_error_is_reported_in_its_cell(project: Path) -> None:
    (project / "syntax.ipynb").write_text(jupyter_text(notebook(code(["x = 1\n"]), code(["def f(:\n", "    pass"]))))
    result = _runner().invoke(main, ["--no-cache", "--output-format", "concise", "syntax.ipynb"])
    assert result.stdout.startswith("syntax.ipynb:cell 2:1:")
    assert " CL000 " in result.stdout and "syntax error" in result.stdout


# --- discovery ---------------------------------------------------------------------------------
def test_notebooks_are_discovered_by_default_and_checkpoints_are_not(project: Path) -> None:
    (project / ".ipynb_checkpoints").mkdir()
    (project / ".ipynb_checkpoints" / "demo-checkpoint.ipynb").write_text(jupyter_text(DEMO), encoding="utf-8")
    (project / "upper.IPYNB").write_text(jupyter_text(DEMO), encoding="utf-8")  # ruff: lower case only
    listed = _runner().invoke(main, ["--show-files"]).stdout.splitlines()
    assert listed == ["demo.ipynb"]
    opted_out = _runner().invoke(main, ["--show-files", "--extend-exclude", "*.ipynb"]).stdout
    assert opted_out == ""


# --- fixing ------------------------------------------------------------------------------------
def test_fix_rewrites_only_the_changed_lines_and_a_second_fix_changes_nothing(project: Path) -> None:
    path = project / "demo.ipynb"
    before = path.read_text(encoding="utf-8")
    result = cli("--fix", "demo.ipynb")
    assert result.exit_code == 0, result.stderr
    assert "Found 2 errors (2 fixed, 0 remaining)." in result.stderr
    after = path.read_text(encoding="utf-8")
    expected = before.replace('\\"persistent\\"', '\\"ephemeral\\"').replace('\\"3m\\"', '\\"5m\\"')
    assert after == expected  # outputs, metadata, key order, indentation, ü: all as they were
    again = cli("--fix", "demo.ipynb")
    assert again.exit_code == 0 and path.read_text(encoding="utf-8") == after
    assert "All checks passed!" in again.stderr


@pytest.mark.parametrize(
    "dump",
    [
        lambda d: json.dumps(d, indent=2) + "\n",  # VS Code style, \u escapes
        lambda d: json.dumps(d, indent=1, ensure_ascii=False),  # no final line break
        lambda d: json.dumps(d, separators=(",", ":")),  # one line
        lambda d: json.dumps(d, indent="\t", ensure_ascii=False).replace("\n", "\r\n") + "\r\n",
    ],
)
def test_fix_keeps_any_json_layout(project: Path, dump: Any) -> None:
    data = notebook(
        code(BAD_TYPE + "\nprint('ünï')\n", id="a1"),  # source as one string
        code([], id="a2"),
        code(["x = 1\n", BAD_TTL], id="a3", outputs=[{"output_type": "execute_result", "data": {"text/plain": ["1"]}, "execution_count": 1, "metadata": {}}]),
        minor=5,
    )
    path = project / "layout.ipynb"
    raw = dump(data)
    path.write_bytes(raw.encode("utf-8"))
    assert cli("--fix", "layout.ipynb").exit_code == 0
    fixed = path.read_bytes().decode("utf-8")
    expected = raw.replace('\\"persistent\\"', '\\"ephemeral\\"').replace('\\"3m\\"', '\\"5m\\"')
    assert fixed == expected
    cells = json.loads(fixed)["cells"]
    assert isinstance(cells[0]["source"], str) and cells[0]["id"] == "a1"


def test_add_ignore_with_a_reason_lands_in_the_right_cells(project: Path) -> None:
    result = cli("--add-ignore=legacy notebook", "demo.ipynb")
    assert result.exit_code == 0 and "Added 2 ignore comments." in result.stderr
    cells = json.loads((project / "demo.ipynb").read_text(encoding="utf-8"))["cells"]
    assert cells[1]["source"] == [
        "%pip install anthropic\n",
        "import anthropic\n",
        "# cachelint: ignore[CL007] legacy notebook\n",
        BAD_TYPE,
    ]
    assert cells[2]["source"][2] == "# cachelint: ignore[CL007] legacy notebook\n"
    clean = _runner().invoke(main, ["--no-cache", "--select", "CL007,CL100", "demo.ipynb"])
    assert clean.exit_code == 0, clean.stdout


def test_diff_shows_each_changed_cell(project: Path) -> None:
    result = cli("--diff", "demo.ipynb")
    assert result.exit_code == 1
    assert result.stdout == (
        "--- a/demo.ipynb:cell 2\n"
        "+++ b/demo.ipynb:cell 2\n"
        "@@ -1,3 +1,3 @@\n"
        " %pip install anthropic\n"
        " import anthropic\n"
        f"-{BAD_TYPE}\n"
        f"+{BAD_TYPE.replace('persistent', 'ephemeral')}\n"
        "--- a/demo.ipynb:cell 3\n"
        "+++ b/demo.ipynb:cell 3\n"
        "@@ -1,3 +1,3 @@\n"
        " !ls prompts\n"
        " files = !ls\n"
        f"-{BAD_TTL}\n"
        f"+{BAD_TTL.replace('3m', '5m')}\n"
    )


def test_stdin_fix_writes_the_fixed_notebook(project: Path) -> None:
    raw = (project / "demo.ipynb").read_bytes()
    result = cli("--fix", "--stdin-filename", "demo.ipynb", input=raw)
    assert result.exit_code == 0
    fixed = json.loads(result.stdout_bytes.decode("utf-8"))
    assert fixed["cells"][1]["source"][2] == BAD_TYPE.replace("persistent", "ephemeral")
    assert fixed["cells"][1]["outputs"] == DEMO["cells"][1]["outputs"]


# --- the module behind it ----------------------------------------------------------------------------
def test_an_edit_across_a_cell_boundary_or_an_escape_command_is_refused() -> None:
    nb = Notebook(jupyter_text(notebook(code(["%pip install x\n", "a = 1"]), code(["b = 2"]))))
    assert nb.text == "__cachelint_magic_1__\na = 1\nb = 2\n"
    assert nb.split("__cachelint_magic_1__\na = 1\n# note\nb = 2\n") == ["__cachelint_magic_1__\na = 1", "# note\nb = 2"]
    assert nb.split("__cachelint_magic_1__\nimport os\na = 1\nb = 2\n") == ["__cachelint_magic_1__\nimport os\na = 1", "b = 2"]
    assert nb.split("__cachelint_magic_1__\na = 1; b = 2\n") is None  # two cells' lines merged
    with pytest.raises(NotebookError, match="escape command"):
        nb.render("__cachelint_magic_2__\na = 1\nb = 2\n")
    with pytest.raises(NotebookError, match="cell boundary"):
        nb.render("__cachelint_magic_1__\na = 1; b = 2\n")
    assert json.loads(nb.render("__cachelint_magic_1__\na = 3\nb = 2\n"))["cells"][0]["source"] == ["%pip install x\n", "a = 3"]


# --- against the real ruff -------------------------------------------------------------------------------
def _find_ruff() -> Optional[str]:
    for candidate in (str(Path(sys.executable).parent / "ruff"), shutil.which("ruff"), "/work/venv/bin/ruff"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


RUFF = _find_ruff()


@pytest.mark.skipif(RUFF is None, reason="ruff is not installed")
def test_cells_rows_and_skipped_cells_match_ruff(tmp_path: Path) -> None:
    """The same notebook with `import mN` where CL007 findings would be: ruff's F401
    cell:row:column and cachelint's mapping of the same lines agree."""
    cells: List[Dict[str, Any]] = [
        markdown(["import m1\n"]),
        code(["%pip install x\n", "import m2\n", "x = 1"]),
        code(["%%bash\n", "import m3\n"]),
        code(["%%time\n", "import m4\n"]),
        code(["pip install y\n"]),
        code(["!ls\n", "y = !ls\n", "os?\n", "import m6\n"]),
        code([]),
        code(["def f():\n", "    import m8\n", "    return 1\n"], metadata={"vscode": {"languageId": "python"}}),
        code(["import m9"], metadata={"vscode": {"languageId": "sql"}}),
        code(["%time z = 1\n", "import m10"]),
    ]
    path = tmp_path / "map.ipynb"
    path.write_text(jupyter_text(notebook(*cells)), encoding="utf-8")
    done = subprocess.run(
        [RUFF, "check", "--isolated", "--no-cache", "--select", "F401", "--output-format", "json", str(path)],
        capture_output=True, text=True, timeout=60,
    )
    theirs = sorted((d["cell"], d["location"]["row"], d["location"]["column"]) for d in json.loads(done.stdout))
    nb = Notebook(path.read_text(encoding="utf-8"))
    ours = []
    for row, line in enumerate(nb.text.split("\n"), start=1):
        if line.strip().startswith("import m"):
            cell = nb.cell_at(row)
            assert cell is not None
            ours.append((cell.number, row - cell.first_row + 1, line.index(" m") + 2))
    assert sorted(ours) == theirs
    assert [c for c, _, _ in theirs] == [2, 4, 6, 8, 10]


def test_a_request_sent_from_another_cell_is_named_by_cell_and_line(project: Path) -> None:
    """The helper that sends sits in cell 2, the call that hands it the prompt in cell 3:
    the finding in cell 3 names the SDK call as the notebook's user counts it (line 7 of
    cell 2, not row 10 of the module the cells make)."""
    helper = code([
        "import anthropic\n", "\n", "client = anthropic.Anthropic()\n", "\n", "\n",
        "def ask(system, question):\n",
        "    return client.messages.create(model=\"claude-sonnet-4-5\", max_tokens=100, system=system,\n",
        "                                  messages=[{\"role\": \"user\", \"content\": question}])\n",
    ])
    caller = code([
        "POLICY = \"You are the support assistant of Example Corp. Cite the policy. \" * 400\n",
        "\n", "\n", "def answer(question):\n", "    return ask(POLICY, question)\n",
    ])
    setup = code(["import os\n", "\n", "TOPIC = os.environ.get(\"TOPIC\", \"routers\")\n"])
    (project / "chat.ipynb").write_text(jupyter_text(notebook(setup, helper, caller)), encoding="utf-8")
    result = _runner().invoke(main, ["--no-cache", "--select", "CL001", "--output-format", "json", "chat.ipynb"],
                              catch_exceptions=False)
    found = json.loads(result.stdout)
    assert [(d["cell"], d["location"]["row"]) for d in found] == [(3, 5)], found
    assert found[0]["message"].endswith("(request sent at cell 2, line 7)")
