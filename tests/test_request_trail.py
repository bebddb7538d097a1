"""A finding about a request sent elsewhere says where (`rules.support.request_trail`), and
is not repeated at callers when a file nearer the request reports it
(`diagnostics.drop_repeats_at_callers`).

A request reached through a call chain is reported at the chain's first call in the linted
file: in a real application, `main()` in a two-line `__main__.py` carried thirteen findings,
each about "this breakpoint", none saying which one, and each also reported in the module
that sends the request and at the command that calls it (44 findings where 17 say it all). The
message now names the SDK call, the formats that show locations list the way there, and a
run reports each finding once, at the place nearest the request.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List

import pytest

import cachelint
from cachelint import Diagnostic, Location
from cachelint.cli import main
from cli_runner import cli_runner as _runner

PROMPTS = 'SUPPORT_PROMPT = "You are the support assistant of Example Corp. " + "Cite the policy. " * 400\n'
LLM = '''import anthropic

from prompts import SUPPORT_PROMPT

client = anthropic.Anthropic()


def ask(question):
    return client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=1024,
        system=SUPPORT_PROMPT,
        messages=[{"role": "user", "content": question}],
    )


def ask_with(system, question):
    return client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=1024,
        system=system,
        messages=[{"role": "user", "content": question}],
    )


def triage(question):
    return ask_with(SUPPORT_PROMPT, question)


def ask_either(system, question, stream=False):
    if stream:
        return client.messages.stream(
            model="claude-sonnet-4-5", max_tokens=1024, system=system, messages=[{"role": "user", "content": question}]
        )
    return client.messages.create(
        model="claude-sonnet-4-5", max_tokens=1024, system=system, messages=[{"role": "user", "content": question}]
    )
'''
SERVICE = '''from llm import ask_with
from prompts import SUPPORT_PROMPT


def answer(question):
    return ask_with(SUPPORT_PROMPT, question)
'''
APP = '''from llm import ask_either
from prompts import SUPPORT_PROMPT
from service import answer


def handle(question):
    return answer(question)


def handle_either(question, stream):
    return ask_either(SUPPORT_PROMPT, question, stream)
'''
SENT_AT = 9  # `client.messages.create(` of `ask`
SENT_WITH_AT = 18  # that of `ask_with`


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    files: Dict[str, str] = {
        "pyproject.toml": '[tool.cachelint]\nselect = ["CL001"]\n',
        "prompts.py": PROMPTS,
        "llm.py": LLM,
        "service.py": SERVICE,
        "app.py": APP,
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    (root / ".git").mkdir()
    monkeypatch.chdir(root)
    return root


def findings(project: Path, name: str, alone: bool = False) -> List[Diagnostic]:
    """The findings in `name` when the whole project is linted (`alone`: only `name`)."""
    return [d for d in cachelint.lint_paths(project / name if alone else project) if d.filename == str(project / name)]


def test_a_finding_on_the_sdk_call_has_no_trail(project: Path) -> None:
    own = [d for d in findings(project, "llm.py") if d.location.row == 12]
    assert len(own) == 1, findings(project, "llm.py")
    assert "request sent at" not in own[0].message
    assert own[0].related == ()


def test_a_caller_in_the_same_file_names_the_line(project: Path) -> None:
    """`triage` passes the prompt to `ask_with`, which alone knows no prompt: the finding
    sits on triage's call and names the line of the SDK call."""
    at_triage = [d for d in findings(project, "llm.py") if d.location.row == 27]
    assert len(at_triage) == 1, findings(project, "llm.py")
    assert at_triage[0].message.endswith(f"(request sent at line {SENT_WITH_AT})")
    notes = [(Path(path).name, loc.row, note) for path, loc, note in at_triage[0].related]
    assert ("llm.py", SENT_WITH_AT, "the request is sent here") in notes


