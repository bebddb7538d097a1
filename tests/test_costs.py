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
