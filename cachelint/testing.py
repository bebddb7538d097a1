"""Running a rule's examples as real projects (used by the test suite and by rule authors).

Each example becomes a small project in a temporary directory (`main.py`, its extra files,
a `pyproject.toml` with the example's config), linted by the real engine with every rule
enabled. The rule's own findings are checked; its fixes (safe and unsafe) are applied by the
real fixer, restricted to this rule so other rules cannot change the expected output.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Type

from cachelint.diagnostics import Diagnostic
from cachelint.rule import Example, Rule


@dataclass
class ExampleRun:
    diagnostics: List[Diagnostic]
    #: relative path -> text after applying this rule's fixes (only files that changed)
    fixed: Dict[str, str] = field(default_factory=dict)
    #: this rule's findings after the fix
    after_fix: List[Diagnostic] = field(default_factory=list)
    #: files changed by a second fix run (must be empty)
    second_run_changes: Dict[str, str] = field(default_factory=dict)
    errors: List[str] = field(default_factory=list)


def write_project(root: Path, example: Example) -> Path:
    """Create the example's files under `root`; returns the path of `main.py`."""
    (root / ".git").mkdir(parents=True, exist_ok=True)
    config = "[tool.cachelint]\n" + textwrap.dedent(example.config).strip() + "\n"
    (root / "pyproject.toml").write_text(config, encoding="utf-8")
    for rel, content in example.files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    main = root / "main.py"
    main.write_text(example.source, encoding="utf-8")
    return main


def run_example(rule: Type[Rule], example: Example, root: Path, fix: bool = True) -> ExampleRun:
    from cachelint.config.loader import CliOverrides, ConfigResolver
    from cachelint.engine import Engine

    main = write_project(root, example)
    resolver = ConfigResolver(root, CliOverrides())
    engine = Engine(resolver.settings_for, strict=True)
    path = str(main.resolve())
    result = engine.lint(path, explicit=True)
    run = ExampleRun([d for d in result.diagnostics if d.code == rule.code], errors=list(result.errors))
    if not fix:
        return run
    fixer = _RuleFixer(engine, rule.code)
    outcome = fixer.run({path: result}, {path})
    run.errors.extend(outcome.errors)
    for abs_path, text in outcome.changed.items():
        rel = Path(abs_path).resolve().relative_to(root.resolve()).as_posix()
        run.fixed[rel] = text
        with open(abs_path, "w", encoding="utf-8", newline="") as fh:  # keep the fix's line endings
            fh.write(text)
    after = Engine(ConfigResolver(root, CliOverrides()).settings_for, strict=True).lint(path, explicit=True)
    run.after_fix = [d for d in after.diagnostics if d.code == rule.code]
    again = _RuleFixer(Engine(ConfigResolver(root, CliOverrides()).settings_for, strict=True), rule.code)
    second = again.run({path: after}, {path})
    run.second_run_changes = dict(second.changed)
    return run


class _RuleFixer:
    """The real fixer, limited to one rule's fixes, with unsafe fixes on."""

    def __init__(self, engine: object, code: str) -> None:
        from cachelint.fix.apply import Fixer

        self.code = code
        self.fixer = Fixer(engine, unsafe_fixes=True)  # type: ignore[arg-type]
        original = self.fixer._allowed
        self.fixer._allowed = lambda d: d.code == code and original(d)  # type: ignore[assignment]

    def run(self, results: dict, explicit: set):  # type: ignore[no-untyped-def]
        return self.fixer.run(results, explicit)