def test_a_caller_in_another_file_names_the_file_and_the_way_there(project: Path) -> None:
    found = [d for d in findings(project, "app.py", alone=True) if d.location == Location(7, 12)]  # `answer(question)`
    assert len(found) == 1, findings(project, "app.py", alone=True)
    diagnostic = found[0]
    assert diagnostic.message.endswith(f"(request sent at llm.py:{SENT_WITH_AT})")
    notes = [(Path(path).name, loc.row, note) for path, loc, note in diagnostic.related]
    assert notes == [
        ("service.py", 6, "through this call"),
        ("llm.py", SENT_WITH_AT, "the request is sent here"),
        ("llm.py", 21, "the part of the request this finding is about"),
    ]



def test_outputs_show_the_trail(project: Path) -> None:
    runner = _runner()
    concise = runner.invoke(main, ["--no-cache", "--output-format", "concise", "app.py"], catch_exceptions=False)
    assert "app.py:7:12: CL001 " in concise.stdout
    assert f"(request sent at llm.py:{SENT_WITH_AT})" in concise.stdout
    full = runner.invoke(main, ["--no-cache", "--output-format", "full", "app.py"], catch_exceptions=False)
    assert "note: service.py:6:12: through this call" in full.stdout
    assert f"note: llm.py:{SENT_WITH_AT}:12: the request is sent here" in full.stdout
    sarif = runner.invoke(main, ["--no-cache", "--output-format", "sarif", "app.py"], catch_exceptions=False)
    result = json.loads(sarif.stdout)["runs"][0]["results"][0]
    related = [(r["physicalLocation"]["artifactLocation"]["uri"].rsplit("/", 1)[-1],
                r["physicalLocation"]["region"]["startLine"], r["message"]["text"])
               for r in result["relatedLocations"]]
    assert ("llm.py", SENT_WITH_AT, "the request is sent here") in related


def test_requests_that_meet_one_finding_make_one_finding_naming_each(project: Path) -> None:
    """`ask_either` streams or not: both requests carry the same prompt uncached, and the
    call in `handle_either` is one place to read about it, not two identical lines."""
    found = [d for d in findings(project, "app.py", alone=True) if d.location.row == 11]
    assert len(found) == 1, findings(project, "app.py", alone=True)
    assert found[0].message.endswith("(requests sent at llm.py:32 and llm.py:35)")
    notes = [(Path(path).name, loc.row, note) for path, loc, note in found[0].related]
    assert ("llm.py", 32, "the request is sent here") in notes
    assert ("llm.py", 35, "the request is sent here") in notes


def test_calls_of_the_linted_file_are_named_by_line() -> None:
    from cachelint.context import _sites_text

    assert _sites_text(["line 152", "line 154"]) == "requests sent at lines 152 and 154"
    assert _sites_text(["a.py:3", "b.py:9", "line 12"]) == "requests sent at a.py:3, b.py:9 and line 12"
    assert _sites_text(["a.py:3"]) == "request sent at a.py:3"


def test_a_run_reports_each_finding_once_nearest_the_request(project: Path) -> None:
    """`ask_with` sends the prompt its callers pass: `triage` in llm.py passes the same
    constant as `answer` in service.py, and `handle` in app.py reaches it through
    `answer`. One finding (same rule, request and prompt), reported in the module that
    sends the request; the copies in service.py and app.py go. `handle_either`'s two
    requests are reported by nobody nearer: it stays."""
    everything = cachelint.lint_paths(project)
    where = sorted((Path(d.filename).name, d.location.row) for d in everything)
    assert where == [("app.py", 11), ("llm.py", 12), ("llm.py", 27)]
    # the copy in service.py is kept when llm.py is not linted
    assert [(Path(d.filename).name, d.location.row) for d in cachelint.lint_paths([project / "service.py", project / "app.py"])] == [
        ("app.py", 11), ("service.py", 6)]
    # linted alone, a caller still shows what it leads to
    assert (Path(project / "app.py").name, 7) in [
        (Path(d.filename).name, d.location.row) for d in findings(project, "app.py", alone=True)]


