"""What a rule sees of one analysed file, and how it reports.

A `FileContext` is built by the engine for each linted file. It holds the decoded source,
the stdlib syntax tree, the settings that apply to the file, the LLM requests the analysis
found, and a way to read other project files (fixes may edit where a value is built, which
can be another module). Rules call `report()`; the engine adds suppression handling,
per-file ignores and selection afterwards.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, Tuple

from cachelint.diagnostics import Diagnostic, Fix, Location, Reach, Severity
from cachelint.rule import Rule, page_url
from cachelint.source import LineIndex, SourceFile

if TYPE_CHECKING:  # pragma: no cover
    from cachelint.analysis.request import Request
    from cachelint.config.settings import Settings


@dataclass
class SourceText:
    """A project file as the fix builders need it: decoded text, positions, newline."""

    source: SourceFile
    index: LineIndex

    @property
    def path(self) -> str:
        return self.source.path

    @property
    def text(self) -> str:
        return self.source.text


@dataclass
class FileContext:
    path: str
    source: SourceFile
    index: LineIndex
    tree: ast.Module
    settings: "Settings"
    requests: Sequence["Request"] = ()
    #: path -> SourceText for any project file (the linted one included).
    load_source: Callable[[str], Optional[SourceText]] = lambda path: None
    #: Events the analysis noticed that are not requests (e.g. reads of usage fields).
    events: Sequence[Any] = ()
    #: name -> (file, offset) of its uses in the project (`Project.name_uses`): fixes that
    #: edit a helper check that no other code calls it
    name_uses: Callable[[str], List[Tuple[str, int]]] = lambda name: []
    diagnostics: List[Diagnostic] = field(default_factory=list)
    defects: Dict[int, Tuple[Tuple[Any, ...], int]] = field(default_factory=dict)
    #: per finding (by id) about a request sent elsewhere: where it is sent (`report`)
    sent_at: Dict[int, str] = field(default_factory=dict)

    def location(self, offset: int) -> Location:
        return self.index.location(offset)

    def node_range(self, node: ast.AST) -> Tuple[int, int]:
        return self.index.node_range(node)

    def report(
        self,
        rule: Rule,
        start: int,
        end: int,
        message: str,
        *,
        fix: Optional[Fix] = None,
        fix_title: Optional[str] = None,
        severity: Optional[Severity] = None,
        related: Sequence[Tuple[str, Location, str]] = (),
        anchor_ranges: Sequence[Tuple[int, int]] = (),
        defect: Optional[Tuple[Any, ...]] = None,
        rank: int = 0,
        sent_at: str = "",
        reach: Optional[Reach] = None,
    ) -> Diagnostic:
        """Record a finding in this file between character offsets `start` and `end`.

        `anchor_ranges` are other ranges of this file (such as the call that sends the
        request) whose statements may also carry a suppression comment for this finding.
        `defect` identifies the mistake itself: one request reached from several places of
        this file (a helper analysed on its own and through its caller) is reported once,
        where `rank` (the length of the call chain) is smallest. `sent_at` names the SDK
        call of a request sent elsewhere (`llm.py:40`, `line 40`): `deduplicated` adds it
        to the message, once for all the requests one finding is about. `reach` says which
        request and which part of it the finding is about, and the calls on the way there
        (`Diagnostic.reaches`).
        """
        diagnostic = Diagnostic(
            code=rule.code,
            name=rule.name,
            message=message,
            path=self.path,
            location=self.index.location(start),
            end_location=self.index.location(end),
            severity=severity or rule.severity,
            fix=fix,
            fix_title=fix_title or (fix.message if fix is not None else None),
            url=page_url(rule.code, rule.name),
            related=tuple(related),
            suppression_rows=tuple(
                (self.index.location(s).row, self.index.location(e).row)
                for s, e in [(start, end), *anchor_ranges]
            ),
            reaches=(reach,) if reach is not None else (),
        )
        self.diagnostics.append(diagnostic)
        if defect is not None:
            self.defects[id(diagnostic)] = (defect, rank)
        if sent_at:
            self.sent_at[id(diagnostic)] = sent_at
        return diagnostic

    def deduplicated(self) -> List[Diagnostic]:
        """The findings with each defect kept once (at its lowest rank), in report order."""
        best: Dict[Tuple[Any, ...], Tuple[int, int]] = {}
        for i, diagnostic in enumerate(self.diagnostics):
            keyed = self.defects.get(id(diagnostic))
            if keyed is None:
                continue
            key, rank = keyed
            if key not in best or rank < best[key][0]:
                best[key] = (rank, i)
        keep = {i for _, i in best.values()}
        kept = [d for i, d in enumerate(self.diagnostics) if id(d) not in self.defects or i in keep]
        return self._with_sites(kept)

    def _with_sites(self, diagnostics: List[Diagnostic]) -> List[Diagnostic]:
        """Each finding about requests sent elsewhere with the message naming where.

        Several requests can meet one mistake at one place: a helper with two SDK calls (a
        streaming and a plain one) reached through one call of the linted file, or one
        loop that marks the messages both send. The rules report each; the findings with
        the same code, place and message become one, naming every call (`requests sent at
        lines 152 and 154`) and keeping the first one's fix and every related location,
        as one finding with one fix was shown for them before the calls were named."""
        merged: Dict[Tuple[Any, ...], Tuple[Diagnostic, List[str], List[Tuple[str, Location, str]], List[Reach]]] = {}
        order: List[Any] = []
        for d in diagnostics:
            site = self.sent_at.get(id(d))
            if site is None:
                order.append(d)
                continue
            key = (d.code, d.location, d.end_location, d.message)
            if key not in merged:
                merged[key] = (d, [], [], [])
                order.append(key)
            _, sites, related, reaches = merged[key]
            if site not in sites:
                sites.append(site)
            related.extend(r for r in d.related if r not in related)
            reaches.extend(r for r in d.reaches if r not in reaches)
        out: List[Diagnostic] = []
        for entry in order:
            if isinstance(entry, Diagnostic):
                out.append(entry)
                continue
            first, sites, related, reaches = merged[entry]
            out.append(replace(first, message=f"{first.message} ({_sites_text(sites)})", related=tuple(related),
                               reaches=tuple(reaches)))
        return out


def _sites_text(sites: List[str]) -> str:
    """`request sent at llm.py:40`; `requests sent at lines 152 and 154` for several calls
    of the linted file, `requests sent at a.py:3, b.py:9 and line 12` otherwise."""
    if len(sites) == 1:
        return f"request sent at {sites[0]}"
    if all(site.startswith("line ") for site in sites):
        sites = ["lines " + sites[0][5:]] + [site[5:] for site in sites[1:]]
    return f"requests sent at {', '.join(sites[:-1])} and {sites[-1]}"
