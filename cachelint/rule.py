"""What a rule is: one class holding its code, name, documentation, examples, options and logic.

The shape follows Fixit (a rule is a self-testing class whose examples are its docs) with
ruff's product surface (a stable `CL###` code plus a kebab-case name, documentation sections,
safe/unsafe fixes). Rules never parse or read files themselves: they receive the analysed
file (`FileContext`) and, for request rules, each resolved LLM request the file sends.

A rule's documentation lives in its class docstring, split in the sections ruff uses:
`## What it does`, `## Why is this bad?`, `## Fix safety`, `## Options` (generated from the
options dataclass when omitted), `## References`. The `## Example` and `Use instead:`
sections are rendered from the rule's first `Invalid` example that has an `expected_fix`
(else a `Valid` example marked `use_instead=True`), so every example in the docs is tested.
"""

from __future__ import annotations

import dataclasses
import re
import textwrap
from dataclasses import dataclass, field
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    Dict,
    Iterable,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Type,
)

from cachelint.diagnostics import Applicability, Severity

if TYPE_CHECKING:  # pragma: no cover - imports for type checkers only
    from cachelint.analysis.request import Request
    from cachelint.context import FileContext

CODE_RE = re.compile(r"^CL\d{3}$")
RANGE_RE = re.compile(r"^\d+:\d+-\d+:\d+$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
#: Where the generated rule pages (`rules/` at the repository root) are published.
DOCS_BASE_URL = "https://github.com/cachelint/cachelint/blob/main/rules/"


def page_name(code: str, name: str) -> str:
    """The file name of a rule's documentation page: `CL007-invalid-cache-control.md`."""
    return f"{code}-{name}.md"


def page_url(code: str, name: str) -> str:
    """The URL of a rule's documentation page, as findings and SARIF give it."""
    return DOCS_BASE_URL + page_name(code, name)


@dataclass(frozen=True)
class Example:
    """A small project used as a test case and, for some, as documentation.

    `code` is the linted file (`main.py`, dedented); `files` adds other project files by
    relative path (for prompts in another module); `config` is extra TOML placed under
    `[tool.cachelint]` (for rule options or data tables).
    """

    code: str
    files: Mapping[str, str] = field(default_factory=dict)
    config: str = ""
    title: str = ""

    @property
    def source(self) -> str:
        return textwrap.dedent(self.code).lstrip("\n")


@dataclass(frozen=True)
class Valid(Example):
    """Code the rule must stay silent on. `use_instead` puts it in the docs after `Example`."""

    use_instead: bool = False


@dataclass(frozen=True)
class Invalid(Example):
    """Code the rule must flag.

    `ranges` pins where each finding of this rule sits in `main.py`, as Fixit's examples
    do: one `"row:column-end_row:end_column"` per finding (1-based, the end exclusive, as in
    the `json` output), so a finding that moves to the wrong node fails its example even
    when the message stays right. `expected_message` must occur in the message of every
    finding; `expected_fix` is `main.py` after `--fix --unsafe-fixes` (None: the example has
    no fix); `expected_files` gives other files after the fix, for fixes that edit where a
    value is built in another module.
    """

    ranges: Sequence[str] = ()
    expected_message: Optional[str] = None
    expected_fix: Optional[str] = None
    expected_files: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.ranges, str) or not all(RANGE_RE.match(r) for r in self.ranges):
            raise TypeError(f"ranges must be a list of 'row:column-end_row:end_column' strings, not {self.ranges!r}")

    @property
    def fixed_source(self) -> Optional[str]:
        if self.expected_fix is None:
            return None
        return textwrap.dedent(self.expected_fix).lstrip("\n")


def option_fields(options_cls: Optional[type]) -> List[dataclasses.Field]:
    if options_cls is None:
        return []
    return list(dataclasses.fields(options_cls))


class Rule:
    """Base class of every rule. Subclass it once per rule, in one module per rule."""

    code: ClassVar[str]
    name: ClassVar[str]
    #: One sentence saying what is flagged; used by `--list-rules` and SARIF.
    summary: ClassVar[str]
    severity: ClassVar[Severity] = Severity.ERROR
    #: Applicability of the fix this rule offers, or None when it has no fix.
    fix_applicability: ClassVar[Optional[Applicability]] = None
    #: "always" or "sometimes" (only some findings can be fixed).
    fix_availability: ClassVar[str] = "sometimes"
    options_class: ClassVar[Optional[Type[Any]]] = None
    examples: ClassVar[Sequence[Example]] = ()
    #: Pseudo-rules (CL000) are reported by the engine, not by `check_*` methods.
    engine_only: ClassVar[bool] = False

    def __init__(self, options: Any = None) -> None:
        if options is None and self.options_class is not None:
            options = self.options_class()
        self.options = options

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__:
            return  # an abstract intermediate class
        if not CODE_RE.match(cls.code):
            raise TypeError(f"{cls.__name__}: code {cls.code!r} is not CL###")
        if not NAME_RE.match(cls.name):
            raise TypeError(f"{cls.__name__}: name {cls.name!r} is not kebab-case")
        if not (cls.__doc__ or "").strip():
            raise TypeError(f"{cls.__name__}: a rule needs its documentation docstring")

    # --- hooks --------------------------------------------------------------------------
    def check_module(self, ctx: "FileContext") -> None:
        """Called once per analysed file; report with `ctx.report(...)`."""

    def check_request(self, request: "Request", ctx: "FileContext") -> None:
        """Called for each LLM request the file sends (see `cachelint.analysis`)."""

    # --- documentation ------------------------------------------------------------------
    @classmethod
    def doc_sections(cls) -> Dict[str, str]:
        """The docstring split at its `## ` headings (heading -> body)."""
        # A class docstring's first line has no indentation; dedent the rest on its own.
        first, _, rest = (cls.__doc__ or "").partition("\n")
        text = first.strip() + "\n" + textwrap.dedent(rest)
        sections: Dict[str, str] = {}
        current = ""
        lines: List[str] = []
        for line in text.splitlines():
            if line.startswith("## "):
                sections[current] = "\n".join(lines).strip()
                current = line[3:].strip()
                lines = []
            else:
                lines.append(line)
        sections[current] = "\n".join(lines).strip()
        return sections

    @classmethod
    def invalid_examples(cls) -> List[Invalid]:
        return [e for e in cls.examples if isinstance(e, Invalid)]

    @classmethod
    def valid_examples(cls) -> List[Valid]:
        return [e for e in cls.examples if isinstance(e, Valid)]

    @classmethod
    def doc_example(cls) -> Tuple[Optional[Example], Optional[str]]:
        """The example shown in the docs and the code shown under `Use instead:`.

        The fixed version of the example is preferred, so the two blocks differ only by the
        fix; rules without a fix mark a `Valid` example with `use_instead=True`.
        """
        invalid = cls.invalid_examples()
        chosen = next((e for e in invalid if e.fixed_source is not None), None)
        if chosen is None and invalid:
            chosen = invalid[0]
        if chosen is not None and chosen.fixed_source is not None:
            return chosen, chosen.fixed_source
        use_instead = next((v for v in cls.valid_examples() if v.use_instead), None)
        return chosen, use_instead.source if use_instead is not None else None


def iter_option_docs(options_cls: Optional[type]) -> Iterable[Tuple[str, Any, str]]:
    """(config key, default, doc) for each option of a rule."""
    for f in option_fields(options_cls):
        default = f.default if f.default is not dataclasses.MISSING else (
            f.default_factory() if f.default_factory is not dataclasses.MISSING else None  # type: ignore[misc]
        )
        yield f.name.replace("_", "-"), default, f.metadata.get("doc", "")