def test_the_command_line_drops_the_repeats_but_adds_suppressions_for_them(project: Path) -> None:
    runner = _runner()
    everything = runner.invoke(main, ["--no-cache", "--output-format", "concise", "."], catch_exceptions=False)
    assert "app.py:7:12" not in everything.stdout and "service.py:6:12" not in everything.stdout
    assert "llm.py:27:12" in everything.stdout
    assert "Found 3 errors." in everything.stderr
    runner.invoke(main, ["--no-cache", "--add-ignore", "."], catch_exceptions=False)
    # every copy got its comment: suppressing only the one shown would bring the others back
    assert "cachelint: ignore[CL001]" in (project / "app.py").read_text(encoding="utf-8").splitlines()[6]
    again = runner.invoke(main, ["--no-cache", "--output-format", "concise", "."], catch_exceptions=False)
    assert again.stdout == "" and again.exit_code == 0, again.stdout


def test_a_repeat_survives_the_result_cache_and_the_workers() -> None:
    from cachelint.diagnostics import Diagnostic as D, Severity, drop_repeats_at_callers

    about = ("/p/llm.py", 120, "/p/llm.py", 150)
    near = D("CL001", "n", "m", "/p/service.py", Location(6, 12), Location(6, 30), Severity.WARNING,
             reaches=((about, (), "m"),))
    far = D("CL001", "n", "m", "/p/app.py", Location(7, 12), Location(7, 28), Severity.WARNING,
            reaches=((about, (("/p/service.py", 6, 12),), "m"),))
    far_again = D.from_dict(far.to_dict())
    assert far_again.reaches == far.reaches
    assert drop_repeats_at_callers([near, far_again]) == [near]
    other_rule = D.from_dict(dict(far.to_dict(), code="CL002"))
    assert drop_repeats_at_callers([near, other_rule]) == [near, other_rule]
    saying_more = D("CL001", "n", "m'", "/p/app.py", Location(7, 12), Location(7, 28), Severity.WARNING,
                    reaches=((about, (("/p/service.py", 6, 12),), "another size"),))
    assert drop_repeats_at_callers([near, saying_more]) == [near, saying_more]


def test_a_caller_passing_another_prompt_is_no_repeat(project: Path) -> None:
    """billing.py hands `ask_with` a prompt of its own: the finding there says another
    size than the one `triage` gives in llm.py, so it is not dropped for it."""
    (project / "billing.py").write_text(
        "from llm import ask_with\n\nBILLING = \"You answer billing questions. \" * 900\n\n\n"
        "def bill(question):\n    return ask_with(BILLING, question)\n",
        encoding="utf-8",
    )
    everything = cachelint.lint_paths(project)
    where = [(Path(d.filename).name, d.location.row) for d in everything]
    assert ("billing.py", 7) in where and ("llm.py", 27) in where, where


def test_an_endpoint_mismatch_reached_from_another_file_says_where(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CL012 reports its own way (not through `support.report`) and names the call too;
    linted with the module that posts, the caller's copy goes."""
    root = tmp_path / "proj"
    (root / ".git").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[tool.cachelint]\nselect = ["CL012"]\n', encoding="utf-8")
    (root / "http_client.py").write_text(
        'import requests\n\nURL = "https://contoso.openai.azure.com/openai/deployments/claude-sonnet-4-5/v1/messages"\n\n\n'
        "def post(body):\n    return requests.post(URL, json=body, timeout=30)\n",
        encoding="utf-8",
    )
    (root / "app.py").write_text(
        "from http_client import post\n\n\ndef ask(question):\n"
        '    return post({"model": "claude-sonnet-4-5", "max_tokens": 100, '
        '"messages": [{"role": "user", "content": question}]})\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(root)
    alone = cachelint.lint_paths(root / "app.py")
    assert [d.location.row for d in alone] == [5]
    assert alone[0].message.endswith("(request sent at http_client.py:7)")
    assert [(Path(p).name, loc.row, note) for p, loc, note in alone[0].related] == [
        ("http_client.py", 7, "the request is sent here")]
    assert [Path(d.filename).name for d in cachelint.lint_paths(root)] == ["http_client.py"]
