"""The `cachelint` command: ruff's flags (`cachelint src/`, `cachelint --fix src/`) and
subcommands (`cachelint rule CL001`, `cachelint version`, `cachelint clean`).

It is deliberately not a click group: `cachelint src/` must not read `src/` as a subcommand.
A first argument that names a subcommand (`SUBCOMMANDS`) runs it; `cachelint check ...` is
the check, as in ruff.

Exit codes (as ruff): 0 = clean or everything fixed; 1 = findings remain (files that do not
parse count); 2 = bad configuration, unknown rule selector, or an internal error.
`--exit-zero` never hides 2. Findings go to stdout (or `-o FILE`); summaries and log lines
go to stderr.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Set, Tuple

import click

from cachelint.version import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


#: Set to a list by `python -m cachelint` (`cachelint.__main__`), which then leaves with
#: `os._exit`: the engine of the run is put here, so its parsed modules are not freed one
#: object at a time on the way out (the syntax tree of a 3 MB module, 400,000 nodes, takes
#: 0.1 s to free). None otherwise (tests call `main` in-process, over and over).
KEPT_UNTIL_EXIT: Optional[List[Any]] = None


class Fail(Exception):
    """A user-facing error: one line on stderr and exit code 2."""


def _split(values: Sequence[str], flag: str = "") -> Tuple[str, ...]:
    """Comma-separated selectors of a repeated flag; an empty one is a usage error (as ruff)."""
    out: List[str] = []
    for value in values:
        parts = [part.strip() for part in value.split(",") if part.strip()]
        if not parts:
            raise Fail(f"{flag}: empty rule selector {value!r}")
        out.extend(parts)
    return tuple(out)


def _err(message: str, color: bool = False) -> None:
    click.echo(message, err=True, color=True if color else None)


def _err_line(line: str) -> None:
    """One line on stderr that quotes outside text (a path, a message with values from the
    linted code, an exception): control characters are escaped, so it stays one line and
    cannot drive the terminal."""
    from cachelint.output import terminal_safe

    _echo(terminal_safe(line), err=True)


def _warn(message: str) -> None:
    """One `cachelint: warning: ...` line on stderr: the run goes on, the exit code is unchanged."""
    _err_line(f"cachelint: warning: {message}")


#: ruff 0.17.6's warning when the given paths hold no Python file (it exits 0 too)
NO_FILES = "No Python files found under the given path(s)"


def _echo(text: str, nl: bool = True, err: bool = False, color: bool = False) -> None:
    """`click.echo` for text that may hold a file name that is not UTF-8.

    `os.fsdecode` keeps such a name's bytes as lone surrogates. A stream with the
    surrogateescape handler (the C locale) writes the bytes as the file system has them;
    a strict one (an en_US.UTF-8 terminal, PYTHONIOENCODING=utf-8) would raise, so the
    bytes are spelled `\\xNN` instead. The text is encoded before anything is written, so
    nothing is printed twice. With `color`, ANSI colours are written even where click would
    strip them (not a terminal: `--color always`, `FORCE_COLOR`).
    """
    try:
        click.echo(text, nl=nl, err=err, color=True if color else None)
    except UnicodeEncodeError:
        from cachelint.output import utf8_safe

        stream = sys.stderr if err else sys.stdout
        safe = utf8_safe(text) + ("\n" if nl else "")
        buffer = getattr(stream, "buffer", None)
        if buffer is None:
            click.echo(safe.encode("ascii", "backslashreplace").decode("ascii"), nl=False, err=err)
            return
        stream.flush()
        buffer.write(safe.encode(getattr(stream, "encoding", None) or "utf-8", "backslashreplace"))
        buffer.flush()


#: Subcommands: `cachelint NAME ...` runs the click command at "module:attribute" (imported
#: only when used). Any other first argument is a path or a flag of the check, so
#: `cachelint src/` lints `src/`; a directory named like a subcommand is linted with
#: `cachelint ./rule` or `cachelint check rule`. Add a command here to add a subcommand
#: (the language server's `server` is one).
SUBCOMMANDS: Dict[str, str] = {
    "rule": "cachelint.commands:rule",
    "version": "cachelint.commands:version",
    "clean": "cachelint.commands:clean",
    "server": "cachelint.server:command",
}


def subcommand(name: str) -> click.Command:
    """The click command of subcommand `name` (see `SUBCOMMANDS`)."""
    import importlib

    module, _, attribute = SUBCOMMANDS[name].partition(":")
    return getattr(importlib.import_module(module), attribute)


#: Flags whose value is optional and must be attached with `=` (ruff's `--add-ignore[=REASON]`):
#: `--add-ignore src/` adds comments in `src/`, it does not take `src/` as the reason.
OPTIONAL_VALUE_FLAGS = ("--add-ignore",)


def _attach_optional_values(args: List[str]) -> List[str]:
    """`--add-ignore` alone becomes `--add-ignore=` (no reason); paths after `--` are left alone."""
    out: List[str] = []
    for index, arg in enumerate(args):
        if arg == "--":
            return out + args[index:]
        out.append(arg + "=" if arg in OPTIONAL_VALUE_FLAGS else arg)
    return out


class CachelintCommand(click.Command):
    """The check, plus the subcommands a first argument in `SUBCOMMANDS` names.

    Not a click group: a group would read `cachelint src/` as a subcommand `src/`, and
    `main.params` stays the check's flags (what `--help`, the README and the tests list).
    """

    def main(self, args: Optional[Sequence[str]] = None, prog_name: Optional[str] = None, **extra: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        if argv and argv[0] in SUBCOMMANDS:
            name = argv[0]
            return subcommand(name).main(argv[1:], prog_name=f"{prog_name or 'cachelint'} {name}", **extra)
        if argv and argv[0] == "check":  # ruff's spelling of the default command
            argv = argv[1:]
        return super().main(_attach_optional_values(argv), prog_name=prog_name, **extra)

    # Ctrl-C while click reads the arguments, or before `main`'s own handler is reached:
    # click would print "Aborted!" and exit 1; an interrupted run says so and exits 130
    # wherever the interrupt lands.
    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except KeyboardInterrupt:
            _err("cachelint: interrupted")
            sys.exit(130)

    def invoke(self, ctx: click.Context) -> Any:
        from cachelint.runner.collector import tuned_for_lint_run

        try:
            with tuned_for_lint_run():
                return super().invoke(ctx)
        except KeyboardInterrupt:
            _err("cachelint: interrupted")
            sys.exit(130)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [("check", "Lint the given paths (the default command)")]
        for name in SUBCOMMANDS:
            try:
                rows.append((name, subcommand(name).get_short_help_str(limit=80)))
            except Exception:  # a subcommand that cannot be imported is left out of the help
                continue
        with formatter.section("Commands (cachelint COMMAND --help)"):
            formatter.write_dl(rows)
        super().format_epilog(ctx, formatter)


@click.command(cls=CachelintCommand, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
# readable=False: click's own readability check would end the run with a usage error for
# one unreadable file; cachelint reports it as a CL000 finding and lints the rest.
@click.argument("paths", nargs=-1, type=click.Path(readable=False))
@click.option("--fix/--no-fix", "fix", default=None,
              help="Apply safe fixes (and unsafe ones with --unsafe-fixes); --no-fix overrides `fix = true`.")
@click.option("--unsafe-fixes/--no-unsafe-fixes", "unsafe_fixes", default=None,
              help="Also apply (and count as fixable) fixes that change prompt text or order.")
@click.option("--fix-only/--no-fix-only", "fix_only", default=None,
              help="Apply fixes but do not report what remains (exit 0 unless --exit-non-zero-on-fix). Implies --fix.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff instead of writing them; exit 1 if any.")
@click.option("-w", "--watch", is_flag=True, help="Run again whenever a linted file or a config file changes (Ctrl-C stops).")
@click.option("--show-fixes", is_flag=True, help="List the fixes that were applied.")
@click.option("--statistics", is_flag=True,
              help="Print the number of findings per rule instead of the findings, and each call site's prefix cost per 1,000 calls.")
@click.option("-e", "--exit-zero", is_flag=True, help="Exit 0 even when findings remain (errors still exit 2).")
@click.option("--exit-non-zero-on-fix", is_flag=True, help="Exit 1 when any fix was applied, even if nothing remains.")
@click.option("--select", multiple=True, metavar="RULES", help="Rules to enable: codes, prefixes (CL00) or names; comma-separated.")
@click.option("--extend-select", multiple=True, metavar="RULES", help="Rules to enable on top of the configured ones.")
@click.option("--ignore", multiple=True, metavar="RULES", help="Rules to disable.")
@click.option("--per-file-ignores", multiple=True, metavar="GLOB:RULE",
              help="Rules to disable in matching files (replaces the configured ones); comma-separated pairs.")
@click.option("--extend-per-file-ignores", multiple=True, metavar="GLOB:RULE",
              help="Like --per-file-ignores, on top of the configured ones.")
@click.option("--exclude", multiple=True, metavar="GLOB",
              help="Paths to leave out (replaces the configured excludes and the defaults); comma-separated.")
@click.option("--extend-exclude", multiple=True, metavar="GLOB", help="Paths to leave out on top of the configured excludes.")
@click.option("--output-format", envvar="CACHELINT_OUTPUT_FORMAT", metavar="FORMAT",
              help="full (default), concise, json, json-lines, github, gitlab, sarif, junit.")
@click.option("-o", "--output-file", type=click.Path(dir_okay=False, readable=False), help="Write findings to this file instead of stdout.")
@click.option("--config", "config_args", multiple=True, metavar="FILE|KEY=VALUE",
              help="A config file for every linted file, or an inline TOML override (`select = [\"CL001\"]`).")
@click.option("--isolated", is_flag=True, help="Ignore every configuration file.")
@click.option("--force-exclude/--no-force-exclude", default=None, help="Apply excludes to explicitly named files too (pre-commit).")
@click.option("--stdin-filename", metavar="PATH", help="Lint source read from stdin as if it were PATH.")
@click.option("-n", "--no-cache", is_flag=True, help="Do not read or write the result cache.")
@click.option("--cache-dir", envvar="CACHELINT_CACHE_DIR", metavar="DIR", help="Where to keep the result cache.")
@click.option("--explain", metavar="CODE", help="Print the documentation of a rule (code or name); as `cachelint rule CODE`.")
@click.option("--list-rules", is_flag=True, help="List every rule.")
@click.option("--show-settings", is_flag=True, help="Print the settings that apply to the first path (or the current directory).")
@click.option("--show-files", is_flag=True, help="Print the files that would be linted.")
@click.option("--show-requests", is_flag=True, help="Print the LLM requests found in the given files and how they were resolved.")
@click.option("--add-ignore", "add_ignore", default=None, metavar="[=REASON]",
              help="Add `# cachelint: ignore[...]` comments for every finding (baseline a codebase); "
                   "--add-ignore=REASON puts REASON after each.")
@click.option("-j", "--jobs", type=int, default=None, help="Worker processes (default: one per core).")
@click.option("--color", type=click.Choice(("auto", "always", "never")), default=None,
              help="Colour the findings and summaries: auto (a terminal, unless NO_COLOR), always, never.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary.")
@click.option("-s", "--silent", is_flag=True, help="Print nothing; only the exit code speaks.")
@click.option("-v", "--verbose", is_flag=True, help="Show timings per phase, the slowest files, and what the analysis skipped.")
@click.version_option(__version__, "-V", "--version", prog_name="cachelint")
def main(**options: object) -> None:
    """Find and fix prompt-caching mistakes in code that calls LLM SDKs."""
    from cachelint.signals import EXIT_TERMINATED, Terminated, sigterm_unwinds

    try:
        with sigterm_unwinds():  # SIGTERM runs the `finally` blocks (temporary files) too
            code = run(**options)  # type: ignore[arg-type]
    except Fail as exc:
        _err_line(f"cachelint: error: {exc}")
        code = EXIT_ERROR
    except KeyboardInterrupt:
        _err("cachelint: interrupted")
        code = 130
    except Terminated:
        _err("cachelint: terminated")
        code = EXIT_TERMINATED
    except Exception as exc:  # a bug in cachelint: one line, the traceback only with --verbose
        if _interrupted(exc):
            _err("cachelint: interrupted")
            sys.exit(130)
        if options.get("verbose"):
            import traceback

            traceback.print_exc()
        _err_line(f"cachelint: internal error: {type(exc).__name__}: {exc}")
        _err("This is a bug in cachelint; please report it" + ("." if options.get("verbose") else " with the output of --verbose."))
        code = EXIT_ERROR
    sys.exit(code)


def _interrupted(exc: BaseException) -> bool:
    """True when Ctrl-C caused `exc`: Python wraps a KeyboardInterrupt landing in some
    places of class creation (`RuntimeError: Error calling __set_name__`) in an error of
    its own. That is an interruption to report as one, not a bug in cachelint."""
    seen = set()
    cause: Optional[BaseException] = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False


def _pairs(values: Sequence[str], flag: str) -> Tuple[Tuple[str, str], ...]:
    """`GLOB:RULE` pairs of a repeated, comma-separated flag (ruff's `--per-file-ignores`)."""
    out: List[Tuple[str, str]] = []
    for value in values:
        for part in value.split(","):
            pattern, sep, selector = part.strip().rpartition(":")
            if not sep or not pattern.strip() or not selector.strip():
                raise Fail(f"{flag}: invalid value {part.strip()!r}: expected GLOB:RULE (e.g. 'tests/*:CL001')")
            out.append((pattern.strip(), selector.strip()))
    return tuple(out)


def _globs(values: Sequence[str]) -> Tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def fix_modes(fix: Optional[bool], fix_only: Optional[bool], settings: Any) -> Tuple[bool, bool]:
    """(fix, fix-only) from the flags, else the settings (`fix`, `fix-only`); fix-only implies
    fix, and `--no-fix` does not undo `--fix-only` (as in ruff)."""
    only = bool(fix_only if fix_only is not None else settings.fix_only)
    return only or bool(fix if fix is not None else settings.fix), only


def _watch_run_once(paths: List[str], cwd: Path, overrides: Any, force_exclude: Optional[bool], options: Dict[str, Any],
             verbose: bool, talk: bool) -> None:
    """One lint of `paths`, printed the way watch mode prints it."""
    from cachelint.watch import say, stamp
    from cachelint.config.loader import ConfigResolver
    from cachelint.registry import UnknownSelector
    from cachelint.config.settings import ConfigError

    try:
        resolver = ConfigResolver(cwd, overrides, warn=_warn if talk else None)
        session = Session(resolver, overrides, cwd, verbose=verbose, color=options["color"])
        fix, fix_only = fix_modes(options["fix"], options["fix_only"], resolver.default_settings)

        def header(count: int) -> None:
            say(f"{stamp()} Found {count} error{'' if count == 1 else 's'}. Watching for file changes.\n")
            if count and not (options["silent"] or fix_only):
                say("\n")

        session.before_findings = header
        files = session.discover(paths, force_exclude, defer_generated=True)
        session.check(files, fix=fix or options["diff"], write=not options["diff"], diff=options["diff"],
                      unsafe=options["unsafe"], show_fixes=options["show_fixes"], statistics=False,
                      exit_zero=True, exit_non_zero_on_fix=False, output_format=options["output_format"],
                      output_file=options["output_file"], use_cache=options["use_cache"],
                      cache_dir=options["cache_dir"], add_ignore=None, jobs=options["jobs"], quiet=True,
                      silent=options["silent"], fix_only=fix_only)
    except (ConfigError, UnknownSelector, Fail) as exc:  # fix the config and save: it runs again
        _err_line(f"cachelint: error: {exc}")


#: Flags `--watch` cannot be combined with (ruff refuses the same ones, and stdin).
WATCH_CONFLICTS = (
    ("show_files", "--show-files"),
    ("show_settings", "--show-settings"),
    ("show_requests", "--show-requests"),
    ("add_ignore", "--add-ignore"),
    ("statistics", "--statistics"),
    ("stdin_filename", "--stdin-filename"),
)


def run(
    paths: Tuple[str, ...],
    fix: Optional[bool],
    unsafe_fixes: Optional[bool],
    fix_only: Optional[bool],
    diff: bool,
    watch: bool,
    show_fixes: bool,
    statistics: bool,
    exit_zero: bool,
    exit_non_zero_on_fix: bool,
    select: Tuple[str, ...],
    extend_select: Tuple[str, ...],
    ignore: Tuple[str, ...],
    per_file_ignores: Tuple[str, ...],
    extend_per_file_ignores: Tuple[str, ...],
    exclude: Tuple[str, ...],
    extend_exclude: Tuple[str, ...],
    output_format: Optional[str],
    output_file: Optional[str],
    config_args: Tuple[str, ...],
    isolated: bool,
    force_exclude: Optional[bool],
    stdin_filename: Optional[str],
    no_cache: bool,
    cache_dir: Optional[str],
    explain: Optional[str],
    list_rules: bool,
    show_settings: bool,
    show_files: bool,
    show_requests: bool,
    add_ignore: Optional[str],
    jobs: Optional[int],
    color: Optional[str],
    quiet: bool,
    silent: bool,
    verbose: bool,
) -> int:
    from cachelint.output import FORMATS

    if explain is not None:
        return _explain(explain)
    if list_rules:
        return _list_rules()
    if output_format is not None and output_format not in FORMATS:
        raise Fail(f"--output-format: unknown format {output_format!r} (expected one of: {', '.join(FORMATS)})")
    if add_ignore is not None and ("\n" in add_ignore or "\r" in add_ignore):
        raise Fail("--add-ignore <reason> cannot contain newline characters")  # ruff's words
    if watch:
        given = locals()
        for name, flag in WATCH_CONFLICTS:
            if given[name] not in (None, False, ()):
                raise Fail(f"the argument '--watch' cannot be used with '{flag}'")
        if paths == ("-",):
            raise Fail("the argument '--watch' cannot be used with stdin")

    from cachelint.config.loader import CliOverrides, ConfigResolver
    from cachelint.registry import UnknownSelector
    from cachelint.config.settings import ConfigError

    overrides = CliOverrides(
        select=_split(select, "--select") if select else None,
        extend_select=_split(extend_select, "--extend-select"),
        ignore=_split(ignore, "--ignore"),
        unsafe_fixes=unsafe_fixes,
        output_format=output_format,
        cache_dir=cache_dir,
        force_exclude=force_exclude,
        fix=fix,
        fix_only=fix_only,
        exclude=_globs(exclude) if exclude else None,
        extend_exclude=_globs(extend_exclude),
        per_file_ignores=_pairs(per_file_ignores, "--per-file-ignores") if per_file_ignores else None,
        extend_per_file_ignores=_pairs(extend_per_file_ignores, "--extend-per-file-ignores"),
        config_args=config_args,
        isolated=isolated,
    )
    cwd = Path.cwd()
    talk = not (quiet or silent)  # ruff prints no warnings under --quiet either
    if watch:
        from cachelint.watch import watch as watch_loop

        options = dict(fix=fix, fix_only=fix_only, unsafe=unsafe_fixes, diff=diff, show_fixes=show_fixes,
                       exit_zero=exit_zero,
                       exit_non_zero_on_fix=exit_non_zero_on_fix, output_format=output_format,
                       output_file=output_file, use_cache=not no_cache, cache_dir=cache_dir, jobs=jobs,
                       quiet=quiet, silent=silent, color=color)
        targets = list(paths) or ["."]
        return watch_loop(targets, cwd, lambda: _watch_run_once(targets, cwd, overrides, force_exclude, options, verbose, talk))
    try:
        resolver = ConfigResolver(cwd, overrides, warn=_warn if talk else None)
    except (ConfigError, UnknownSelector) as exc:
        raise Fail(str(exc))
    session = Session(resolver, overrides, cwd, verbose=verbose, color=color)
    fix, fix_only = fix_modes(fix, fix_only, resolver.default_settings)
    try:
        if show_settings:
            from cachelint.config.loader import format_settings

            target = Path(paths[0]) if paths else cwd
            click.echo(format_settings(resolver.settings_for(target)))
            return EXIT_OK
        if stdin_filename is not None or paths == ("-",):
            return session.stdin(stdin_filename or "-", fix=fix, diff=diff, output_format=output_format,
                                 unsafe=unsafe_fixes, exit_zero=exit_zero or fix_only, quiet=quiet or silent,
                                 silent=silent, output_file=output_file, statistics=statistics,
                                 exit_non_zero_on_fix=exit_non_zero_on_fix, force_exclude=force_exclude,
                                 fix_only=fix_only)
        # Linting leaves the generated-code check of walked files to the linter (a cache
        # hit vouches for it); listings need it now.
        discovery = session.discover(list(paths) or ["."], force_exclude,
                                     defer_generated=not (show_files or show_requests))
        if not discovery and talk:
            _warn(NO_FILES)  # ruff's words; "All checks passed!" would claim a check
        if show_files:
            for path in discovery:
                _echo(session.display(path))
            return EXIT_OK
        if show_requests:
            return session.show_requests(discovery, output_format)
        return session.check(
            discovery,
            fix=fix or diff,
            write=not diff,
            diff=diff,
            unsafe=unsafe_fixes,
            show_fixes=show_fixes,
            statistics=statistics,
            exit_zero=exit_zero,
            exit_non_zero_on_fix=exit_non_zero_on_fix,
            output_format=output_format,
            output_file=output_file,
            use_cache=not no_cache,
            cache_dir=cache_dir,
            add_ignore=add_ignore,
            jobs=jobs,
            quiet=quiet or silent,
            silent=silent,
            fix_only=fix_only,
        )
    except (ConfigError, UnknownSelector) as exc:
        raise Fail(str(exc))


def _explain(selector: str) -> int:
    from cachelint.docs import render_rule_page
    from cachelint.registry import rule_for

    rule = rule_for(selector)
    if rule is None:
        raise Fail(f"--explain: unknown rule {selector!r} (see `cachelint --list-rules`)")
    click.echo(render_rule_page(rule), nl=False)
    return EXIT_OK


def _list_rules() -> int:
    from cachelint.registry import all_rules

    rows = []
    for rule in all_rules():
        fix = "" if rule.fix_applicability is None else f"fix: {rule.fix_applicability.value}"
        rows.append((rule.code, rule.name, fix, rule.summary))
    width = max(len(r[1]) for r in rows)
    for code, name, fix, summary in rows:
        click.echo(f"{code}  {name:<{width}}  {fix:<11}  {summary}")
    return EXIT_OK


class Session:
    """One invocation: the resolver, an engine, timings, and the printing logic."""

    def __init__(self, resolver: object, overrides: object, cwd: Path, verbose: bool,
                 color: Optional[str] = None) -> None:
        from cachelint.engine import Engine
        from cachelint.output.style import use_color

        self.resolver = resolver
        #: whether what goes to stdout / stderr is coloured (`--color`)
        self.color_out = use_color(color, sys.stdout)
        self.color_err = use_color(color, sys.stderr)
        #: `--watch`: called with the number of findings before they are printed
        self.before_findings: Optional[Callable[[int], None]] = None
        self.overrides = overrides
        self.cwd = Path(resolver.cwd)  # type: ignore[attr-defined]
        self.verbose = verbose
        self.engine = Engine(resolver.settings_for)  # type: ignore[attr-defined]
        self.explicit: Set[str] = set()
        self.discovery_errors: List[Tuple[str, str]] = []
        self.unchecked_generated: Set[str] = set()
        self.phase_times: Dict[str, float] = Counter()

    def display(self, path: str) -> str:
        try:
            rel = os.path.relpath(path, self.cwd)
        except ValueError:
            return path
        return path if rel.startswith("..") else rel

    def discover(self, paths: List[str], force_exclude: Optional[bool], defer_generated: bool = False) -> List[str]:
        from cachelint.discovery.walk import discover

        start = time.perf_counter()
        found = discover(paths, self.resolver, force_exclude=force_exclude,  # type: ignore[arg-type]
                         defer_generated=defer_generated)
        self.phase_times["discover"] += time.perf_counter() - start
        self.discovery_errors = list(found.errors)
        self.unchecked_generated = found.unchecked_generated
        for given in paths:
            candidate = Path(given) if os.path.isabs(given) else self.cwd / given
            # os.path.isfile: Path.is_file raises PermissionError inside a directory that
            # cannot be searched; discovery has already reported that path as a CL000
            if os.path.isfile(candidate):
                self.explicit.add(os.path.realpath(candidate))
        return found.paths

    # --- linting ----------------------------------------------------------------------------------
    def check(self, files: List[str], *, fix: bool, write: bool, diff: bool, unsafe: Optional[bool], show_fixes: bool,
              statistics: bool, exit_zero: bool, exit_non_zero_on_fix: bool, output_format: Optional[str],
              output_file: Optional[str], use_cache: bool, cache_dir: Optional[str], add_ignore: Optional[str],
              jobs: Optional[int], quiet: bool, silent: bool, fix_only: bool = False) -> int:
        """Lint (and fix) `files` and print what the flags ask for; the exit code.

        `add_ignore` is None, or the reason to write after each added comment ("" for
        none). `fix_only` fixes and reports only how many were fixed (ruff's `--fix-only`).
        """
        from cachelint.cache.results import ResultCache, cache_directory
        from cachelint.diagnostics import drop_repeats_at_callers, sort_diagnostics
        from cachelint.engine import invalid_source
        from cachelint.runner.lint import lint_files

        settings = self.resolver.default_settings  # type: ignore[attr-defined]
        unsafe_fixes = bool(unsafe if unsafe is not None else settings.unsafe_fixes)
        fmt = output_format or settings.output_format or "full"
        cache = None
        if use_cache:
            cache = ResultCache(cache_directory(cache_dir, settings.project_root, settings.cache_dir))
        start = time.perf_counter()
        results = lint_files(self.engine, files, self.explicit, cwd=self.cwd, overrides=self.overrides, cache=cache, jobs=jobs,
                             skip_generated=self.unchecked_generated)
        self.phase_times["lint"] += time.perf_counter() - start
        if KEPT_UNTIL_EXIT is not None:
            KEPT_UNTIL_EXIT[:] = [self.engine]  # the latest only: `--watch` lints again and again
        errors: List[str] = [e for r in results.values() for e in r.errors]
        extra = [invalid_source(os.path.abspath(p), f"cannot lint: {reason}") for p, reason in self.discovery_errors]
        fixed_count = 0
        outcome = None
        if fix:
            from cachelint.fix.apply import Fixer

            start = time.perf_counter()
            pre_fix = dict(results)
            outcome = Fixer(self.engine, unsafe_fixes).run(results, self.explicit)
            self.phase_times["fix"] += time.perf_counter() - start
            results = outcome.results
            errors = [e for r in results.values() for e in r.errors] + outcome.errors
            fixed_count = outcome.fixed_count
            if diff:
                text = self._diff(outcome)
                if not silent and text:
                    _echo(text, nl=False, color=self.color_out)
                if not quiet:
                    # what could not be diffed at all, as ruff's "Failed to lint" warnings
                    for d in sort_diagnostics([d for r in results.values() for d in r.diagnostics] + extra):
                        if d.code == "CL000":
                            _warn(f"{self.display(d.path)}:{d.location.row}:{d.location.column}: {d.message}")
                if not quiet:
                    n = len(outcome.changed)
                    _err(f"Would fix {outcome.fixed_count} error{'s' if outcome.fixed_count != 1 else ''} in {n} file{'s' if n != 1 else ''}." if n else "No fixes would be applied.")
                for error in errors:
                    _err_line(f"cachelint: error: {error}")
                if errors:
                    return EXIT_ERROR
                return EXIT_FINDINGS if outcome.changed and not exit_zero else EXIT_OK
            if write:
                write_errors, unwritten = self._write(outcome)
                errors.extend(write_errors)
                # An unwritten file keeps its findings and counts no fixes: the summary
                # describes what is on disk.
                for key, before in list(pre_fix.items()):
                    if before.path in unwritten:
                        results[key] = before
                        outcome.fixed.pop(before.path, None)
                fixed_count = outcome.fixed_count
        every = sort_diagnostics([d for r in results.values() for d in r.diagnostics] + extra)
        if add_ignore is not None:
            # every finding gets its comment, the repeats at callers too: suppressing only
            # the own site would bring them back on the next run
            return self._add_ignore(results, every, quiet, add_ignore)
        diagnostics = drop_repeats_at_callers(every)
        if self.before_findings is not None:
            self.before_findings(len(diagnostics))
        start = time.perf_counter()
        if not silent and not fix_only:  # --fix-only reports no leftover finding (as ruff)
            self._emit(diagnostics, fmt, output_file, unsafe_fixes, statistics)
            if statistics and not output_file:
                self._emit_costs(results)
        self.phase_times["output"] += time.perf_counter() - start
        if not quiet:
            self._summary(diagnostics, outcome, fix, unsafe_fixes, show_fixes, checked=bool(files),
                          fix_only=fix_only)
        for error in errors:
            _err_line(f"cachelint: error: {error}")
        if self.verbose:
            self._verbose(results)
        if cache is not None:
            cache.save()
        if errors:
            return EXIT_ERROR
        if exit_non_zero_on_fix and fixed_count:
            return EXIT_FINDINGS
        if diagnostics and not exit_zero and not fix_only:
            return EXIT_FINDINGS
        return EXIT_OK

    def _emit_costs(self, results: dict) -> None:
        """`--statistics`: the static-prefix cost per 1,000 calls of each call site."""
        from cachelint.output.costs_table import render_costs

        table = render_costs([row for r in results.values() for row in r.costs], self.display)
        if table:
            click.echo("")
            click.echo(table)

    def _emit(self, diagnostics: list, fmt: str, output_file: Optional[str], unsafe_fixes: bool, statistics: bool,
              to_stderr: bool = False, sources: Optional[Dict[str, Optional[str]]] = None) -> None:
        """Print the findings (stdout, stderr with `to_stderr`, or `-o FILE`).

        `sources` gives texts that are not on disk as linted (stdin), for the snippets.
        """
        from cachelint.output import OutputContext, render
        from cachelint.output import summary as summaries

        settings = self.resolver.default_settings  # type: ignore[attr-defined]
        given = dict(sources or {})

        def read_text(path: str) -> Optional[str]:
            return given[path] if path in given else _read_text(path)

        color = False if output_file else (self.color_err if to_stderr else self.color_out)
        ctx = OutputContext(cwd=self.cwd, project_root=settings.project_root, unsafe_fixes=unsafe_fixes, read_text=read_text,
                            color=color)
        text = summaries.statistics(diagnostics, unsafe_fixes, color) + ("\n" if diagnostics else "") if statistics else render(fmt, diagnostics, ctx)
        if output_file:
            try:
                # a text format keeps a file name's bytes as the file system has them
                Path(output_file).write_text(text, encoding="utf-8", errors="surrogateescape")
            except OSError as exc:
                raise Fail(f"--output-file: cannot write {output_file}: {exc.strerror}")
        elif text:
            _echo(text, nl=False, err=to_stderr, color=color)
        summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
        if fmt == "github" and summary_path:
            from cachelint.output.github import write_step_summary

            try:
                write_step_summary(diagnostics, ctx, summary_path)
            except OSError as exc:
                _err(f"cachelint: warning: cannot write the job summary to {summary_path}: {exc.strerror}")

    def _summary(self, diagnostics: list, outcome: object, fix: bool, unsafe_fixes: bool, show_fixes: bool,
                 checked: bool = True, fix_only: bool = False) -> None:
        """The lines after the findings. Without a file `checked` (the paths held no Python
        file: `run` has warned so) "All checks passed!" would claim checks that never ran.
        Under `--fix-only`: `Fixed N errors.` (nothing when nothing was fixed), as ruff."""
        from cachelint.output import summary as summaries

        color = self.color_err
        fixed = outcome.fixed_count if outcome is not None else 0  # type: ignore[attr-defined]
        if show_fixes and outcome is not None and fixed:
            block = summaries.show_fixes(outcome.fixed, self.cwd, color)  # type: ignore[attr-defined]
            if block:
                _err("")
                _err(block, color=color)
                _err("")
        if fix_only:
            line = summaries.fixed_summary(fixed)
            if line:
                _err(line)
            return
        line = summaries.found_summary(len(diagnostics), fixed, fix_mode=fix, color=color)
        if line and (checked or diagnostics):
            _err(line, color=color)
        hint = summaries.fix_hint(diagnostics, unsafe_fixes, color)
        if hint:
            _err(hint, color=color)

    def _write(self, outcome: object) -> Tuple[List[str], Set[str]]:
        """Write every changed file; (error lines, paths left unwritten)."""
        from cachelint.source import content_digest
        from cachelint.writer import WriteError, write_atomic

        errors: List[str] = []
        unwritten: Set[str] = set()
        for path, text in sorted(outcome.changed.items()):  # type: ignore[attr-defined]
            source = outcome.originals[path]  # type: ignore[attr-defined]
            try:
                write_atomic(source, text, expected_digest=content_digest(source.raw))
            except WriteError as exc:
                errors.append(f"{self.display(path)}: {exc}")
                unwritten.add(path)
        return errors, unwritten

    def _diff(self, outcome: object) -> str:
        from cachelint.output.diff import colored_diff, unified_diff

        chunks: List[str] = []
        for path, text in sorted(outcome.changed.items()):  # type: ignore[attr-defined]
            chunks.extend(unified_diff(outcome.originals[path], text, self.display(path)))  # type: ignore[attr-defined]
        return colored_diff(chunks, self.color_out)

    def _add_ignore(self, results: dict, diagnostics: list, quiet: bool, reason: str = "") -> int:
        from cachelint.source import quiet_warnings

        with quiet_warnings():  # parsing the user's files: their warnings are not ours to print
            return self._add_ignore_quietly(results, diagnostics, quiet, reason.strip())

    def _add_ignore_quietly(self, results: dict, diagnostics: list, quiet: bool, reason: str = "") -> int:
        from cachelint.source import decode_source
        from cachelint.syntax import parse_module
        from cachelint.suppress import add_ignore_directives
        from cachelint.source import content_digest
        from cachelint.writer import WriteError, write_atomic

        total = 0
        errors = []
        by_path: Dict[str, list] = {}
        for d in diagnostics:
            if d.code not in ("CL000", "CL100"):
                by_path.setdefault(d.path, []).append(d)
        for path, found in sorted(by_path.items()):
            try:
                with open(path, "rb") as fh:
                    raw = fh.read()
                source = decode_source(path, raw)
                outcome = parse_module(source.text, path)
                if outcome.tree is None:
                    raise ValueError(outcome.error[0] if outcome.error else "cannot parse")
                tree = outcome.tree
            except Exception as exc:  # unreadable now: say so, keep going
                errors.append(f"{self.display(path)}: cannot add ignore comments: {exc}")
                continue
            text, count = add_ignore_directives(source, tree, found, reason)
            if count:
                try:
                    write_atomic(source, text, expected_digest=content_digest(raw))
                    total += count
                except WriteError as exc:
                    errors.append(f"{self.display(path)}: {exc}")
        if not quiet and total:  # ruff's words; it says nothing when nothing was added
            _err(f"Added {total} ignore comment{'s' if total != 1 else ''}.")
        for error in errors:
            _err_line(f"cachelint: error: {error}")
        return EXIT_ERROR if errors else EXIT_OK

    def _verbose(self, results: dict) -> None:
        from cachelint.engine import SKIPPED_INSTALLED_SDK

        phases: Counter = Counter(self.phase_times)
        for result in results.values():
            for phase, seconds in result.timings.items():
                phases[phase] += seconds
        analysed = sum(1 for r in results.values() if r.skipped is None)
        installed = sum(1 for r in results.values() if r.skipped == SKIPPED_INSTALLED_SDK)
        _err(f"cachelint {__version__}: {len(results)} files, {analysed} analysed, "
             f"{len(results) - analysed - installed} skipped by the prefilter"
             + (f", {installed} installed SDK sources skipped" if installed else ""))
        _err("time per phase (seconds; per-file phases summed over worker processes):")
        for phase in ("discover", "prefilter", "parse", "analyse", "rules", "suppress", "lint", "fix", "output"):
            if phase in phases:
                _err(f"  {phase:<10} {phases[phase]:8.3f}")
        parses = [p for r in results.values() for p in r.parsed]
        distinct = len(set(parses))
        _err(f"modules parsed: {len(parses)} parses of {distinct} files"
             + (f" ({len(parses) - distinct} again: in another worker process, or after the memory bound dropped "
                "the tree)" if len(parses) > distinct else " (each once)"))
        slowest = sorted(results.values(), key=lambda r: -sum(r.timings.values()))[:10]
        slowest = [r for r in slowest if r.timings]
        if slowest:
            _err("slowest files:")
            for result in slowest:
                _err_line(f"  {sum(result.timings.values()):8.3f}  {self.display(result.path)}")
        for result in results.values():
            for note in result.notes:
                _err_line(f"  note: {self.display(result.path)}: {note}")

    # --- stdin ------------------------------------------------------------------------------------
    def stdin(self, filename: str, *, fix: bool, diff: bool, output_format: Optional[str], unsafe: Optional[bool],
              exit_zero: bool, quiet: bool, silent: bool, output_file: Optional[str] = None,
              statistics: bool = False, exit_non_zero_on_fix: bool = False,
              force_exclude: Optional[bool] = None, fix_only: bool = False) -> int:
        """Lint (and fix) source read from stdin as if it were `filename`, as ruff does.

        Without `--fix` the findings go to stdout (or `-o`), the summary to stderr. With
        `--fix` stdout gets the whole file, fixed, and nothing else (editors and pipes
        replace their buffer with it): the remaining findings and the summary go to stderr,
        and input that cannot be decoded is passed through unchanged. The filename picks the
        configuration, per-file ignores and excludes (under force-exclude an excluded name
        is passed through unlinted).
        """
        from cachelint.discovery.walk import is_excluded
        from cachelint.engine import FileResult
        from cachelint.fix.apply import Fixer
        from cachelint.source import SourceError, decode_source

        data = sys.stdin.buffer.read()
        path = os.path.abspath(filename if filename != "-" else "stdin.py")
        settings = self.resolver.settings_for(Path(path))  # type: ignore[attr-defined]
        forced = force_exclude if force_exclude is not None else settings.force_exclude
        if forced and is_excluded(Path(path), settings, self.cwd):
            if fix and not diff:
                sys.stdout.buffer.write(data)
            return EXIT_OK
        unsafe_fixes = bool(unsafe if unsafe is not None else settings.unsafe_fixes)
        result = self.engine.lint(path, data, explicit=True, settings=settings)
        path = result.path
        try:
            source = decode_source(path, data)
        except SourceError:
            source = None
        errors = list(result.errors)
        results: Dict[str, FileResult] = {path: result}
        outcome = None
        if (fix or diff) and source is not None:
            outcome = Fixer(self.engine, unsafe_fixes, only_paths={path}).run(
                results, {path}, sources={path: source}
            )
            results = outcome.results
            errors = [e for r in results.values() for e in r.errors] + outcome.errors
        diagnostics = [d for r in results.values() for d in r.diagnostics]
        text = outcome.texts.get(path, source.text) if outcome is not None and source is not None else None
        fixed_count = outcome.fixed_count if outcome is not None else 0
        if diff:
            if source is not None and text is not None and text != source.text and not silent:
                from cachelint.output.diff import colored_diff, unified_diff

                _echo(colored_diff(unified_diff(source, text, self.display(path)), self.color_out), nl=False,
                      color=self.color_out)
            if not quiet:
                _err(f"Would fix {fixed_count} error{'s' if fixed_count != 1 else ''}." if fixed_count
                     else "No fixes would be applied.")
            for error in errors:
                _err_line(f"cachelint: error: {error}")
            if errors:
                return EXIT_ERROR
            return EXIT_FINDINGS if fixed_count and not exit_zero else EXIT_OK
        shown = {path: text if text is not None else (source.text if source is not None else None)}
        if source is not None and getattr(source, "notebook", None) is not None:
            # the snippets of a notebook's findings read its cells from its JSON text
            shown = {path: source.encode(text if text is not None else source.text).decode("utf-8")}
        if fix:
            sys.stdout.buffer.write(source.encode(text) if source is not None and text is not None else data)
            sys.stdout.buffer.flush()
        if not silent and not fix_only:
            self._emit(diagnostics, output_format or settings.output_format or "full", output_file, unsafe_fixes,
                       statistics, to_stderr=fix, sources=shown)
        if not quiet:
            self._summary(diagnostics, outcome, fix, unsafe_fixes, show_fixes=False, fix_only=fix_only)
        for error in errors:
            _err_line(f"cachelint: error: {error}")
        if errors:
            return EXIT_ERROR
        if exit_non_zero_on_fix and fixed_count:
            return EXIT_FINDINGS
        return EXIT_FINDINGS if diagnostics and not exit_zero else EXIT_OK

    # --- show-requests --------------------------------------------------------------------------
    def show_requests(self, files: List[str], output_format: Optional[str]) -> int:
        from cachelint.analysis.show import make_locator, render_text
        from cachelint.output import terminal_safe

        all_requests = []
        locate = None
        tables = None
        for given, reason in self.discovery_errors:  # a path it could not even list: say so
            _err_line(f"{self.display(os.path.abspath(given))}:1:1: cannot lint: {reason}")
        for path in files:
            settings = self.resolver.settings_for(Path(path))  # type: ignore[attr-defined]
            result = self.engine.lint(path, explicit=True, settings=settings, want_requests=True)
            project = self.engine.project_for(settings)
            locate = make_locator(project, self.cwd)
            tables = settings.tables
            if output_format == "json":
                all_requests.extend((r, locate) for r in (result.requests or []))
            else:
                for diagnostic in result.diagnostics:
                    if diagnostic.code == "CL000":
                        _err_line(f"{self.display(path)}:{diagnostic.location.row}:{diagnostic.location.column}: {diagnostic.message}")
                text = render_text(_printable_requests(result.requests or []), _printable_locator(locate),
                                   settings.tables)
                _echo(terminal_safe(f"== {self.display(path)}"))
                _echo(_printable_text(text))
        if output_format == "json":
            from cachelint.analysis.show import request_json

            data = [request_json(r, loc, tables) for r, loc in all_requests]  # type: ignore[arg-type]
            click.echo(json.dumps(data, indent=2, sort_keys=True))
        return EXIT_OK


def _printable_requests(requests: Sequence[object]) -> List[object]:
    """`requests` with every string that `--show-requests` may print made `terminal_safe`.

    The text rendering quotes model names, `ttl` values, labels and API names taken from
    the linted code; a newline in one would read as a line of the report, an escape
    sequence would drive the terminal. Escaping after rendering cannot tell such a newline
    from the report's own, so the values are escaped before: the dataclasses of a request
    are copied with their strings escaped (spans are kept: they locate the source, and
    the locator escapes the paths it prints). Objects without a control character in them
    are returned as they are, so an ordinary report costs one scan of its strings.
    """
    import copy
    import dataclasses
    import enum

    from cachelint.analysis.spans import Span
    from cachelint.output import terminal_safe

    memo: Dict[int, object] = {}

    def clean(value: object) -> object:
        if isinstance(value, (enum.Enum, Span)):
            return value
        if isinstance(value, str):
            return terminal_safe(value)
        if isinstance(value, (tuple, list)):
            items = [clean(item) for item in value]
            if all(new is old for new, old in zip(items, value)):
                return value
            return type(value)(items) if isinstance(value, list) else tuple(items)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            key = id(value)
            if key in memo:
                return memo[key]
            memo[key] = value  # a cycle back to it keeps the original
            changed = {}
            for f in dataclasses.fields(value):
                old = getattr(value, f.name, None)
                new = clean(old)
                if new is not old:
                    changed[f.name] = new
            if changed:
                copied = copy.copy(value)
                for name, new in changed.items():
                    object.__setattr__(copied, name, new)  # frozen dataclasses too
                memo[key] = copied
            return memo[key]
        return value  # values of the analysis (not printed) and everything else

    return [clean(request) for request in requests]


def _printable_locator(locate: Callable[..., Optional[Tuple[str, int, int]]]) -> Callable[..., Optional[Tuple[str, int, int]]]:
    """`locate` with the path it returns made `terminal_safe` (a file name may hold a newline)."""
    from cachelint.output import terminal_safe

    def printable(span: object) -> Optional[Tuple[str, int, int]]:
        found = locate(span)
        return None if found is None else (terminal_safe(found[0]), found[1], found[2])

    return printable


def _printable_text(text: str) -> str:
    """The rendered `--show-requests` report with any control character left in it escaped,
    its own line breaks excepted (a guard's description, say, quotes code)."""
    from cachelint.output import terminal_safe

    return "\n".join(terminal_safe(line) for line in text.split("\n"))


def _read_text(path: str) -> Optional[str]:
    """A file's text for the snippets; a notebook's JSON text (the cells are read from it)."""
    from cachelint.source import SourceError, decode_source, read_regular_file

    try:
        data = read_regular_file(path)  # a FIFO reported as CL000 must not block the snippet
    except OSError:
        return None
    if path.endswith(".ipynb"):
        return data.decode("utf-8-sig", "replace")

    try:
        return decode_source(path, data).text
    except SourceError:
        return None
