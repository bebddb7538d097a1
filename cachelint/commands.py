"""The subcommands besides the check: `cachelint rule`, `cachelint version`, `cachelint clean`.

They answer as ruff 0.17.6's do (`ruff rule F401`, `ruff version`, `ruff clean`), so
muscle memory works; `cachelint.cli.SUBCOMMANDS` routes a first argument here. Each is a
click command of its own, imported only when named.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import List, Optional, Tuple

import click

from cachelint import __version__

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


# --- rule -----------------------------------------------------------------------------------------
def _rule_json(rule: type) -> dict:
    """A rule as data: ruff's `rule --output-format json` keys that mean something here."""
    from cachelint.docs import fix_line, render_rule_page
    from cachelint.registry import rule_url

    applicability = rule.fix_applicability  # type: ignore[attr-defined]
    availability = "None" if applicability is None else ("Always" if rule.fix_availability == "always" else "Sometimes")  # type: ignore[attr-defined]
    return {
        "name": rule.name,  # type: ignore[attr-defined]
        "code": rule.code,  # type: ignore[attr-defined]
        "linter": "cachelint",
        "summary": rule.summary,  # type: ignore[attr-defined]
        "fix": fix_line(rule),
        "fix_availability": availability,
        "fix_applicability": None if applicability is None else applicability.value,
        "explanation": render_rule_page(rule),
        "url": rule_url(rule),
    }


@click.command("rule", context_settings=CONTEXT)
@click.argument("selector", metavar="[RULE]", required=False)
@click.option("--all", "all_rules", is_flag=True, help="Explain every rule.")
@click.option("--output-format", type=click.Choice(("text", "json")), default="text", show_default=True,
              help="Output format.")
def rule(selector: Optional[str], all_rules: bool, output_format: str) -> None:
    """Explain a rule (or all rules).

    Prints the rule's documentation page (as `cachelint --explain CODE` does), by code or
    name; `--all` prints every page, `--output-format json` the same as data.
    """
    from cachelint.docs import render_rule_page
    from cachelint.registry import all_rules as every_rule
    from cachelint.registry import rule_for

    if all_rules and selector is not None:
        raise click.UsageError("the argument '[RULE]' cannot be used with '--all'")
    if not all_rules and selector is None:
        raise click.UsageError("the following required arguments were not provided: <RULE|--all>")
    if all_rules:
        rules = every_rule()
    else:
        found = rule_for(selector or "")
        if found is None:
            raise click.BadParameter(f"unknown rule {selector!r} (see `cachelint rule --all`)", param_hint="'[RULE]'")
        rules = [found]
    if output_format == "json":
        data = [_rule_json(r) for r in rules]
        click.echo(json.dumps(data if all_rules else data[0], indent=2))
        return
    click.echo("\n".join(render_rule_page(r) for r in rules), nl=False)


# --- version --------------------------------------------------------------------------------------
@click.command("version", context_settings=CONTEXT)
@click.option("--output-format", type=click.Choice(("text", "json")), default="text", show_default=True,
              help="Output format.")
def version(output_format: str) -> None:
    """Display cachelint's version."""
    if output_format == "json":
        click.echo(json.dumps({"version": __version__, "commit_info": None}, indent=2))
    else:
        click.echo(f"cachelint {__version__}")


# --- clean ----------------------------------------------------------------------------------------
def _is_our_cache(directory: Path) -> bool:
    """A directory cachelint's cache wrote: named `.cachelint_cache`, or tagged by cachelint.

    A configured `cache-dir` may name any directory; it is only removed when its
    CACHEDIR.TAG says cachelint made it, so a mistyped setting cannot delete a project.
    """
    from cachelint.cache import DEFAULT_DIR

    if directory.name == DEFAULT_DIR:
        return True
    try:
        tag = (directory / "CACHEDIR.TAG").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return "created by cachelint" in tag


def _caches_under(root: Path) -> List[Path]:
    """Every `.cachelint_cache` directory under `root` (symlinks are not followed)."""
    from cachelint.cache import DEFAULT_DIR

    found: List[Path] = []
    stack = [str(root)]
    while stack:
        directory = stack.pop()
        try:
            with os.scandir(directory) as entries:
                for entry in entries:
                    try:
                        if not entry.is_dir(follow_symlinks=False):
                            continue
                    except OSError:
                        continue
                    if entry.name == DEFAULT_DIR:
                        found.append(Path(entry.path))
                    else:
                        stack.append(entry.path)
        except OSError:  # a directory that cannot be listed holds nothing we can remove
            continue
    return sorted(found)


@click.command("clean", context_settings=CONTEXT)
@click.option("--config", "config_args", multiple=True, metavar="FILE|KEY=VALUE",
              help="A config file, or an inline TOML override (for `cache-dir`).")
@click.option("--isolated", is_flag=True, help="Ignore every configuration file.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("-s", "--silent", is_flag=True, help="Print nothing.")
def clean(config_args: Tuple[str, ...], isolated: bool, quiet: bool, silent: bool) -> None:
    """Clear any caches in the current directory and any subdirectories."""
    from cachelint.cache import cache_directory
    from cachelint.config import CliOverrides, ConfigResolver
    from cachelint.output import terminal_safe
    from cachelint.settings import ConfigError

    cwd = Path.cwd()
    try:
        settings = ConfigResolver(cwd, CliOverrides(config_args=config_args, isolated=isolated)).default_settings
    except ConfigError as exc:
        click.echo(terminal_safe(f"cachelint: error: {exc}"), err=True)
        sys.exit(2)
    configured = cache_directory(os.environ.get("CACHELINT_CACHE_DIR"), settings.project_root, settings.cache_dir)
    targets = [configured] if configured.is_dir() and not configured.is_symlink() and _is_our_cache(configured) else []
    targets += [p for p in _caches_under(cwd) if p not in targets]
    failed = False
    for target in targets:
        try:
            shown = os.path.relpath(target, cwd)
        except ValueError:
            shown = str(target)
        if not (quiet or silent):
            click.echo(terminal_safe(f"Removing cache at: {shown}"), err=True)
        try:
            shutil.rmtree(target)
        except OSError as exc:
            failed = True
            if not silent:
                click.echo(terminal_safe(f"cachelint: error: cannot remove {shown}: {exc.strerror or exc}"), err=True)
    sys.exit(2 if failed else 0)
