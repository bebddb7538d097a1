"""The committed rule pages under rules/ are exactly what the rule classes render."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cachelint.cli import main
from cachelint.docs import expected_pages, render_rule_page
from cachelint.registry import all_rules

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"


def test_rules_dir_is_current() -> None:
    expected = expected_pages()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in RULES_DIR.glob("*.md")}
    stale = sorted(name for name in expected if on_disk.get(name) != expected[name])
    extra = sorted(set(on_disk) - set(expected))
    assert not stale and not extra, (
        f"rules/ is stale (outdated: {stale}, obsolete: {extra}); run `python -m cachelint.docs rules`"
    )


def test_rules_dir_is_not_a_package() -> None:
    assert not (RULES_DIR / "__init__.py").exists()


def test_pages_have_ruff_sections() -> None:
    for rule in all_rules():
        page = render_rule_page(rule)
        assert page.startswith(f"# {rule.code} {rule.name}\n")
        for heading in ("## What it does", "## Why is this bad?"):
            assert heading in page, (rule.code, heading)
        if not rule.engine_only:
            assert "## Example" in page, rule.code
        if rule.fix_applicability is not None:
            assert "## Fix safety" in page, rule.code


def test_explain_prints_the_page_by_code_and_name() -> None:
    runner = CliRunner()
    for rule in all_rules():
        by_code = runner.invoke(main, ["--explain", rule.code])
        by_name = runner.invoke(main, ["--explain", rule.name])
        assert by_code.exit_code == 0 and by_name.exit_code == 0
        assert by_code.output == render_rule_page(rule) == by_name.output


def test_explain_unknown_rule_exits_2() -> None:
    result = CliRunner().invoke(main, ["--explain", "CL999"])
    assert result.exit_code == 2
