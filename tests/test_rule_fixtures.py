"""Each rule (CL001-CL005) run on small real-shaped projects in `fixtures/rules/`.

A directory `fixtures/rules/<CODE>-<scenario>/` is one project for one scenario of one rule:
code that must be flagged (the request built across functions and modules, `**params`
dicts, prompt constants imported from another module, Bedrock, Vertex, Foundry,
OpenRouter, litellm, raw HTTP, Converse) or code that must stay silent because it already
does the right thing (`-silent-` in the name). It holds:

- the program files and a `pyproject.toml` whose `[tool.cachelint]` selects the rule;
- `expected.txt`: the exact stdout of `cachelint --output-format concise --no-cache .` run in
  a copy of the project (paths relative to it), written and reviewed by hand;
- `fixed/` (fixable scenarios only): every file the fix changes, as it must read after
  `cachelint --fix --unsafe-fixes --no-cache .`; files not under `fixed/` must not change;
- `README.md`: the scenario and why the expected output is right (not part of the project);
- `run.py` (not part of the project): `run()` calls the program the way its users do; it is
  used by `tests/test_sdk_requests.py` to send the request through the real SDKs;
- `KNOWN_WRONG` (optional): the rule reports this scenario wrongly today (a false positive
  or negative, or a wrong location). `expected.txt` then holds the *correct* output, written
  by hand, and `KNOWN_WRONG` says what the tool prints instead; the output test is
  `xfail(strict=True)` and compares only `file:row:col: CODE` and the `[*]` fix mark of
  each line (the message of a finding that does not exist yet cannot be known), so it
  fails loudly once fixed;
- `KNOWN_WRONG_MESSAGE` (optional): the findings are right but a message is wrong (a wrong
  model, size or label). `expected.txt` holds the correct text, compared in full, and the
  output test is `xfail(strict=True)`;
- `KNOWN_WRONG_FIX` (optional): the same for the fix. `fixed/` holds the correct fix,
  written by hand, and the fix test is `xfail(strict=True)`.

The test copies the project (without those extra files) into a temporary directory, creates
`.git/` there so the copy is the project root, runs the CLI, and checks: the output and the
exit code; that the fix changes exactly the files under `fixed/` into their content; that
every fixed file parses; that a second `--fix --unsafe-fixes` changes nothing; and that the
rule under test is then silent (for scenarios with a fix). The CLI runs in the test process
(its command function, as `python -m cachelint` calls it); one test runs a scenario's lint
and fix as a separate `python -m cachelint` process too, so the two ways cannot drift apart.

To rewrite the goldens after an intended change of a rule (never for `KNOWN_WRONG` cases):

    CACHELINT_UPDATE_GOLDEN=1 python -m pytest tests/test_rule_fixtures.py

then read every changed `expected.txt` and `fixed/` file (`git diff fixtures/rules`) and
commit only what a careful user would expect to see.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "rules"
UPDATE = os.environ.get("CACHELINT_UPDATE_GOLDEN") == "1"
#: Entries of a fixture directory that are not part of the linted project.
NOT_PROJECT = (
    "expected.txt",
    "fixed",
    "run.py",
    "README.md",
    "KNOWN_WRONG",
    "KNOWN_WRONG_MESSAGE",
    "KNOWN_WRONG_FIX",
    "__pycache__",
    ".cachelint_cache",
)
RULE_CODES = ("CL001", "CL002", "CL003", "CL004", "CL005")
LINE_RE = re.compile(
    r"^(?P<path>[^:\s]+):(?P<row>\d+):(?P<col>\d+): (?P<code>CL\d{3}) (?P<fix>\[\*\] )?"
)


def fixture_dirs() -> List[Path]:
    if not FIXTURES.is_dir():
        return []
    return sorted(p for p in FIXTURES.iterdir() if p.is_dir() and (p / "pyproject.toml").is_file())


def rule_code(fixture: Path) -> str:
    return fixture.name.split("-", 1)[0]


def known_wrong(fixture: Path, name: str = "KNOWN_WRONG") -> Optional[str]:
    """Why the tool gets this fixture's output (or, with `KNOWN_WRONG_FIX`, its fix) wrong."""
    path = fixture / name
    if not path.is_file():
        return None
    return " ".join(path.read_text(encoding="utf-8").split())


