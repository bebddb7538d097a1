"""cachelint's output next to the real ruff's, on the same findings.

Ruff is run (locally, no network) on small files in a temporary directory; its JSON
findings are turned into cachelint `Diagnostic`s and rendered by cachelint, and the two
outputs are compared: the JSON field set and nesting, the `full` snippets, the github
lines and the `--statistics` table. Skipped when ruff is not installed (it is in the
`bench` extra).

What is deliberately different is left out of the comparison: ruff's fix diff under
`help:` in `full` output (cachelint prints the help line only), and ruff's unescaped
github properties (cachelint escapes them; see test_output_formats.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import pytest

from cachelint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location
from cachelint.output import OutputContext, render
from cachelint.output.summary import statistics


def _find_ruff() -> Optional[str]:
    beside_python = Path(sys.executable).parent / "ruff"
    for candidate in (str(beside_python), shutil.which("ruff"), "/work/venv/bin/ruff"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


RUFF = _find_ruff()
pytestmark = pytest.mark.skipif(RUFF is None, reason="ruff is not installed")

SAMPLES = {
    "sample.py": (
        "import os\nimport sys\n\ndef f(x):\n    if x == None:\n        return 1\n"
        '    y = (\n        1 )\n    l = 1\n    return x\n\nprint(f"hi")\n'
    ),
    "ml.py": (
        "def f(x):\n    a = 1\n    b = 2\n    if (x ==\n            True):\n        return 1\n"
        "    c = 3\n    return a\n"
    ),
    "snip.py": (
        "import os\n\n\nf = lambda: (\n    1)\n\n\ndef g():\n    h = lambda: (\n        2)\n"
        '    return h\n\ndef k():\n\tprint(f"x")\n\n\nprint("中文", f"ab")\n'
    ),
    "w.py": "x = 1\ny = 2",
    "part.py": (
        'def f():\n    with open("x") as fh:\n        pass\n    y = 1\n    try:\n        pass\n'
        '    except Exception as e:\n        pass\n    print(f"a")\n    print(f"b")\n'
    ),
}
SELECT = "F401,E711,E712,E731,E741,F541,F841,W191,W292"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    for name, text in SAMPLES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def ruff(workdir: Path, fmt: str, *files: str, extra: Sequence[str] = ()) -> str:
    assert RUFF is not None
    cmd = [
        RUFF,
        "check",
        "--isolated",
        "--no-cache",
        "--select",
        SELECT,
        "--output-format",
        fmt,
        *extra,
        *files,
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUFF_")}
    done = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode in (0, 1), done.stderr
    return done.stdout


def as_diagnostics(data: List[Dict[str, Any]]) -> List[Diagnostic]:
    """ruff's JSON findings as cachelint diagnostics (fixes included, offsets unused)."""
    out = []
    for item in data:
        fix = None
        if item["fix"] is not None:
            edits = tuple(
                Edit(
                    item["filename"],
                    0,
                    0,
                    e["content"],
                    Location(**e["location"]),
                    Location(**e["end_location"]),
                )
                for e in item["fix"]["edits"]
            )
            fix = Fix(Applicability(item["fix"]["applicability"]), item["fix"]["message"], edits)
        out.append(
            Diagnostic(
                code=item["code"],
                name=item["name"],
                message=item["message"],
                path=item["filename"],
                location=Location(**item["location"]),
                end_location=Location(**item["end_location"]),
                fix=fix,
                fix_title=item["fix"]["message"] if item["fix"] else None,
                noqa_row=item["noqa_row"],
                url=item["url"],
                cell=item["cell"],
            )
        )
    return out


def context(workdir: Path, color: bool = False) -> OutputContext:
    return OutputContext(
        cwd=workdir, project_root=workdir, read_text=lambda p: Path(p).read_text(encoding="utf-8"), color=color
    )


