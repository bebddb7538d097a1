"""What one file's bytes say about the project's classes and functions, without parsing.

Two project-wide questions are answered from bytes alone, over every Python file under the
root: which classes name a given base in their header (`Project.subclasses` picks its
candidate files from them) and which files define a function or method of a given name
(`Project.defining_files`). Reading and scanning every file costs a one-file run on a large
repository most of its time (0.8 s of 1.7 s on corpus L), so each file's answer is a small
value of its own, `FileIndex`, that the result cache can keep between runs
(`cachelint.cache.byte_index`) and that depends on the file's bytes alone.
"""

from __future__ import annotations

import re
from typing import Iterable, List, Set, Tuple

#: (headers, names): each `class Sub(Base, ...)` header as (base word, sub) pairs, one per
#: word between its parentheses (`Generic[T]` gives `Generic` and `T`), and the names the
#: file's `def` statements define, each once
FileIndex = Tuple[Tuple[Tuple[str, str], ...], Tuple[str, ...]]

EMPTY: FileIndex = ((), ())

#: A `FileIndex` as the project keeps it: (class header words, defined names), each a string
#: of ASCII words joined by single spaces; the header words go in pairs, base then sub. A
#: run asks about a handful of names (the subclasses of a class or two, a method's
#: definers), so the rows are searched per question rather than turned into dictionaries
#: up front: on corpus L (11,800 files) that building was 0.07 of the 0.2 s a one-file run
#: spent on the index.
IndexRow = Tuple[str, str]

_SPACED_WORDS_LINES_RE = re.compile(r"(?:(?:\w+(?: \w+)*)?\n)*\Z", re.ASCII)

_DEF_RE = re.compile(rb"^[ \t]*(?:async[ \t]+)?def[ \t]+(\w+)", re.MULTILINE)
_CLASS_HEADER_RE = re.compile(rb"^[ \t]*class[ \t]+(\w+)[ \t]*\(([^)]*)\)", re.MULTILINE)
#: where `_DEF_RE` and `_CLASS_HEADER_RE` may match: their keyword (see `index_file`)
_DEF_WORD_RE = re.compile(rb"def[ \t]")
_CLASS_WORD_RE = re.compile(rb"class[ \t]")
_WORD_BYTES_RE = re.compile(rb"\w+")


def line_head(data: bytes, pos: int) -> Tuple[int, bytes]:
    """(where the line holding `pos` starts, the bytes before `pos` on that line)."""
    line_start = data.rfind(b"\n", 0, pos) + 1
    return line_start, data[line_start:pos]


def index_file(data: bytes) -> FileIndex:
    """The class headers and defined names of one file's bytes.

    The header patterns start at a line start (`^[ \t]*class`), which the regex engine
    tries at every byte: 1.9 s over the 110 MB of corpus L, paid by a one-file pre-commit
    run too. The words `class` and `def` are found first (a literal the engine skips to),
    and the patterns are matched only at the start of their line when nothing but
    indentation (or `async`) precedes them: the same matches, at a fifth of the cost."""
    headers: List[Tuple[str, str]] = []
    if b"class" in data:
        for word in _CLASS_WORD_RE.finditer(data):
            line_start, head = line_head(data, word.start())
            if head.strip(b" \t"):
                continue
            match = _CLASS_HEADER_RE.match(data, line_start)
            if match is None:
                continue
            sub = match.group(1).decode("ascii", "replace")
            for token in _WORD_BYTES_RE.findall(match.group(2)):
                headers.append((token.decode("ascii", "replace"), sub))
    names: List[str] = []
    if b"def" in data:
        seen: Set[bytes] = set()
        for word in _DEF_WORD_RE.finditer(data):
            line_start, head = line_head(data, word.start())
            if head.strip(b" \t") not in (b"", b"async"):
                continue
            match = _DEF_RE.match(data, line_start)
            if match is not None and match.group(1) not in seen:
                seen.add(match.group(1))
                names.append(match.group(1).decode("ascii", "replace"))
    return tuple(headers), tuple(names)


def index_row(part: FileIndex) -> IndexRow:
    """`part` with its words joined (`IndexRow`)."""
    headers, names = part
    return " ".join(word for pair in headers for word in pair), " ".join(names)


def well_formed(rows: Iterable[str]) -> bool:
    """Whether every string of `rows` is what `index_row` writes: words joined by single
    spaces. One search of them all, one per line (a line break inside a row would make two
    lines of one): checking each row alone was a fifth of loading corpus L's index."""
    rows = list(rows)
    text = "".join(row + "\n" for row in rows)
    return text.count("\n") == len(rows) and _SPACED_WORDS_LINES_RE.match(text) is not None


def headers_naming(row: IndexRow, base: str) -> List[str]:
    """The classes of one file whose header names `base` (as `index_file` reads headers)."""
    headers = row[0]
    if base not in headers:
        return []
    words = headers.split(" ")
    return [words[i + 1] for i in range(0, len(words), 2) if words[i] == base]


def defines(row: IndexRow, name: str) -> bool:
    """Whether one file defines a function or method `name`."""
    names = row[1]
    return name in names and name in names.split(" ")