def copy_project(fixture: Path, dest: Path) -> Path:
    """The fixture's project files in `dest`, with `.git/` so `dest` is the project root."""
    shutil.copytree(fixture, dest, ignore=shutil.ignore_patterns(*NOT_PROJECT))
    (dest / ".git").mkdir()
    return dest


def project_files(root: Path) -> Dict[str, str]:
    files = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if (
            path.is_file()
            and rel.parts[0] not in (".git", ".cachelint_cache")
            and "__pycache__" not in rel.parts
        ):
            files[rel.as_posix()] = path.read_text(encoding="utf-8")
    return files


def fixed_files(fixture: Path) -> Dict[str, str]:
    fixed = fixture / "fixed"
    return project_files(fixed) if fixed.is_dir() else {}


def cli(project: Path, *args: str) -> Tuple[int, str, str]:
    """`cachelint ARGS` run in `project`, in this process: (exit code, stdout, stderr)."""
    from click.testing import CliRunner

    from cachelint.cli import main

    try:
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]  # click < 8.2
    except TypeError:
        runner = CliRunner()  # click >= 8.2 keeps stderr apart by itself
    env = {name: None for name in os.environ if name.startswith("CACHELINT_")}
    cwd = os.getcwd()
    os.chdir(project)
    try:
        result = runner.invoke(main, list(args), env=env, catch_exceptions=False)
    finally:
        os.chdir(cwd)
    return result.exit_code, result.stdout, result.stderr


