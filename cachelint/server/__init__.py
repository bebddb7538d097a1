"""`cachelint server`: a Language Server over stdio, so editors show findings as you type.

pygls (and lsprotocol, which it brings) are an optional dependency, the `server` extra:
`pip install 'cachelint[server]'`. Without them `cachelint server` prints one line saying
so and exits 2; nothing else in cachelint imports this package's protocol modules.

`positions` (protocol positions) and `session` (the warm linting core) need no extra; `lsp`
is the protocol wiring.
"""

from __future__ import annotations

import sys
from typing import List, Optional

EXIT_ERROR = 2

USAGE = """\
usage: cachelint server [--stdio]

Run cachelint as a Language Server (LSP) over stdin and stdout, for an editor to start.
Diagnostics on open, change and save; quick fixes, "fix all" (safe fixes) and rule pages
on hover. Configuration is read as on the command line (pyproject.toml, cachelint.toml).

options:
  --stdio     talk over stdin/stdout (the default and only transport)
  -h, --help  show this message and exit
"""

INSTALL_HINT = "cachelint server needs pygls 2 (the `server` extra): pip install 'cachelint[server]'"


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point of `cachelint server ARGS...`; returns the exit code."""
    args = list(sys.argv[2:] if argv is None else argv)
    for arg in args:
        if arg in ("-h", "--help"):
            sys.stdout.write(USAGE)
            return 0
        if arg != "--stdio":
            sys.stderr.write(f"cachelint server: unknown argument {arg!r} (see `cachelint server --help`)\n")
            return EXIT_ERROR
    try:
        from cachelint.server.lsp import serve
    except ImportError as exc:
        # pygls missing, or pygls 1 (whose modules have other names): one line, no traceback
        if exc.name is not None and not exc.name.startswith(("pygls", "lsprotocol", "cattrs", "attrs")):
            raise
        sys.stderr.write(f"{INSTALL_HINT} ({exc})\n" if exc.name and exc.name != "pygls" else INSTALL_HINT + "\n")
        return EXIT_ERROR
    return serve()
