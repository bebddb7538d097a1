"""CL100: a suppression comment that silences nothing (reported by `cachelint.suppress`)."""

from __future__ import annotations

from cachelint.diagnostics import Applicability, Severity
from cachelint.rule import Invalid, Rule, Valid


class UnusedSuppression(Rule):
    """Reported by the engine after suppressions are applied, like Ruff's RUF100.

    ## What it does
    Checks `# cachelint: ignore[...]`, `# cachelint: file-ignore[...]` and `# noqa: CL...`
    comments for codes that silenced no finding in the file, for codes and names that are
    no rule at all (a typo such as `CL0007`), and for a bare `# cachelint: ignore` that
    silenced nothing. A code whose rule is not enabled for the file is not judged, since
    nothing could tell whether it would fire. A bare `# noqa` and other tools' codes
    (`# noqa: E501`) are never reported: they belong to other linters too.

    ## Why is this bad?
    A suppression outlives the problem it was written for. Once the code is fixed, the
    stale comment silently hides the next real mistake on that statement, such as a new
    timestamp in the cached prefix. A misspelt code silences nothing while looking as if it
    did.

    ## Fix safety
    The fix is safe: it only edits a comment. It removes the unused codes and keeps the
    rest of the directive; a directive left with no codes is removed, and so is its line
    when the comment stood alone on it. Other tools' codes and other directives in the same
    comment stay. A CL100 finding can be silenced only by `# cachelint: file-ignore[CL100]`
    (a line directive silencing the report about itself would be a loop).

    ## References
    - [Ruff: error suppression](https://docs.astral.sh/ruff/linter/#error-suppression)
    - [Ruff: unused-noqa (RUF100)](https://docs.astral.sh/ruff/rules/unused-noqa/)
    - `cachelint.suppress` documents the directive syntax and scope
    """

    code = "CL100"
    name = "unused-suppression"
    summary = "A suppression comment that silences no finding, or names an unknown rule."
    severity = Severity.WARNING
    fix_applicability = Applicability.SAFE
    fix_availability = "always"
    engine_only = True

    examples = [
        Invalid(
            """
            SYSTEM = [{"type": "text", "text": "...", "cache_control": {"type": "ephemeral"}}]  # cachelint: ignore[CL007]
            """,
            expected_message="Unused suppression (unused: `CL007`)",
            expected_fix="""
            SYSTEM = [{"type": "text", "text": "...", "cache_control": {"type": "ephemeral"}}]
            """,
            ranges=["1:85-1:111"],
        ),
        Invalid(
            """
            # cachelint: ignore[invalid-cache-control]
            marker = {"cache_control": {"type": "ephemeral", "ttl": "1h"}}
            """,
            expected_message="unused: `invalid-cache-control`",
            expected_fix="""
            marker = {"cache_control": {"type": "ephemeral", "ttl": "1h"}}
            """,
            ranges=["1:1-1:43"],
        ),
        Invalid(
            """
            marker = {"cache_control": {"type": "ephemeral"}}  # noqa: E501, CL007
            """,
            title="Other tools' codes in `noqa` stay",
            expected_message="unused: `CL007`",
            expected_fix="""
            marker = {"cache_control": {"type": "ephemeral"}}  # noqa: E501
            """,
            ranges=["1:52-1:71"],
        ),
        Invalid(
            """
            marker = {"cache_control": {"type": "persistent"}}  # cachelint: ignore[CL007, CL0007]
            """,
            title="A misspelt code",
            expected_message="Unknown rule `CL0007` in suppression",
            expected_fix="""
            marker = {"cache_control": {"type": "persistent"}}  # cachelint: ignore[CL007]
            """,
            ranges=["1:53-1:87"],
        ),
        Invalid(
            """
            marker = {"cache_control": {"type": "ephemeral"}}  # cachelint: ignore  # type: ignore
            """,
            expected_message="blanket `cachelint: ignore`",
            expected_fix="""
            marker = {"cache_control": {"type": "ephemeral"}}  # type: ignore
            """,
            ranges=["1:52-1:71"],
        ),
        Valid(
            """
            # The suppression silences a real CL007 finding, so it is used.
            marker = {"cache_control": {"type": "persistent"}}  # cachelint: ignore[CL007]
            """,
            use_instead=True,
        ),
        Valid(
            """
            marker = dict(
                cache_control={"type": "persistent"},
            )  # cachelint: ignore[invalid-cache-control]
            """,
            title="A trailing comment on any line of the statement covers it",
        ),
        Valid(
            """
            marker = {"cache_control": {"type": "ephemeral"}}  # noqa
            other = {"cache_control": {"type": "ephemeral"}}  # noqa: E501
            """,
            title="Bare noqa and other tools' codes are never reported",
        ),
        Valid(
            """
            marker = {"cache_control": {"type": "ephemeral"}}  # cachelint: ignore[CL007]
            """,
            config='ignore = ["CL007"]',
            title="A rule that is not enabled cannot be judged",
        ),
    ]
