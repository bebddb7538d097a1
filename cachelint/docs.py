"""Render a rule's documentation page from its class.

The same Markdown is printed by `cachelint --explain CODE`, committed under `rules/` at the
repository root (a test fails when a page is stale), and used as SARIF `fullDescription`.
Run `python -m cachelint.docs` to regenerate `rules/`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional, Type

from cachelint.registry import all_rules, doc_page_name
from cachelint.rule import Rule, iter_option_docs

SECTION_ORDER = ("What it does", "Why is this bad?", "Fix safety", "Options", "References")


def _code_block(code: str) -> str:
    return "```python\n" + code.rstrip("\n") + "\n```"


def fix_line(rule: Type[Rule]) -> str:
    if rule.fix_applicability is None:
        return "Fix is not available."
    when = "always" if rule.fix_availability == "always" else "sometimes"
    return f"Fix is {when} available ({rule.fix_applicability.value})."


def _options_section(rule: Type[Rule]) -> Optional[str]:
    rows = list(iter_option_docs(rule.options_class))
    if not rows:
        return None
    lines = [f"Set under `[tool.cachelint.rules.{rule.code}]` (or the rule's name):", ""]
    for key, default, doc in rows:
        lines.append(f"- `{key}` (default: `{default!r}`): {doc}".rstrip())
    return "\n".join(lines)


def render_rule_page(rule: Type[Rule]) -> str:
    """The Markdown page for one rule."""
    sections = rule.doc_sections()
    out: List[str] = [f"# {rule.code} {rule.name}", "", rule.summary, "", fix_line(rule)]
    intro = sections.get("", "")
    if intro:
        out += ["", intro]
    for heading in SECTION_ORDER[:2]:
        if sections.get(heading):
            out += ["", f"## {heading}", "", sections[heading]]
    example, use_instead = rule.doc_example()
    if example is not None:
        out += ["", "## Example", ""]
        for rel, content in sorted(example.files.items()):
            out += [f"`{rel}`:", "", _code_block(_dedent(content)), ""]
        if example.files:
            out += ["`main.py`:", ""]
        out.append(_code_block(example.source))
        if use_instead is not None:
            out += ["", "Use instead:", "", _code_block(use_instead)]
    if sections.get("Fix safety"):
        out += ["", "## Fix safety", "", sections["Fix safety"]]
    options = sections.get("Options") or _options_section(rule)
    if options:
        out += ["", "## Options", "", options]
    if sections.get("References"):
        out += ["", "## References", "", sections["References"]]
    return "\n".join(out).rstrip() + "\n"


def _dedent(text: str) -> str:
    import textwrap

    return textwrap.dedent(text).lstrip("\n")


def expected_pages() -> dict:
    """File name -> content for every rule page under `rules/`."""
    return {doc_page_name(rule): render_rule_page(rule) for rule in all_rules()}


def write_pages(directory: Path) -> List[Path]:
    """Write every page into `directory` and delete pages of rules that no longer exist."""
    directory.mkdir(parents=True, exist_ok=True)
    pages = expected_pages()
    written = []
    for name, content in pages.items():
        path = directory / name
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            with open(path, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(content)
            written.append(path)
    for stale in directory.glob("CL*.md"):
        if stale.name not in pages:
            stale.unlink()
            written.append(stale)
    return written


def main(argv: Optional[List[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else Path("rules")
    for path in write_pages(target):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
