"""The diagnostic model every part of cachelint speaks.

Rules produce `Diagnostic`s, the fix engine applies their `Fix`es, the cache stores them and
every output format renders them. They are plain, picklable data (no syntax trees), so worker
processes can return them and the result cache can store them as JSON.

Positions follow ruff: rows and columns are 1-based, columns count Unicode code points, and
end positions are exclusive. Internally an `Edit` also carries 0-based character offsets into
the decoded file text, which is what the fix engine applies.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple


class Applicability(str, enum.Enum):
    """How much a fix can be trusted, defined by what the model sees.

    `SAFE`: the tokens the model receives are byte-identical and the request cannot newly
    fail; only caching markup (`cache_control`, `cachePoint`, ...) changes, within provider
    limits, and no cache write costs more than the default 5-minute one. `UNSAFE`: prompt
    text or order changes, a breakpoint is dropped, or a 1-hour TTL is chosen (a write at 2x
    input instead of 1.25x: the user opts in to that price).
    """

    SAFE = "safe"
    UNSAFE = "unsafe"

    def allowed(self, unsafe_fixes: bool) -> bool:
        return self is Applicability.SAFE or unsafe_fixes


class Severity(str, enum.Enum):
    """How bad a finding is; `github` and `sarif` output map these to their own levels."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "note": 2}[self.value]


@dataclass(frozen=True, order=True)
class Location:
    """A 1-based row and column (column counted in code points)."""

    row: int
    column: int

    def to_json(self) -> Dict[str, int]:
        return {"column": self.column, "row": self.row}


@dataclass(frozen=True)
class Edit:
    """Replace `[start, end)` (0-based character offsets) of `path` with `content`.

    `location`/`end_location` are the same range as rows and columns for output.
    """

    path: str
    start: int
    end: int
    content: str
    location: Location
    end_location: Location

    def overlaps(self, other: "Edit") -> bool:
        """Two edits conflict when their ranges intersect or start at the same offset.

        Edits that start at one offset (two insertions, or an insertion before a
        replacement) have no defined order, so they conflict too; the later one waits for
        the next fix pass, when it is recomputed on the new text.
        """
        if self.path != other.path:
            return False
        return self.start == other.start or (self.start < other.end and other.start < self.end)

    def to_json(self) -> Dict[str, Any]:
        return {
            "content": self.content,
            "end_location": self.end_location.to_json(),
            "location": self.location.to_json(),
        }


@dataclass(frozen=True)
class Fix:
    """A set of edits that must be applied together, with how safe they are.

    `imports` lists `(module, name)` pairs the fixed code needs; the engine adds them in a
    final pass with libcst so several fixes never insert the same import twice.
    """

    applicability: Applicability
    message: str
    edits: Tuple[Edit, ...]
    imports: Tuple[Tuple[str, Optional[str]], ...] = ()

    @property
    def paths(self) -> Tuple[str, ...]:
        return tuple(sorted({e.path for e in self.edits}))

    def to_json(self) -> Dict[str, Any]:
        return {
            "applicability": self.applicability.value,
            "edits": [e.to_json() for e in self.edits],
            "message": self.message,
        }


#: A finding's request (`Diagnostic.reaches`): ((path, offset) of its SDK call, then (path,
#: offset) of the part of it the finding is about, or ("", -1) for the whole), the calls
#: between the finding's place and that SDK call, as (path, row, column), and what the
#: finding says of it (its message without where the request is sent)
Reach = Tuple[Tuple[str, int, str, int], Tuple[Tuple[str, int, int], ...], str]


