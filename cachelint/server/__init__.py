"""`cachelint server`: a Language Server over stdio, so editors show findings as you type.

pygls (and lsprotocol, which it brings) are an optional dependency, the `server` extra
(`pip install 'pygls>=2,<3'` in cachelint's environment does the same). Without them
`cachelint server` prints one line saying so and exits 2; nothing else in cachelint
imports this package's protocol modules.

`positions` (protocol positions) and `session` (the warm linting core) need no extra; `lsp`
is the protocol wiring. `command` is the click command `cachelint server` runs.
"""

from __future__ import annotations

import sys

import click

EXIT_ERROR = 2

INSTALL_HINT = "cachelint server needs pygls 2, the `server` extra: pip install 'pygls>=2,<3' (into cachelint's environment)"


@click.command(name="server", context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--stdio", is_flag=True, help="Talk over stdin and stdout (the default and only transport; editors pass it).")
def command(stdio: bool) -> None:
    """Run cachelint as a Language Server (LSP) over stdin and stdout, for an editor to start.

    Diagnostics on open, change and save; quick fixes, "fix all" (safe fixes) and rule pages
    on hover. Configuration is read as on the command line (pyproject.toml, cachelint.toml).
    """
    sys.exit(run())


def run() -> int:
    """Serve one editor; the exit code (2, with one line on stderr, without pygls)."""
    try:
        from cachelint.server.lsp import serve
    except ImportError as exc:
        # pygls missing, or pygls 1 (whose modules have other names): one line, no traceback
        if exc.name is not None and not exc.name.startswith(("pygls", "lsprotocol", "cattrs", "attrs")):
            raise
        detail = f" ({exc})" if exc.name and exc.name != "pygls" else ""
        sys.stderr.write(INSTALL_HINT + detail + "\n")
        return EXIT_ERROR
    from cachelint.runner.collector import tuned_for_lint_run

    # the server holds the project's parsed modules for as long as the editor runs: each
    # full collection would walk them all, to free nothing (see the collector module)
    with tuned_for_lint_run():
        return serve()