def shape(value: Any) -> Any:
    """Keys and nesting of a JSON value, with scalars reduced to their type."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


def test_json_objects_have_exactly_ruffs_fields_and_nesting(workdir: Path) -> None:
    theirs = json.loads(ruff(workdir, "json", "sample.py"))
    ours = json.loads(render("json", as_diagnostics(theirs), context(workdir)))
    with_fix = next(i for i, d in enumerate(theirs) if d["fix"] is not None)
    without_fix = next(i for i, d in enumerate(theirs) if d["fix"] is None)
    for index in (with_fix, without_fix):
        assert shape(ours[index]) == shape(theirs[index])
        assert list(ours[index]) == list(theirs[index])  # same (sorted) key order
    # The values round-trip too: nothing is renamed or reshaped on the way.
    assert ours == theirs


def _without_fix_diffs(text: str) -> str:
    """ruff's full output up to each finding's `help:` line (its diff and notes dropped)."""
    blocks = []
    for block in text.split("\n\n"):
        lines = block.split("\n")
        cut = next((i for i, line in enumerate(lines) if line.startswith(("help:", HELP_COLORED))), len(lines) - 1)
        blocks.append("\n".join(lines[: cut + 1]))
    return "\n\n".join(blocks)


HELP_COLORED = "\x1b[1m\x1b[96mhelp\x1b[0m"


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_full_snippets_are_ruffs(workdir: Path, name: str) -> None:
    data = json.loads(ruff(workdir, "json", name))
    assert data, f"ruff found nothing in {name}"
    theirs = ruff(workdir, "full", name).split("\nFound ")[0]
    ours = render("full", as_diagnostics(data), context(workdir))
    assert ours.rstrip("\n") == _without_fix_diffs(theirs).rstrip("\n")


def test_github_lines_are_ruffs_apart_from_the_tool_name(workdir: Path) -> None:
    files = ["ml.py", "sample.py"]
    data = json.loads(ruff(workdir, "json", *files))
    theirs = ruff(workdir, "github", *files)
    ours = render("github", as_diagnostics(data), context(workdir))
    assert ",endLine=5::ml.py:4:9:" in theirs  # a multi-line range, columns dropped
    assert ours.replace("::error title=cachelint (", "::error title=ruff (") == theirs


def test_statistics_table_is_ruffs(workdir: Path) -> None:
    # Distinct counts per code (ruff orders ties its own way): F541 3, F841 2 (one fix
    # safe, one unsafe: partly fixable), W292 1.
    (workdir / "stats.py").write_text(
        'print(f"a")\nprint(f"b")\nprint(f"c")\ndef g():\n    y = 1\n    try:\n        pass\n'
        "    except Exception as e:\n        pass\nz = 1",
        encoding="utf-8",
    )
    data = json.loads(ruff(workdir, "json", "stats.py"))
    theirs = ruff(workdir, "concise", "stats.py", extra=["--statistics"]).split("\nFound ")[0]
    assert statistics(as_diagnostics(data), unsafe_fixes=False) == theirs.rstrip("\n")
    assert "[-]" in theirs


# --- colours (`--color always`) and notebooks ------------------------------------------------------
@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_full_colours_are_ruffs(workdir: Path, name: str) -> None:
    data = json.loads(ruff(workdir, "json", name))
    theirs = ruff(workdir, "full", name, extra=["--color", "always"]).split("\nFound ")[0]
    ours = render("full", as_diagnostics(data), context(workdir, color=True))
    assert "\x1b[1m\x1b[94m" in ours
    assert ours.rstrip("\n") == _without_fix_diffs(theirs).rstrip("\n")


def test_concise_colours_are_ruffs(workdir: Path) -> None:
    files = ["sample.py", "snip.py"]
    data = json.loads(ruff(workdir, "json", *files))
    theirs = ruff(workdir, "concise", *files, extra=["--color", "always"]).split("\nFound ")[0]
    ours = render("concise", as_diagnostics(data), context(workdir, color=True))
    assert "[\x1b[36m*\x1b[0m]" in ours
    assert ours.rstrip("\n") == theirs.rstrip("\n")


def test_statistics_colours_are_ruffs(workdir: Path) -> None:
    (workdir / "stats.py").write_text(  # distinct counts per code: ruff orders ties its own way
        'print(f"a")\nprint(f"b")\nprint(f"c")\ndef g():\n    y = 1\n    try:\n        pass\n'
        "    except Exception as e:\n        pass\nz = 1",
        encoding="utf-8",
    )
    data = json.loads(ruff(workdir, "json", "stats.py"))
    theirs = ruff(workdir, "concise", "stats.py", extra=["--statistics", "--color", "always"]).split("\nFound ")[0]
    assert "\x1b[1;31mF541" in theirs
    assert statistics(as_diagnostics(data), unsafe_fixes=False, color=True) == theirs.rstrip("\n")


def test_notebook_cells_are_shown_as_ruff_shows_them(workdir: Path) -> None:
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# x\n"]},
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
         "source": ["%pip install x\n", "import os\n", "import sys\n", "print(f\"a\")"]},
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
         "source": ["!ls\n", "def f():\n", "    l = 1\n", "    return 2\n"]},
    ]
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 4}
    (workdir / "nb.ipynb").write_text(json.dumps(notebook, indent=1) + "\n", encoding="utf-8")
    data = json.loads(ruff(workdir, "json", "nb.ipynb"))
    assert sorted({d["cell"] for d in data}) == [2, 3]
    for fmt in ("full", "concise"):
        theirs = ruff(workdir, fmt, "nb.ipynb").split("\nFound ")[0]
        ours = render(fmt, as_diagnostics(data), context(workdir))
        if fmt == "full":
            theirs = _without_fix_diffs(theirs)
        assert ours.rstrip("\n") == theirs.rstrip("\n"), fmt
