"""The cost view of `--statistics`: static-prefix input cost per 1,000 calls, per call site."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cachelint.cli import main

PROGRAM = '''
import anthropic

SYSTEM = "Follow the style guide. " * 1000  # 6,000 tokens at 4 characters per token
client = anthropic.Anthropic()


def ask(q: str):
    return send(q)


def send(q: str):
    return client.messages.create(model="claude-sonnet-4-5", max_tokens=10, system=SYSTEM,
                                  messages=[{"role": "user", "content": q}])


def cached(q: str):
    return client.messages.create(
        model="claude-haiku-4-5", max_tokens=10,
        system=[{"type": "text", "text": SYSTEM * 2, "cache_control": {"type": "ephemeral"}}],
        messages=[{"role": "user", "content": q}],
    )
'''


def _run(tmp_path: Path, *args: str) -> str:
    (tmp_path / ".git").mkdir()
    (tmp_path / "app.py").write_text(PROGRAM, encoding="utf-8")
    runner = CliRunner()
    import os

    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = runner.invoke(main, list(args))
    finally:
        os.chdir(cwd)
    return result.output


def test_statistics_prints_the_cost_per_thousand_calls(tmp_path: Path) -> None:
    out = _run(tmp_path, "--statistics", "--no-cache", "app.py")
    lines = out.splitlines()
    row = next(line for line in lines if "claude-sonnet-4-5" in line)
    # 1,000 x 6,000 tokens x $3/M uncached; one 5-minute write ($3.75/M) + 999 reads ($0.30/M)
    assert row.split()[-2:] == ["18.00", "1.82"]
    assert row.startswith("app.py:13:")  # the call that sends it, once (not again via ask())
    haiku = next(line for line in lines if "claude-haiku-4-5" in line)
    # 12,000 tokens already cached: one write at $1.25/M and 999 reads at $0.10/M either way
    assert haiku.split()[-4:] == ["1.21", "1.21", "(already", "cached)"]
    total = next(line for line in lines if line.startswith("total"))
    assert total.split()[-2:] == ["19.21", "3.03"]


def test_without_statistics_there_is_no_cost_table(tmp_path: Path) -> None:
    assert "per 1,000 calls" not in _run(tmp_path, "--no-cache", "app.py")


OTHER_PROVIDERS = '''
from google import genai
from google.genai import types
from openai import OpenAI

MANUAL = "Section 1. Safety first. " * 1000  # 6,250 tokens at 4 characters per token
gemini = genai.Client()
openai_client = OpenAI()
cache = gemini.caches.create(model="gemini-2.5-flash", config=types.CreateCachedContentConfig(contents=[MANUAL]))


def gemini_uncached(q: str):
    return gemini.models.generate_content(model="gemini-2.5-pro", contents=[MANUAL, q])


def gemini_cached(q: str):
    return gemini.models.generate_content(
        model="gemini-2.5-flash", contents=q, config=types.GenerateContentConfig(cached_content=cache.name))


def openai_automatic(q: str):
    return openai_client.chat.completions.create(
        model="gpt-5.5", messages=[{"role": "system", "content": MANUAL}, {"role": "user", "content": q}])


def openai_explicit_without_breakpoint(q: str):
    return openai_client.chat.completions.create(
        model="gpt-5.6-terra", messages=[{"role": "system", "content": MANUAL}, {"role": "user", "content": q}],
        prompt_cache_options={"mode": "explicit"})
'''


def test_statistics_cover_gemini_and_openai(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "app.py").write_text(OTHER_PROVIDERS, encoding="utf-8")
    import os

    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        out = CliRunner().invoke(main, ["--statistics", "--no-cache", "--select", "CL017", "app.py"]).output
    finally:
        os.chdir(cwd)
    rows = {line.split()[1]: line.split()[2:] for line in out.splitlines() if line.startswith("app.py:")}
    # Gemini 2.5 Pro, no explicit cache: 1,000 x 6,250 x $1.25/M; with one: create at $1.25/M,
    # an hour of storage at $4.50/M, 1,000 reads at $0.125/M
    assert rows["gemini-2.5-pro"][1:3] == ["7.81", "0.82"]
    # already reading an explicit cache (2.5 Flash: $0.30 create, $1.00 storage, $0.03 reads)
    assert rows["gemini-2.5-flash"][1:] == ["0.20", "0.20", "(already", "cached)"]
    # gpt-5.5 caches by itself, no write fee: one call at $5/M and 999 reads at $0.50/M
    assert rows["gpt-5.5"][1:] == ["3.15", "3.15", "(already", "cached)"]
    # gpt-5.6 in explicit mode without a breakpoint pays full price; with one, a 1.25x write and 0.1x reads
    assert rows["gpt-5.6-terra"][1:3] == ["15.62", "1.58"]
