"""Shared test set-up: every test runs with none of cachelint's environment variables set.

A developer's shell (or CI) may export `CACHELINT_OUTPUT_FORMAT`, `CACHELINT_CACHE_DIR` or
`GITHUB_STEP_SUMMARY` (which the github output appends to); tests that invoke the command
must see the defaults, so they are cleared once here instead of in every test module. So
are the variables that turn colours on or off.
"""

from __future__ import annotations

import pytest

ENVIRONMENT = (
    "CACHELINT_OUTPUT_FORMAT",
    "CACHELINT_CACHE_DIR",
    "GITHUB_STEP_SUMMARY",
    # colours (`--color auto`): a CI that forces them would colour every expected output
    "NO_COLOR",
    "FORCE_COLOR",
    "CLICOLOR_FORCE",
)


@pytest.fixture(autouse=True)
def _clean_cachelint_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
