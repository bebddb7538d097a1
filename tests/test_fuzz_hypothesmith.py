"""Property tests on arbitrary valid Python (hypothesmith): cachelint never crashes.

For any module hypothesmith generates (from the grammar, and from libcst's node types),
linted as is, with a comment that makes the prefilter send it to the analysis, and with a
real LLM request spliced in after it:

* the engine reports no internal error (exit code 2 territory) and never raises;
* `--fix --unsafe-fixes` leaves text that parses, and a second fix changes nothing;
* a few examples go through the command line itself: exit code 0 or 1, no traceback.

Fixed seed (derandomize) for CI; `CACHELINT_FUZZ_EXAMPLES=2000` for a longer run.
"""

from __future__ import annotations

import ast
import os
import tempfile
import warnings
from pathlib import Path

import hypothesmith
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cachelint.cli import main
from strategies import lint_and_fix, write_files

EXAMPLES = int(os.environ.get("CACHELINT_FUZZ_EXAMPLES", "0")) or None

#: Makes the prefilter send the module to the analysis (it names an SDK and a marker).
TRIGGER = "# anthropic cache_control openai litellm converse\n"

#: A request the analysis resolves, placed after the generated code: it gives every rule
#: something to report and fix (6 breakpoints, a bad TTL, a big unmarked system prompt),
#: whatever the generated code did to the names it uses.
REQUEST = '''

import anthropic as _anthropic_sdk

_BIG_PROMPT = "Follow the style guide and cite sources. " * 900
_CLIENT = _anthropic_sdk.Anthropic()


def _ask_fuzz(question: str):
    _CLIENT.messages.create(
        model="claude-sonnet-4-5", max_tokens=64, system=_BIG_PROMPT,
        messages=[{"role": "user", "content": question}],
    )
    return _CLIENT.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=64,
        system=[{"type": "text", "text": "a", "cache_control": {"type": "ephemeral"}},
                {"type": "text", "text": "b", "cache_control": {"type": "ephemeral", "ttl": "10m"}}],
        messages=[{"role": "user", "content": [
            {"type": "text", "text": "c", "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": "d", "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": question, "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": "e", "cache_control": {"type": "ephemeral"}},
        ]}],
    )
'''


def _settings(default: int):
    return settings(
        max_examples=EXAMPLES or default,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


def _modules():
    return st.one_of(hypothesmith.from_grammar(), hypothesmith.from_node())


def _compiles(source: str) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarnings of generated code are not ours
        try:
            compile(source, "<fuzz>", "exec", dont_inherit=True)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return False
    return True


def _lint_fix_twice(source: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = write_files(root, {"mod.py": source})
        original = Path(paths[0]).read_bytes()
        run = lint_and_fix(root, paths)
        assert not run.errors, run.errors
        assert Path(paths[0]).read_bytes() == original
        for path, text in run.changed.items():
            ast.parse(text)
            assert path in run.fixable_paths
            Path(path).write_bytes(text.encode("utf-8"))
        again = lint_and_fix(root, paths)
        assert not again.errors, again.errors
        assert again.changed == {}, "the second --fix changed the file again"


@pytest.mark.slow
@_settings(100)
@given(_modules(), st.sampled_from(["plain", "trigger", "request"]))
def test_any_valid_module_lints_and_fixes_without_error(source: str, how: str) -> None:
    assume(_compiles(source))
    if how == "trigger":
        source = TRIGGER + source
    elif how == "request":
        source = TRIGGER + source + ("" if source.endswith("\n") or not source else "\n") + REQUEST
        assume(_compiles(source))
    _lint_fix_twice(source)


@pytest.mark.slow
@_settings(40)
@given(hypothesmith.from_node())
def test_generated_code_inside_a_request_function(body: str) -> None:
    """The generated statements run inside the function that builds the request, so the
    analysis interprets them (and they may rebind the names the request uses)."""
    assume(_compiles(body))
    indented = "".join("    " + line if line.strip() else line for line in body.splitlines(True))
    source = (
        "import anthropic\n\nclient = anthropic.Anthropic()\nBIG = 'Rules. ' * 3000\n\n\n"
        "def ask(question: str, history: list):\n"
        "    messages = [{'role': 'user', 'content': [{'type': 'text', 'text': question}]}]\n"
        + (indented if indented.strip() else "    pass\n")
        + ("" if indented.endswith("\n") or not indented else "\n")
        + "    for m in messages:\n"
        "        m['content'][-1]['cache_control'] = {'type': 'ephemeral'}\n"
        "    return client.messages.create(model='claude-sonnet-4-5', max_tokens=9, system=BIG, messages=messages)\n"
    )
    assume(_compiles(source))
    _lint_fix_twice(source)


@pytest.mark.slow
@_settings(12)
@given(_modules())
def test_any_valid_module_through_the_cli(source: str) -> None:
    """The command on generated code: exit 0 or 1, never 2, no traceback; fix idempotent."""
    assume(_compiles(source))
    source = TRIGGER + source + ("" if source.endswith("\n") or not source else "\n") + REQUEST
    assume(_compiles(source))
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (path,) = write_files(root, {"mod.py": source})
        args = ["--no-cache", "--isolated", "--select", "ALL", path]
        result = runner.invoke(main, args)
        assert result.exit_code in (0, 1), result.output
        assert "Traceback" not in result.output
        fixed = runner.invoke(main, [*args, "--fix", "--unsafe-fixes"])
        assert fixed.exit_code in (0, 1), fixed.output
        assert "error:" not in fixed.output, fixed.output
        after = Path(path).read_bytes()
        ast.parse(after)
        again = runner.invoke(main, [*args, "--fix", "--unsafe-fixes"])
        assert again.exit_code in (0, 1), again.output
        assert Path(path).read_bytes() == after


@pytest.mark.parametrize("how", ["plain", "trigger", "request"])
def test_the_spliced_request_is_really_analysed(how: str) -> None:
    """Guard for the property tests above: the planted request does give findings to fix,
    so they exercise the rules and the fixer, not only the parser."""
    source = {"plain": "x = 1\n", "trigger": TRIGGER + "x = 1\n", "request": TRIGGER + "x = 1\n" + REQUEST}[how]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = write_files(root, {"mod.py": source})
        run = lint_and_fix(root, paths)
        codes = sorted({d.code for r in run.results.values() for d in r.diagnostics})
        if how == "request":
            assert {"CL001", "CL003", "CL007"} <= set(codes), codes
            assert run.changed
        else:
            assert codes == [] and not run.changed
