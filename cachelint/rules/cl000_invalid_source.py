"""CL000: a file cachelint cannot read as Python."""

from __future__ import annotations

from cachelint.diagnostics import Severity
from cachelint.rule import Rule


class InvalidSource(Rule):
    """Reported by the engine, never by analysis: the file could not be read, decoded or parsed.

    ## What it does
    Reports a file that cachelint cannot analyse: a syntax error, bytes that are not valid in
    the file's encoding (UTF-8 unless a BOM or a PEP 263 coding line says otherwise), a NUL
    byte, a path that does not exist, or a file that cannot be read. The message gives the
    line and the reason; the run goes on with the other files.

    A syntax error means invalid for the Python your project runs on, not for the one
    that runs cachelint: every grammar from Python 3.8 to 3.14 is read on any interpreter
    (a PEP 701 f-string such as `f"{"-".join(tags)}"` is fine on Python 3.11 too). When the
    project sets a target, `target-version = "py39"` or else the lower bound of
    `requires-python` in `pyproject.toml`, syntax that Python cannot parse is reported too
    (`a match statement needs Python 3.10 or newer`), and the file is still analysed.
    Without a target, any syntax up to Python 3.14 is accepted.

    Every file is read and decoded, but only files that can matter are parsed (they name
    an LLM SDK, a caching field or an LLM endpoint, or carry a `cachelint:` comment) plus
    every file named on the command line; a syntax error in another file of a directory
    run is not reported, so that most of a large repository is never parsed.

    ## Why is this bad?
    A file cachelint cannot read is a file it cannot check: any caching mistake in it goes
    unreported. Python itself would refuse to import it too.

    ## Fix safety
    There is no automatic fix; correct the file (or exclude it).
    """

    code = "CL000"
    name = "invalid-source"
    summary = "The file cannot be read, decoded or parsed as Python."
    severity = Severity.ERROR
    engine_only = True