@dataclass(frozen=True)
class Diagnostic:
    """One finding in one file.

    `noqa_row` is the row a suppression comment refers to (the first row of the statement
    that holds the finding); `related` lists other places that explain it, such as the
    constant that holds a prompt in another module.
    """

    code: str
    name: str
    message: str
    path: str
    location: Location
    end_location: Location
    severity: Severity = Severity.ERROR
    fix: Optional[Fix] = None
    fix_title: Optional[str] = None
    noqa_row: Optional[int] = None
    url: Optional[str] = None
    related: Tuple[Tuple[str, Location, str], ...] = ()
    #: In a notebook, the 1-based number of the cell (among all cells) the finding is in;
    #: its rows are then counted within that cell, as the user sees them (ruff's `cell`).
    cell: Optional[int] = None
    # Rows (first, last) of the statements a suppression comment may sit on (in a
    # notebook: rows of the module its code cells make, see `cachelint.notebook`).
    suppression_rows: Tuple[Tuple[int, int], ...] = field(default=(), compare=False)
    #: For a finding about LLM requests: per request, `Reach` (which request and which part
    #: of it, and the calls from this finding's place to it). The same request reached
    #: from several files is reported in each; this says which findings are the same one
    #: (`drop_repeats_at_callers`). Not part of any output.
    reaches: Tuple["Reach", ...] = field(default=(), compare=False)

    @property
    def filename(self) -> str:
        """The file's absolute path: `path` under the name ruff's JSON (and cachelint's) uses,
        for callers of the Python API who know that output."""
        return self.path

    @property
    def sort_key(self) -> Tuple[str, int, int, int, str]:
        return (self.path, self.cell or 0, self.location.row, self.location.column, self.code)

    def with_fix(self, fix: Optional[Fix]) -> "Diagnostic":
        return replace(self, fix=fix)

    def fixable(self, unsafe_fixes: bool) -> bool:
        return self.fix is not None and self.fix.applicability.allowed(unsafe_fixes)

    # --- plain-data round trip for the result cache and worker processes -----------------
    def to_dict(self) -> Dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "message": self.message,
            "path": self.path,
            "location": [self.location.row, self.location.column],
            "end_location": [self.end_location.row, self.end_location.column],
            "severity": self.severity.value,
            "fix": None
            if self.fix is None
            else {
                "applicability": self.fix.applicability.value,
                "message": self.fix.message,
                "edits": [
                    [e.path, e.start, e.end, e.content, [e.location.row, e.location.column],
                     [e.end_location.row, e.end_location.column]]
                    for e in self.fix.edits
                ],
                "imports": [list(i) for i in self.fix.imports],
            },
            "fix_title": self.fix_title,
            "noqa_row": self.noqa_row,
            "url": self.url,
            "related": [[p, [loc.row, loc.column], note] for p, loc, note in self.related],
            "cell": self.cell,
            "suppression_rows": [list(r) for r in self.suppression_rows],
            "reaches": [[list(about), [list(hop) for hop in via], said] for about, via, said in self.reaches],
        }

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "Diagnostic":
        fix_data = data.get("fix")
        fix = None
        if fix_data is not None:
            fix = Fix(
                applicability=Applicability(fix_data["applicability"]),
                message=fix_data["message"],
                edits=tuple(
                    Edit(p, s, e, c, Location(*loc), Location(*end))
                    for p, s, e, c, loc, end in fix_data["edits"]
                ),
                imports=tuple((m, n) for m, n in fix_data.get("imports", [])),
            )
        return cls(
            code=data["code"],
            name=data["name"],
            message=data["message"],
            path=data["path"],
            location=Location(*data["location"]),
            end_location=Location(*data["end_location"]),
            severity=Severity(data["severity"]),
            fix=fix,
            fix_title=data.get("fix_title"),
            noqa_row=data.get("noqa_row"),
            url=data.get("url"),
            related=tuple((p, Location(*loc), note) for p, loc, note in data.get("related", [])),
            cell=data.get("cell"),
            suppression_rows=tuple(tuple(r) for r in data.get("suppression_rows", [])),
            reaches=tuple(
                ((str(a[0]), int(a[1]), str(a[2]), int(a[3])), tuple((str(p), int(r), int(c)) for p, r, c in via), str(said))
                for a, via, said in data.get("reaches", [])
            ),
        )


def drop_repeats_at_callers(diagnostics: Sequence[Diagnostic]) -> List[Diagnostic]:
    """The findings without those repeated at callers of a request in other files.

    A request built across modules is reported in every linted file whose code leads to
    it, at the call that does (so that linting a caller alone still shows it). When the
    file that sends the request reports the same finding (same rule, same request, same
    part of it, same words: `Reach`), the copies at the callers say nothing more: errex's
    `main()` in `__main__.py` repeated a dozen findings of its modules. A copy whose calls
    pass through another copy's place (`Reach.via`: `main()`, then the command in
    `cli.py`) is dropped for the one nearer the request. A finding that says something
    else (the caller passes a bigger prompt, another model, grows the history in its own
    loop) is not a repeat and stays; so does one about several requests until each of
    them is reported elsewhere."""
    own: Set[Tuple[str, Tuple[str, int, str, int], str]] = set()
    places: Set[Tuple[str, Tuple[str, int, str, int], str, str, int, int]] = set()
    for d in diagnostics:
        for about, _, said in d.reaches:
            if d.path == about[0]:
                own.add((d.code, about, said))
            places.add((d.code, about, said, d.path, d.location.row, d.location.column))

    def repeated(d: Diagnostic, reach: Reach) -> bool:
        about, via, said = reach
        if d.path == about[0]:
            return False
        if (d.code, about, said) in own:
            return True
        return any((d.code, about, said, path, row, column) in places for path, row, column in via)

    return [d for d in diagnostics if not d.reaches or not all(repeated(d, reach) for reach in d.reaches)]


def sort_diagnostics(diagnostics: List[Diagnostic]) -> List[Diagnostic]:
    """Stable output order: by file, cell, position and code (Fixit's order varied between runs)."""
    return sorted(diagnostics, key=lambda d: d.sort_key)
