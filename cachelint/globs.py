"""The one glob dialect of cachelint: `exclude`, `extend-exclude`, `per-file-ignores`, gitignore.

Ruff grew different dialects for different settings (ruff#10147) and lets `src/*.py` match
files in subdirectories (ruff#21425); a user cannot predict what a pattern does. Here every
path setting means the same thing, and that thing is gitignore's syntax:

* `*`, `?` and `[...]` (`[!...]` negates) never match `/`; `\\x` matches `x` literally.
* `**` as a whole path segment spans zero or more directories (`**/x`, `a/**/b`, `a/**`);
  `**` inside a segment is an ordinary `*`.
* A pattern without `/` (other than a trailing one) is unanchored: it matches any path
  component or the final name, so `tests` matches `a/tests/b.py` and `*_pb2.py` matches
  everywhere.
* A pattern with a `/` at the start or in the middle is anchored at the directory the
  pattern is relative to (the config file's directory, or the `.gitignore`'s directory).
  A leading `/` only anchors; a leading `./` is dropped.
* A trailing `/` matches directories only; callers pass directory paths with a trailing
  `/` (`build/`), file paths without.

Paths are relative, with `/` separators. `match_path` answers "does this pattern cover the
path", which also holds when it matches one of the path's parent directories (excluding a
directory excludes what is in it). The walker and gitignore use `descendants=False`: they
test each entry on its own and prune matched directories, which is what git does (a file
is matched by the patterns that name it, not by those naming its parents).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import List, Optional, Pattern, Sequence, Tuple

__all__ = [
    "match_path",
    "compile_pattern",
    "is_anchored",
    "escape",
    "rebase_pattern",
    "prefix_pattern",
    "split_pattern",
]


def split_pattern(pattern: str) -> Tuple[bool, bool, str]:
    """(anchored, dir_only, body): the pattern without its leading and trailing `/`."""
    body = pattern
    dir_only = False
    if body.endswith("/") and not body.endswith("\\/"):
        dir_only = True
        body = body.rstrip("/")
    while body.startswith("./"):
        body = body[2:]
    anchored = body.startswith("/")
    body = body.lstrip("/")
    if "/" in body:
        anchored = True
    return anchored, dir_only, body


def is_anchored(pattern: str) -> bool:
    """True when the pattern is relative to its directory, not matched at any depth."""
    return split_pattern(pattern)[0]


def _segment_regex(segment: str) -> str:
    """Regex for one path segment (no `/` inside): `*`, `?`, `[...]` and `\\` escapes."""
    out: List[str] = []
    i = 0
    n = len(segment)
    while i < n:
        c = segment[i]
        if c == "\\" and i + 1 < n:
            out.append(re.escape(segment[i + 1]))
            i += 2
            continue
        if c == "*":
            while i < n and segment[i] == "*":
                i += 1
            out.append("[^/]*")
            continue
        if c == "?":
            out.append("[^/]")
            i += 1
            continue
        if c == "[":
            j = i + 1
            if j < n and segment[j] in "!^":
                j += 1
            if j < n and segment[j] == "]":
                j += 1
            while j < n and segment[j] != "]":
                j += 1
            if j >= n:  # no closing bracket: a literal `[`
                out.append(re.escape(c))
                i += 1
                continue
            inner = segment[i + 1 : j]
            negate = inner[:1] in ("!", "^")
            if negate:
                inner = inner[1:]
            inner = inner.replace("\\", "\\\\").replace("/", "")
            if inner.startswith("^"):
                inner = "\\" + inner
            out.append(("[^/" if negate else "[") + inner + "]")
            i = j + 1
            continue
        out.append(re.escape(c))
        i += 1
    return "".join(out)


def _body_regex(body: str) -> str:
    segments = body.split("/")
    parts: List[str] = []
    last = len(segments) - 1
    for idx, seg in enumerate(segments):
        if seg == "**":
            if idx == last:
                # `a/**` matches everything inside `a` (and `**` alone, everything).
                parts.append(".*" if idx == 0 else "/.*")
            else:
                parts.append("(?:.*/)?" if idx == 0 else "/(?:.*/)?")
            continue
        if idx > 0 and segments[idx - 1] != "**":
            parts.append("/")
        parts.append(_segment_regex(seg))
    return "".join(parts)


@lru_cache(maxsize=4096)
def compile_pattern(pattern: str, descendants: bool = True) -> Pattern[str]:
    """The compiled regex of a pattern (cached: patterns are matched against every path)."""
    anchored, dir_only, body = split_pattern(pattern)
    if not body:
        # `/` or `./`: the base directory itself, hence everything in it.
        return re.compile(r"^.*$" if descendants else r"^$")
    prefix = "^" if anchored else "^(?:.*/)?"
    core = _body_regex(body)
    if descendants:
        suffix = "/.*$" if dir_only else "(?:/.*)?$"
    else:
        suffix = "/$" if dir_only else "/?$"
    return re.compile(prefix + core + suffix, re.DOTALL)


def match_path(rel_posix_path: str, pattern: str, *, descendants: bool = True) -> bool:
    """True when `pattern` matches `rel_posix_path` (a directory path ends with `/`).

    With `descendants` (the default, used for `per-file-ignores` and for `force-exclude`
    on explicitly named files) a pattern that matches a parent directory of the path
    matches the path too. Without it only the path itself is tested (the walker prunes
    matched directories itself; gitignore needs this to get negations right).
    """
    path = rel_posix_path
    while path.startswith("./"):
        path = path[2:]
    return compile_pattern(pattern, descendants).match(path) is not None


def escape(literal_path: str) -> str:
    """A pattern matching exactly this relative path (glob characters escaped)."""
    return re.sub(r"([\\*?\[\]])", r"\\\1", literal_path)


def _segment_matches(segment: str, name: str) -> bool:
    return re.fullmatch(_segment_regex(segment), name) is not None


def rebase_pattern(pattern: str, prefix: Sequence[str]) -> List[str]:
    """Patterns relative to a subdirectory that match what `pattern` matches there.

    `pattern` is relative to a directory D, `prefix` the components of a subdirectory S of
    D (`["pkg", "sub"]`). The result (possibly empty, possibly several patterns) matches a
    path `p` relative to S exactly when `pattern` matches `S/p` relative to D. This lets
    a config inherited through `extend` keep its patterns relative to its own directory,
    as ruff does, while `Settings` stores every pattern relative to one base directory.
    """
    anchored, dir_only, body = split_pattern(pattern)
    if not prefix:
        return [pattern]
    if not anchored:
        # An unanchored pattern naming one of S's own components covers all of S.
        if body == "**" or any(_segment_matches(body, part) for part in prefix):
            return ["**"]
        return [pattern]
    segments = body.split("/") if body else []
    results: List[str] = []
    seen = set()

    def add(rest: Sequence[str]) -> None:
        if not rest:
            new = "**"  # the pattern matched S itself (or a parent): everything in S
        else:
            new = "/" + "/".join(rest) + ("/" if dir_only else "")
            if rest == ["**"] and not dir_only:
                new = "**"
        if new not in seen:
            seen.add(new)
            results.append(new)

    # Iterative search over (segment index, prefix index) states.
    stack: List[Tuple[int, int]] = [(0, 0)]
    visited = set()
    while stack:
        si, pi = stack.pop()
        if (si, pi) in visited:
            continue
        visited.add((si, pi))
        if pi == len(prefix):
            add(segments[si:])
            continue
        if si == len(segments):
            # The pattern matched a parent of S: with dir-only patterns S's ancestors are
            # directories, so it covers everything in S either way.
            add([])
            continue
        seg = segments[si]
        if seg == "**":
            stack.append((si, pi + 1))  # `**` swallows one more component
            stack.append((si + 1, pi))  # `**` matches nothing
        elif _segment_matches(seg, prefix[pi]):
            stack.append((si + 1, pi + 1))
    if "**" in results:
        return ["**"]
    return results


def prefix_pattern(pattern: str, prefix: Optional[str]) -> str:
    """`pattern`, relative to directory D, made relative to an ancestor A of D.

    `prefix` is D relative to A (posix). Unanchored patterns keep matching at any depth
    but only below D, so they become `D/**/pattern`.
    """
    if not prefix:
        return pattern
    anchored, dir_only, body = split_pattern(pattern)
    base = "/" + escape(prefix)
    tail = "/" if dir_only else ""
    if not body:
        return base + "/**"
    if anchored:
        return f"{base}/{body}{tail}"
    return f"{base}/**/{body}{tail}"