def cli_process(project: Path, *args: str) -> Tuple[int, str, str]:
    """The same as `python -m cachelint ARGS`, in a child process sharing nothing with the tests."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CACHELINT_")}
    proc = subprocess.run(
        [sys.executable, "-m", "cachelint", *args],
        cwd=str(project),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return proc.returncode, proc.stdout, proc.stderr


def lint(project: Path) -> Tuple[int, str, str]:
    return cli(project, "--output-format", "concise", "--no-cache", ".")


def fix(project: Path) -> Tuple[int, str, str]:
    return cli(project, "--fix", "--unsafe-fixes", "--output-format", "concise", "--no-cache", ".")


def locations(output: str) -> List[str]:
    """`file:row:col: CODE` of every finding line, with ` [*]` when a fix is offered (how
    KNOWN_WRONG cases are compared)."""
    found = []
    for line in output.splitlines():
        match = LINE_RE.match(line)
        if match:
            fixable = " [*]" if match["fix"] else ""
            found.append(f"{match['path']}:{match['row']}:{match['col']}: {match['code']}{fixable}")
    return found


def codes(output: str) -> List[str]:
    return [match["code"] for match in map(LINE_RE.match, output.splitlines()) if match]


def _params(*marker_files: str) -> List[object]:
    params = []
    for path in fixture_dirs():
        marks = []
        reasons = [r for r in (known_wrong(path, name) for name in marker_files) if r]
        reason = " ".join(reasons) if reasons else None
        if reason is not None:
            marks.append(pytest.mark.xfail(strict=True, reason=reason))
        params.append(pytest.param(path, id=path.name, marks=marks))
    return params


OUTPUT_PARAMS = _params("KNOWN_WRONG", "KNOWN_WRONG_MESSAGE")
FIX_PARAMS = _params("KNOWN_WRONG_FIX")
PLAIN_PARAMS = [pytest.param(path, id=path.name) for path in fixture_dirs()]


@pytest.mark.parametrize("fixture", OUTPUT_PARAMS)
def test_output(fixture: Path, tmp_path: Path) -> None:
    project = copy_project(fixture, tmp_path / "project")
    code, out, err = lint(project)
    assert code in (0, 1), err
    golden = fixture / "expected.txt"
    hand_written = known_wrong(fixture) or known_wrong(fixture, "KNOWN_WRONG_MESSAGE")
    if UPDATE and hand_written is None:
        golden.write_text(out, encoding="utf-8")
    expected = golden.read_text(encoding="utf-8")
    if known_wrong(fixture) is not None:
        assert locations(out) == locations(expected), out
        return
    assert out == expected, f"stderr:\n{err}"
    # Only the selected rule (and anything the fixture's config adds) may report here;
    # the exit code says whether anything was found.
    assert code == (1 if expected.strip() else 0), err


@pytest.mark.parametrize("fixture", FIX_PARAMS)
def test_fix(fixture: Path, tmp_path: Path) -> None:
    project = copy_project(fixture, tmp_path / "project")
    before = project_files(project)
    code, out, err = fix(project)
    assert code in (0, 1), err
    after = project_files(project)
    assert set(after) == set(before), "the fix created or deleted files"
    changed = {rel: text for rel, text in after.items() if before[rel] != text}
    if UPDATE and known_wrong(fixture, "KNOWN_WRONG_FIX") is None:
        fixed_dir = fixture / "fixed"
        if fixed_dir.is_dir():
            shutil.rmtree(fixed_dir)
        for rel, text in changed.items():
            target = fixed_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    expected = fixed_files(fixture)
    assert sorted(changed) == sorted(expected), "files changed by the fix differ from fixed/"
    for rel, text in expected.items():
        assert changed[rel] == text, rel
    for rel, text in changed.items():
        if rel.endswith(".py"):
            ast.parse(text, filename=rel)
    # A second fix is a no-op, and the rule under test has nothing left to say when the
    # scenario documents a fix.
    code2, out2, err2 = fix(project)
    assert project_files(project) == after, "a second --fix --unsafe-fixes changed files"
    if expected:
        code_under_test = rule_code(fixture)
        assert code_under_test not in codes(out2), out2


#: A scenario whose fix edits two modules, run as a process too.
PROCESS_FIXTURE = "CL004-litellm-bedrock-kwargs"


def test_the_command_run_as_a_process_agrees(tmp_path: Path) -> None:
    """Lint and fix of one scenario through `python -m cachelint`, against the same goldens
    the in-process runs are held to."""
    fixture = FIXTURES / PROCESS_FIXTURE
    project = copy_project(fixture, tmp_path / "project")
    code, out, err = cli_process(project, "--output-format", "concise", "--no-cache", ".")
    assert (code, out) == (1, (fixture / "expected.txt").read_text(encoding="utf-8")), err
    before = project_files(project)
    code, out, err = cli_process(project, "--fix", "--unsafe-fixes", "--output-format", "concise", "--no-cache", ".")
    assert code in (0, 1), err
    changed = {rel: text for rel, text in project_files(project).items() if before[rel] != text}
    assert changed == fixed_files(fixture) != {}


def test_every_rule_has_its_scenarios() -> None:
    """At least four flagged and three silent scenarios per rule, each with a README."""
    for code in RULE_CODES:
        dirs = [d for d in fixture_dirs() if rule_code(d) == code]
        silent = [d for d in dirs if "-silent-" in d.name]
        flagged = [d for d in dirs if d not in silent]
        assert len(flagged) >= 4, (code, [d.name for d in flagged])
        assert len(silent) >= 3, (code, [d.name for d in silent])
        for d in dirs:
            assert (d / "README.md").is_file(), d.name


@pytest.mark.parametrize("fixture", PLAIN_PARAMS)
def test_fixture_is_consistent(fixture: Path) -> None:
    """A silent scenario expects no finding; a flagged one expects at least one of its rule;
    its config selects the rule; a fix is only documented for a flagged scenario."""
    expected = (fixture / "expected.txt").read_text(encoding="utf-8")
    found = codes(expected)
    config = (fixture / "pyproject.toml").read_text(encoding="utf-8")
    assert rule_code(fixture) in config, "the config must select the rule under test"
    if "-silent-" in fixture.name:
        assert rule_code(fixture) not in found, expected
        assert not (fixture / "fixed").exists()
    else:
        assert rule_code(fixture) in found, expected


# --- minimal reproducers of known rule bugs ------------------------------------------------------------
# Each test states the correct behaviour on the smallest program that shows a bug found with the
# fixtures above; it is xfail(strict=True) until the rule is fixed, then it must be un-marked.
PROMPT_3000 = 'RULES = "Follow the refund policy to the letter. " * 300\n'


def make_project(root: Path, files: Dict[str, str], select: str) -> Path:
    import textwrap

    (root / ".git").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        f'[tool.cachelint]\nselect = ["{select}"]\n', encoding="utf-8"
    )
    for rel, text in files.items():
        prefix = ""
        if text.startswith(PROMPT_3000):  # the shared constant, then an indented block
            prefix, text = PROMPT_3000, text[len(PROMPT_3000) :]
        source = prefix + textwrap.dedent(text).lstrip("\n")
        ast.parse(source)  # a reproducer that does not parse reproduces nothing
        (root / rel).write_text(source, encoding="utf-8")
    return root


def fixed_text(root: Path, rel: str) -> str:
    code, _, err = fix(root)
    assert code in (0, 1), err
    return (root / rel).read_text(encoding="utf-8")


def test_cl002_fix_keeps_augmented_assignments(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "a.py": PROMPT_3000
            + """
        import anthropic

        client = anthropic.Anthropic()


        def ask(name: str, q: str):
            system = "Support desk.\\n"
            system += "User: " + name + "\\n"
            system += RULES
            return client.messages.create(model="claude-sonnet-4-5", max_tokens=100, system=system,
                                          messages=[{"role": "user", "content": q}])
    """
        },
        "CL002",
    )
    assert " CL002 " in lint(root)[1]
    tree = ast.parse(fixed_text(root, "a.py"))
    discarded = [
        n for n in ast.walk(tree) if isinstance(n, ast.Expr) and isinstance(n.value, ast.BinOp)
    ]
    assert discarded == [], "the fix leaves an expression statement whose value is thrown away"
    kept = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.AugAssign) and ast.unparse(n.value) == "RULES"
    ]
    assert kept, "RULES is no longer added to the system prompt"


def test_cl005_fix_never_exceeds_four_breakpoints(tmp_path: Path) -> None:
    rows = "\n".join(
        f'            {{"role": "{"user" if i % 2 == 0 else "assistant"}", "content": "example {i}", "copilot_cache_control": CC}},'
        for i in range(5)
    )
    root = make_project(
        tmp_path,
        {
            "a.py": f"""
        from openai import OpenAI

        client = OpenAI(base_url="https://openrouter.ai/api/v1")
        CC = {{"type": "ephemeral"}}


        def ask(q: str):
            messages = [
{rows}
                {{"role": "user", "content": q}},
            ]
            return client.chat.completions.create(model="anthropic/claude-sonnet-4.5", messages=messages)
    """
        },
        "CL005",
    )
    assert " CL005 " in lint(root)[1]
    assert fixed_text(root, "a.py").count('"cache_control"') <= 4


def test_cl002_two_values_before_static_text(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "a.py": PROMPT_3000
            + """
        import anthropic

        client = anthropic.Anthropic()


        def ask(name: str, plan: str, q: str):
            return client.messages.create(model="claude-sonnet-4-5", max_tokens=100,
                                          system=f"User: {name} ({plan})\\n{RULES}",
                                          messages=[{"role": "user", "content": q}])
    """
        },
        "CL002",
    )
    assert "a.py:9:" in lint(root)[1]


def test_cl001_converse_fix_covers_the_appended_block(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "a.py": """
        import boto3

        BASE = "Quote the documentation page you used. " * 150
        GLOSSARY = "Use every product term exactly as written. " * 500
        runtime = boto3.client("bedrock-runtime")


        def answer(q: str):
            system = [{"text": BASE}]
            system.append({"text": GLOSSARY})
            return runtime.converse(modelId="us.anthropic.claude-sonnet-4-5-20250929-v1:0", system=system,
                                    messages=[{"role": "user", "content": [{"text": q}]}])
    """
        },
        "CL001",
    )
    assert " CL001 " in lint(root)[1]
    assert '[{"text": BASE}, {"cachePoint"' not in fixed_text(root, "a.py")


def test_cl002_fix_leaves_no_dynamic_value_in_the_marked_block(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "a.py": PROMPT_3000
            + """
        import datetime

        import anthropic

        client = anthropic.Anthropic()


        def ask(q: str):
            text = f"Now: {datetime.datetime.now().isoformat()}\\n{RULES}"
            return client.messages.create(model="claude-sonnet-4-5", max_tokens=100,
                                          system=[{"type": "text", "text": text, "cache_control": {"type": "ephemeral"}}],
                                          messages=[{"role": "user", "content": q}])
    """
        },
        "CL002",
    )
    assert " CL002 " in lint(root)[1]
    # No fix, or one that gives the static text a marked block of its own: moving the line
    # inside the marked text changes nothing for the cache.
    assert 'f"{RULES}\\nNow: ' not in fixed_text(root, "a.py")


def test_cl001_caller_of_a_wrapper_is_parsed(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "llm.py": """
            import anthropic

            client = anthropic.Anthropic()


            def complete(system, text):
                return client.messages.create(model="claude-sonnet-4-5", max_tokens=100, system=system,
                                              messages=[{"role": "user", "content": text}])
        """,
            "triage.py": PROMPT_3000
            + """
            from llm import complete


            def triage(report: str):
                return complete(RULES, report)
        """,
        },
        "CL001",
    )
    assert "triage.py:6:12: CL001" in lint(root)[1]


def test_cl003_loop_over_a_parameter_list(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "a.py": """
        import anthropic

        client = anthropic.Anthropic()


        def send(messages):
            for message in messages:
                message["content"][-1]["cache_control"] = {"type": "ephemeral"}
            return client.messages.create(model="claude-sonnet-4-5", max_tokens=10, messages=messages)
    """
        },
        "CL003",
    )
    assert "a.py:7:5: CL003" in lint(root)[1]


def test_cl005_url_from_a_dict_follows_the_key(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "a.py": """
        import httpx

        ENDPOINTS = {
            "openrouter": "https://openrouter.ai/api/v1/chat/completions",
            "copilot": "https://api.githubcopilot.com/chat/completions",
        }


        def chat(provider: str, q: str):
            system = {"role": "system", "content": "Be brief."}
            if provider == "copilot":
                system["copilot_cache_control"] = {"type": "ephemeral"}
            return httpx.post(ENDPOINTS[provider], json={"model": "claude-sonnet-4.5", "messages": [system, {"role": "user", "content": q}]})
    """
        },
        "CL005",
    )
    assert " CL005 " not in lint(root)[1]


def test_cl005_url_from_a_dict_reports_the_entries_the_marker_reaches(tmp_path: Path) -> None:
    """The same table with the marker written for the wrong provider: it reaches OpenRouter
    only, and the message names OpenRouter, not the Copilot entry."""
    root = make_project(
        tmp_path,
        {
            "a.py": """
        import httpx

        ENDPOINTS = {
            "openrouter": "https://openrouter.ai/api/v1/chat/completions",
            "copilot": "https://api.githubcopilot.com/chat/completions",
        }


        def chat(provider: str, q: str):
            system = {"role": "system", "content": "Be brief."}
            if provider == "openrouter":
                system["copilot_cache_control"] = {"type": "ephemeral"}
            return httpx.post(ENDPOINTS[provider], json={"model": "claude-sonnet-4.5", "messages": [system, {"role": "user", "content": q}]})
    """
        },
        "CL005",
    )
    out = lint(root)[1]
    assert " CL005 " in out
    assert "OpenRouter ignores it" in out


def test_cl001_ignores_count_tokens(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "a.py": PROMPT_3000
            + """
        import anthropic

        client = anthropic.Anthropic()


        def size(q: str) -> int:
            return client.messages.count_tokens(model="claude-sonnet-4-5", system=RULES,
                                                messages=[{"role": "user", "content": q}]).input_tokens
    """
        },
        "CL001",
    )
    assert " CL001 " not in lint(root)[1]


def test_cl002_retrieved_rows_are_per_call(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "a.py": PROMPT_3000
            + """
        import sqlite3

        import anthropic

        client = anthropic.Anthropic()


        def answer(q: str):
            rows = sqlite3.connect("kb.db").execute("SELECT body FROM kb WHERE kb MATCH ?", (q,)).fetchall()
            docs = "\\n".join(body for (body,) in rows)
            return client.messages.create(model="claude-sonnet-4-5", max_tokens=100,
                                          system=[{"type": "text", "text": docs},
                                                  {"type": "text", "text": RULES, "cache_control": {"type": "ephemeral"}}],
                                          messages=[{"role": "user", "content": q}])
    """
        },
        "CL002",
    )
    assert " CL002 " in lint(root)[1]


def test_cl002_tools_chosen_per_call(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "a.py": PROMPT_3000
            + """
        import anthropic

        SPECS = {"search": {"name": "search", "description": "Search.", "input_schema": {"type": "object"}},
                 "refund": {"name": "refund", "description": "Refund.", "input_schema": {"type": "object"}}}
        client = anthropic.Anthropic()


        def handle(flags, q: str):
            return client.messages.create(model="claude-sonnet-4-5", max_tokens=10, tools=[SPECS[n] for n in flags],
                                          system=[{"type": "text", "text": RULES, "cache_control": {"type": "ephemeral"}}],
                                          messages=[{"role": "user", "content": q}])
    """
        },
        "CL002",
    )
    assert " CL002 " in lint(root)[1]


def test_cl004_guard_on_the_stored_provider(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "a.py": """
        from anthropic import Anthropic, AnthropicVertex


        class Chat:
            def __init__(self, provider: str = "vertex"):
                self.provider = provider
                self.client = AnthropicVertex(region="us-east5", project_id="p") if provider == "vertex" else Anthropic()

            def ask(self, messages):
                kwargs = {"model": "claude-sonnet-4-5", "max_tokens": 600, "messages": messages}
                if self.provider == "vertex":
                    kwargs["cache_control"] = {"type": "ephemeral"}
                return self.client.messages.create(**kwargs)
    """
        },
        "CL004",
    )
    assert "a.py:12:13: CL004" in lint(root)[1]


def test_cl004_guard_on_the_stored_provider_excludes_vertex(tmp_path: Path) -> None:
    """The same class sending the marker only when the stored provider is not Vertex."""
    root = make_project(
        tmp_path,
        {
            "a.py": """
        from anthropic import Anthropic, AnthropicVertex


        class Chat:
            def __init__(self, provider: str = "vertex"):
                self.provider = provider
                self.client = AnthropicVertex(region="us-east5", project_id="p") if provider == "vertex" else Anthropic()

            def ask(self, messages):
                kwargs = {"model": "claude-sonnet-4-5", "max_tokens": 600, "messages": messages}
                if self.provider != "vertex":
                    kwargs["cache_control"] = {"type": "ephemeral"}
                return self.client.messages.create(**kwargs)
    """
        },
        "CL004",
    )
    assert " CL004 " not in lint(root)[1]


def test_cl001_model_default_of_a_wrapper(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "backend.py": """
            import anthropic


            class Backend:
                def __init__(self, model: str = "claude-sonnet-4-5"):
                    self.client = anthropic.Anthropic()
                    self.model = model

                def generate(self, system, question):
                    return self.client.messages.create(model=self.model, max_tokens=100, system=system,
                                                       messages=[{"role": "user", "content": question}])
        """,
            "agent.py": """
            # Uses the anthropic backend (this comment keeps the prefilter bug out of the way).
            from backend import Backend

            PROMPT = "Answer from the policy handbook only. " * 210  # ~2,000 tokens


            class Agent:
                def __init__(self):
                    self.llm = Backend()

                def answer(self, question: str):
                    return self.llm.generate(PROMPT, question)
        """,
        },
        "CL001",
    )
    assert "agent.py:12:16: CL001" in lint(root)[1]


def test_cl003_converse_message_names_cache_points(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "a.py": """
        import boto3

        runtime = boto3.client("bedrock-runtime")
        CP = {"cachePoint": {"type": "default"}}


        def ask(q: str):
            return runtime.converse(modelId="us.anthropic.claude-sonnet-4-5-20250929-v1:0",
                                    system=[{"text": "a"}, CP, {"text": "b"}, CP, {"text": "c"}, CP],
                                    messages=[{"role": "user", "content": [{"text": "d"}, CP, {"text": q}, CP]}])
    """
        },
        "CL003",
    )
    out = lint(root)[1]
    assert " CL003 " in out
    assert "cachePoint" in out and "cache_control" not in out


def test_cl002_message_names_the_static_section(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "a.py": PROMPT_3000
            + """
        import anthropic

        client = anthropic.Anthropic()


        def handle(tools, q: str):
            return client.messages.create(model="claude-sonnet-4-5", max_tokens=10, tools=tools,
                                          system=[{"type": "text", "text": RULES, "cache_control": {"type": "ephemeral"}}],
                                          messages=[{"role": "user", "content": q}])
    """
        },
        "CL002",
    )
    out = lint(root)[1]
    assert " CL002 " in out
    assert "static prompt text (system prompt)" in out


def test_cl002_message_label_of_a_formatted_date(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "a.py": PROMPT_3000
            + """
        import datetime

        import anthropic

        client = anthropic.Anthropic()


        def ask(q: str):
            return client.messages.create(model="claude-sonnet-4-5", max_tokens=10,
                                          system=f"Today is {datetime.date.today().isoformat()}.\\n{RULES}",
                                          messages=[{"role": "user", "content": q}])
    """
        },
        "CL002",
    )
    out = lint(root)[1]
    assert " CL002 " in out
    assert "result of" not in out


def test_cl002_fix_keeps_the_newline_with_the_dynamic_line(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "a.py": PROMPT_3000
            + """
        from openai import OpenAI

        client = OpenAI()


        def notes(product: str, changes: str):
            instructions = "Product: " + product + "\\n" + RULES
            return client.responses.create(model="gpt-4.1", instructions=instructions, input=changes)
    """
        },
        "CL002",
    )
    assert " CL002 " in lint(root)[1]
    assert 'instructions = RULES + "Product: " + product + "\\n"' in fixed_text(root, "a.py")


def test_cl004_fix_does_not_duplicate_a_marker(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "a.py": PROMPT_3000
            + """
        from anthropic import AnthropicBedrock

        client = AnthropicBedrock(aws_region="us-east-1")


        def ask(q: str):
            return client.messages.create(
                model="us.anthropic.claude-sonnet-4-5-20250929-v1:0", max_tokens=100,
                system=[{"type": "text", "text": RULES, "cache_control": {"type": "ephemeral"}}],
                messages=[{"role": "user", "content": q}],
                cache_control={"type": "ephemeral", "ttl": "1h"},
            )
    """
        },
        "CL004",
    )
    assert " CL004 " in lint(root)[1]
    tree = ast.parse(fixed_text(root, "a.py"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
            assert keys.count("cache_control") <= 1, ast.unparse(node)[:120]


def test_cl005_marker_on_a_tool_call_message(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "a.py": """
        from openai import OpenAI

        router = OpenAI(base_url="https://openrouter.ai/api/v1")
        CALL = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}


        def tool_turn(q: str):
            return router.chat.completions.create(
                model="anthropic/claude-sonnet-4.5",
                messages=[
                    {"role": "user", "content": q},
                    {"role": "assistant", "content": None, "tool_calls": [CALL], "copilot_cache_control": {"type": "ephemeral"}},
                    {"role": "tool", "tool_call_id": "c1", "content": "result"},
                ],
            )
    """
        },
        "CL005",
    )
    assert " CL005 " in lint(root)[1]
