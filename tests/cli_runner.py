"""One way for the tests to run the command in process, stdout apart from stderr.

click < 8.2 needs `CliRunner(mix_stderr=False)` for that; later versions keep the two
apart always and no longer take the argument. Thirteen test modules each had this
function; they import it from here.
"""

from __future__ import annotations

from click.testing import CliRunner


def cli_runner() -> CliRunner:
    """A `CliRunner` whose result has `stdout` and `stderr` apart."""
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()
