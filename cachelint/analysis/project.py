"""The linted project as the analysis sees it: modules parsed on demand, imports resolved.

Real code keeps prompts in constants of other modules, builds request dicts in helpers of
other files and picks its client in a subclass. So when the analysis of one file meets
`from .prompts import SYSTEM`, it reads `prompts.py` from disk (even when only one file was
passed, as pre-commit does), parses it with the stdlib parser and evaluates just the names
it needs. Nothing is imported or executed, and nothing outside the project root is read.

Every module and data file read is recorded in `deps`, so the result cache can invalidate
an importer when an imported prompt module changes.
"""

from __future__ import annotations

import ast
import os
import re
import weakref
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Dict, FrozenSet, Iterator, List, Optional, Set, Tuple

from cachelint.config.settings import DEFAULT_EXCLUDES, AnalysisOptions
from cachelint.source import LineIndex, SourceError, SourceFile, content_digest, decode_source, read_regular_file
from cachelint.syntax import parse_module
from cachelint.analysis.byte_index import IndexRow, defines, headers_naming, index_file, index_row, line_head
from cachelint.analysis.installed import InstalledSdks

MAX_MODULE_BYTES = 8_000_000
#: a line that imports names (`from x import a, b`, `import x`), also inside parentheses
_IMPORT_LINE_RE = re.compile(rb"[ \t]*(?:from[ \t]+[\w.]+[ \t]+import|import)[ \t]")


class ClassInfo:
    """A class statement of the project, with what the analysis asks of it.

    It refers to its module weakly: the module holds its classes, and a strong reference
    back made every parsed module a reference cycle, so a module dropped from the cache
    (with its syntax tree, megabytes for a large one) waited for a full run of the cyclic
    garbage collector instead of being freed at once. The module outlives its classes'
    use: the analysis of a file holds every module it reads until the file is done.
    """

    __slots__ = ("_module", "node", "name", "methods", "attrs", "key", "__weakref__")

    def __init__(self, module: "ModuleInfo", node: ast.ClassDef, name: str) -> None:
        self._module = weakref.ref(module)
        self.node = node
        self.name = name
        #: identity across parses of the same bytes: (module path, line of the `class`)
        self.key: Tuple[str, int] = (module.path, node.lineno)
        self.methods: Dict[str, ast.AST] = {}
        #: class-body statements assigning each attribute, in order
        self.attrs: Dict[str, List[ast.stmt]] = {}

    @property
    def module(self) -> "ModuleInfo":
        module = self._module()
        assert module is not None, "a class outlived the analysis of its module"
        return module

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ClassInfo) and other.key == self.key

    def __repr__(self) -> str:
        module = self._module()
        return f"ClassInfo({self.name!r} at {module.path if module else '?'}:{self.node.lineno})"


def is_protocol(info: ClassInfo) -> bool:
    """Whether a class is a `typing.Protocol` (`class Broker(Protocol)`,
    `typing_extensions.Protocol`, `Protocol[T]`), read from its bases' names."""
    for base in info.node.bases:
        if isinstance(base, ast.Subscript):
            base = base.value
        if isinstance(base, ast.Name) and base.id == "Protocol" or isinstance(base, ast.Attribute) and base.attr == "Protocol":
            return True
    return False


class ModuleInfo:
    """A parsed project module and its top-level symbol table."""

    def __init__(self, path: str, source: SourceFile, tree: ast.Module, name: Optional[str], is_package: bool,
                 index: Optional[LineIndex] = None) -> None:
        self.path = path
        self.source = source
        self.text = source.text
        self.tree = tree
        self.name = name
        self.is_package = is_package
        #: the caller's index of `text`, if it made one (the engine does for every file)
        self._index: Optional[LineIndex] = index if index is not None and index.text is source.text else None
        #: name -> top-level statements that bind or mutate it, in source order
        self.bindings: Dict[str, List[ast.stmt]] = {}
        self.classes: Dict[str, ClassInfo] = {}
        self.all_classes: List[ClassInfo] = []
        #: `all_classes` by the id of their `class` statement (the first when one repeats)
        self.class_of_node: Dict[int, ClassInfo] = {}
        self.functions: Dict[str, ast.AST] = {}
        #: every `import` / `from ... import` anywhere in the module, in walk order; indexed
        #: once here because annotation lookups need them for every analysed parameter
        self.imports: List[ast.stmt] = []
        self._digest: Optional[str] = None
        #: memos of `analysis.candidates` (its functions, and its `Summary`)
        self.functions_list: Optional[List[Any]] = None
        self.summary: Any = None
        #: memos of `analysis.effects`: per function node id, its own effects and whether
        #: a call to it whose result is dropped can be skipped; functions by name
        self.effects_memo: Dict[int, Any] = {}
        self.inert_memo: Dict[Tuple[int, FrozenSet[str]], bool] = {}
        #: memo of `analysis.candidates.module_code`: the text without docstrings and comments
        self.code: Optional[str] = None
        #: memo of `analysis.candidates.module_triggers`
        self.triggers: Any = None
        self.reach_memo: Dict[Tuple[int, FrozenSet[str]], bool] = {}
        self.functions_by_name: Optional[Dict[str, List[Any]]] = None
        #: first row of each top-level statement (see `interp.names`), built on first use
        self.top_starts: Optional[List[int]] = None
        self._deferrable: Optional[Dict[int, str]] = None
        #: top-level statements binding one name (`NAME = ...`, `NAME: T = ...`, `def`,
        #: `class`), and the last row of the last top-level statement that
        #: branches or loops (see `_collect`, `deferrable_statements`)
        self._binders: List[ast.stmt] = []
        self._last_fork_row = 0
        self._rebound: Optional[FrozenSet[str]] = None
        self._collect(tree.body)
        #: every statement of the module, in `ast.walk` order (see `walk_statements`)
        self.statements: List[ast.AST] = walk_statements(tree)
        class_type, import_types = ast.ClassDef, (ast.Import, ast.ImportFrom)
        for node in self.statements:
            kind = type(node)
            if kind is not class_type and kind not in import_types:
                continue  # nearly every statement: spare the two isinstance calls
            if isinstance(node, ast.ClassDef):
                info = self.classes.get(node.name)
                if info is None or info.node is not node:
                    info = _class_info(self, node)
                self.all_classes.append(info)
                self.class_of_node.setdefault(id(node), info)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                self.imports.append(node)

    @property
    def rebound_globals(self) -> FrozenSet[str]:
        """Module-level names that a function declares `global` and assigns: settings a
        setter changes at run time (`def set_model(p, m): global _provider; _provider = p`).
        Code running after import may read any value they were given, not the one the
        module's own statements bind (see `NamesMixin.runtime_global`). An assignment is
        counted anywhere below the top level (a module-level `if` too: only a declared
        name can be one). Computed once per module, on first use."""
        if self._rebound is None:
            declared = {name for stmt in self.statements if isinstance(stmt, ast.Global) for name in stmt.names}
            found: Set[str] = set()
            if declared:
                top = {id(stmt) for stmt in self.tree.body}
                for stmt in self.statements:
                    if id(stmt) in top:
                        continue
                    if isinstance(stmt, ast.Assign):
                        targets: List[ast.expr] = list(stmt.targets)
                    elif isinstance(stmt, (ast.AugAssign, ast.AnnAssign)):
                        targets = [stmt.target]
                    else:
                        continue
                    found.update(t.id for t in targets if isinstance(t, ast.Name) and t.id in declared)
            self._rebound = frozenset(found)
        return self._rebound

    def deferrable(self) -> Dict[int, str]:
        """The top-level statements the module's code may leave unrun, by id, each with the
        name it binds: see `deferrable_statements`. Computed once per module."""
        if self._deferrable is None:
            self._deferrable = deferrable_statements(self)
        return self._deferrable

    @property
    def digest(self) -> str:
        """Content hash of the module's bytes, computed once (the result cache keys on it)."""
        if self._digest is None:
            self._digest = content_digest(self.source.raw)
        return self._digest

    @property
    def index(self) -> LineIndex:
        if self._index is None:
            self._index = LineIndex(self.text)
        return self._index

    @property
    def package(self) -> str:
        """Dotted package that relative imports start from."""
        if self.name is None:
            return ""
        return self.name if self.is_package else self.name.rpartition(".")[0]

    def _collect(self, body: List[ast.stmt], top: bool = True) -> None:
        """Fill `bindings`, `functions` and `classes` from a block of top-level code (the
        module's body, and the branches of its `if` and `try` statements). Of the module's
        own body it also notes what `deferrable_statements` looks at (`_binders`, the end
        of the last statement that branches or loops), in the same pass: a generated module
        has 90,000 statements, and each pass over them costs a tenth of a second."""
        bindings = self.bindings
        binders = self._binders if top else None
        assign, name_type = ast.Assign, ast.Name
        for stmt in body:
            kind = type(stmt)
            if kind is assign and len(stmt.targets) == 1 and type(stmt.targets[0]) is name_type:  # type: ignore[attr-defined]
                # `NAME = ...`, most statements of a generated module: what `bound_names`
                # answers, without its chain of type tests (90,000 constants: 0.15 s)
                name = stmt.targets[0].id  # type: ignore[attr-defined]
                found = bindings.get(name)
                if found is None:
                    bindings[name] = [stmt]
                else:
                    found.append(stmt)
                if binders is not None:
                    binders.append(stmt)
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions[stmt.name] = stmt
                self.bindings.setdefault(stmt.name, []).append(stmt)
                if binders is not None:
                    binders.append(stmt)
            elif isinstance(stmt, ast.ClassDef):
                self.classes[stmt.name] = _class_info(self, stmt)
                self.bindings.setdefault(stmt.name, []).append(stmt)
                if binders is not None:
                    binders.append(stmt)
            elif isinstance(stmt, (ast.If, ast.Try)) or type(stmt).__name__ == "TryStar":
                if top:
                    self._last_fork_row = stmt.end_lineno or stmt.lineno
                for block in _sub_blocks(stmt):
                    self._collect(block, False)
            else:
                if top:
                    if kind in _FORKS:
                        self._last_fork_row = stmt.end_lineno or stmt.lineno
                    elif kind is ast.AnnAssign and stmt.value is not None and type(stmt.target) is ast.Name:  # type: ignore[attr-defined]
                        binders.append(stmt)  # type: ignore[union-attr]
                for name in bound_names(stmt):
                    self.bindings.setdefault(name, []).append(stmt)


_WORD_RE = re.compile(r"\w+")


def deferrable_statements(module: ModuleInfo) -> Dict[int, str]:
    """Top-level statements that only bind a name, which running the module's code may
    skip while the name is still unbound: the name's value is then computed from its
    `bindings` when something reads it (names are evaluated lazily anyway), which gives
    the same value, because

    - the statement sends nothing and calls nothing: `NAME = <constant>`, `def NAME`,
      `class NAME` (decorators, bases and bodies are evaluated when the name is used);
    - it is the name's only top-level binding (nothing rebinds or mutates it), and no
      `if`/`try`/loop/`with`/`match` follows it at the top level (a name first read in a
      branch would be bound in that branch only); the interpreter also runs it when
      something has read the name before the statement was reached.

    `NAME = <plain literal display>` (a dict, list, tuple or set of constants) may be
    skipped only when NAME occurs exactly once in the module's text, as a word (strings,
    comments and attributes count too: `__all__ = ["NAME"]`, `globals()["NAME"]`): no code
    of the module reads it, so also where a container is made (before a loop or in it)
    cannot matter.

    Generated modules of megabytes are mostly made of such statements: running them used
    up the step budget of the module's code (0.6 s on a 3 MB price table), after which the
    module-level requests further down were given up."""
    found: Dict[int, str] = {}
    displays: List[Tuple[ast.stmt, str]] = []
    bindings = module.bindings
    last_fork_row = module._last_fork_row
    constant, assign, annotated = ast.Constant, ast.Assign, ast.AnnAssign
    for stmt in module._binders:
        kind = type(stmt)
        if kind is assign:
            name = stmt.targets[0].id  # type: ignore[attr-defined]
        elif kind is annotated:
            name = stmt.target.id  # type: ignore[attr-defined]
        else:  # def, class
            name = stmt.name  # type: ignore[attr-defined]
            if stmt.lineno > last_fork_row and len(bindings[name]) == 1:
                found[id(stmt)] = name
            continue
        value = stmt.value  # type: ignore[attr-defined]
        value_kind = type(value)
        if value_kind is constant or (
            value_kind is ast.UnaryOp and type(value.operand) is constant and type(value.op) in _SIGNS  # type: ignore[attr-defined]
        ):
            if stmt.lineno > last_fork_row and len(bindings[name]) == 1:
                found[id(stmt)] = name
        elif value_kind in _DISPLAYS and _plain_literal(value):
            displays.append((stmt, name))
    if displays:
        counts = _word_counts(module.text, {name for _, name in displays})
        for stmt, name in displays:
            if counts.get(name) == 1:
                found[id(stmt)] = name
    return found


#: statements that run a block on a copy of the module's names, or more than once
_FORKS = frozenset(
    (ast.If, ast.Try, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith)
    + tuple(getattr(ast, name) for name in ("TryStar", "Match") if hasattr(ast, name))
)
_SIGNS = frozenset((ast.USub, ast.UAdd))
_DEFINITIONS = frozenset((ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
_SEQUENCES = frozenset((ast.List, ast.Tuple, ast.Set))
_DISPLAYS = _SEQUENCES | {ast.Dict}


#: characters of text counted at once by `_word_counts`
_WORD_PIECE = 1 << 18


def _word_counts(text: str, wanted: Set[str]) -> Dict[str, int]:
    """How often each word of `wanted` occurs in `text` as a whole word (identifiers after
    NFKC normalisation, as Python compares them)."""
    if text.isascii():
        prefixes = {name[:_PREFIX] for name in wanted}
        if len(prefixes) <= _MAX_PREFIXES:
            return _counts_by_prefix(text, wanted, prefixes)
    counts: Dict[str, int] = {}
    ascii_text = text.isascii()
    start = 0
    while start < len(text):
        # piece by piece, so the words of a huge module are never all held at once
        # (200,000 strings for 3 MB); a line never spans two pieces
        end = text.find("\n", start + _WORD_PIECE)
        end = len(text) if end < 0 else end + 1
        words = _WORD_RE.findall(text, start, end)
        if not ascii_text:
            import unicodedata

            words = [w if w.isascii() else unicodedata.normalize("NFKC", w) for w in words]
        piece = Counter(words)
        for word in piece.keys() & wanted:
            counts[word] = counts.get(word, 0) + piece[word]
        start = end
    return counts


#: `_word_counts` looks the words up by their first `_PREFIX` characters when they have at
#: most `_MAX_PREFIXES` different ones (`PRICES_0` ... `PRICES_760`: one): a search for a
#: literal is a memory scan (1 ms on 3 MB), a search for every word takes 0.08 s
_PREFIX = 4
_MAX_PREFIXES = 16
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def _counts_by_prefix(text: str, wanted: Set[str], prefixes: Set[str]) -> Dict[str, int]:
    """`_word_counts` for ASCII text: each match of a prefix followed by word characters
    runs to the end of its word (`\\w*` is greedy and a prefix is made of word characters),
    and is a whole word when no word character precedes it; a whole word starting with the
    prefix is never inside an earlier match (which ends where its own word ends)."""
    counts: Dict[str, int] = {}
    word_chars = _WORD_CHARS
    # a prefix of another prefix finds that one's words too: keep the shortest only
    prefixes = {p for p in prefixes if not any(q != p and p.startswith(q) for q in prefixes)}
    for prefix in prefixes:
        for match in re.finditer(re.escape(prefix) + r"\w*", text):
            start = match.start()
            if start and text[start - 1] in word_chars:
                continue
            word = match.group()
            if word in wanted:
                counts[word] = counts.get(word, 0) + 1
    return counts


def _plain_literal(node: ast.expr) -> bool:
    """Constants in displays, nothing else (no name, call, f-string, `*`/`**`)."""
    stack = [node]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is ast.Constant:
            continue
        if kind is ast.Dict:
            if None in item.keys:  # type: ignore[attr-defined]
                return False  # `**other`
            stack.extend(item.keys)  # type: ignore[attr-defined]
            stack.extend(item.values)  # type: ignore[attr-defined]
        elif kind in _SEQUENCES:
            stack.extend(item.elts)  # type: ignore[attr-defined]
        elif kind is ast.UnaryOp and type(item.operand) is ast.Constant and type(item.op) in _SIGNS:  # type: ignore[attr-defined]
            continue
        else:
            return False
    return True


_BLOCK_FIELDS = frozenset(("body", "handlers", "orelse", "finalbody", "cases"))
_STATEMENT_FIELDS: Dict[type, Tuple[str, ...]] = {}


def walk_statements(tree: ast.AST) -> List[ast.AST]:
    """The statements under `tree` (and the `except` handlers and `case` clauses between
    them), in the order `ast.walk` yields them.

    Definitions and imports are statements, so finding them needs no visit of the
    expressions, nine nodes in ten: on a generated module of megabytes the full walks
    were a second each. Breadth first over the same fields in the same order as
    `ast.iter_child_nodes`, so the relative order is `ast.walk`'s."""
    out: List[ast.AST] = [tree]
    i = 0
    fields_of = _STATEMENT_FIELDS
    while i < len(out):
        node = out[i]
        i += 1
        kind = type(node)
        fields = fields_of.get(kind)
        if fields is None:
            fields = fields_of[kind] = tuple(f for f in kind._fields if f in _BLOCK_FIELDS)
        for name in fields:
            block = getattr(node, name, None)
            if type(block) is list:
                # these fields of statements, handlers and cases hold statements, handlers
                # and cases only (expressions, which have `body`/`orelse` too, are never visited)
                out.extend(block)
    del out[0]
    return out


def _sub_blocks(stmt: ast.stmt) -> Iterator[List[ast.stmt]]:
    for attr in ("body", "orelse", "finalbody"):
        block = getattr(stmt, attr, None)
        if block:
            yield block
    for handler in getattr(stmt, "handlers", []) or []:
        yield handler.body


def _class_info(module: ModuleInfo, node: ast.ClassDef) -> ClassInfo:
    info = ClassInfo(module=module, node=node, name=node.name)
    for stmt in node.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            info.methods[stmt.name] = stmt
        else:
            for name in bound_names(stmt):
                info.attrs.setdefault(name, []).append(stmt)
    return info


def bound_names(stmt: ast.stmt) -> List[str]:
    """Names a simple statement binds or mutates at its own level."""
    names: List[str] = []
    if isinstance(stmt, ast.Assign):
        for target in stmt.targets:
            names.extend(_target_names(target))
    elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
        names.extend(_target_names(stmt.target))
    elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
        for alias in stmt.names:
            if alias.name == "*":
                continue
            names.append(alias.asname or alias.name.split(".")[0])
    elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        func = stmt.value.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            names.append(func.value.id)  # PROMPTS.append(...) mutates PROMPTS
    return names


def _target_names(target: ast.expr) -> List[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        out: List[str] = []
        for elt in target.elts:
            out.extend(_target_names(elt))
        return out
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    if isinstance(target, ast.Subscript):
        base = target.value
        while isinstance(base, ast.Subscript):
            base = base.value
        if isinstance(base, ast.Name):
            return [base.id]
    return []


#: Source bytes of parsed modules a worker keeps between files (a syntax tree takes many
#: times its source in memory). Modules trimmed away are parsed again when needed; the
#: wrapper search never needs them again (it keeps summaries).
MODULE_CACHE_BYTES = 6_000_000
#: distinct bases `Project.class_headers` searches the rows for before it reads them all
HEADER_QUESTIONS = 16
#: files read (new or changed) or gone since the stored byte index was written, beyond
#: which it is written again: reading a few edited files costs a run milliseconds, writing
#: corpus L's index (4 MB) a tenth of a second, which a pre-commit run of one edited file
#: would pay every time
INDEX_SAVE_AFTER = 64


class Project:
    """On-demand view of the project under `root` (one per worker process and root)."""

    def __init__(self, root: Path, options: Optional[AnalysisOptions] = None) -> None:
        self.root = Path(os.path.realpath(root))
        self.options = options or AnalysisOptions()
        self._modules: Dict[str, Optional[ModuleInfo]] = {}
        self._realpaths: Dict[str, str] = {}
        #: source bytes of the modules in `_modules`, and the most `trim` keeps
        self._module_bytes = 0
        self.module_cache_bytes = MODULE_CACHE_BYTES
        self._overrides: Dict[str, bytes] = {}
        #: every path this project parsed, in order (a path twice: parsed again after `trim`
        #: dropped it); the engine takes and clears it per linted file for `--verbose`
        self.parse_log: List[str] = []
        self._resolve_cache: Dict[Tuple[str, str, int], Optional[str]] = {}
        self._package_dirs: Dict[str, bool] = {}
        #: which directories under the root are an installed SDK's own source
        self.installed_sdks = InstalledSdks(str(self.root))
        #: the byte index: per Python file under the root, its `IndexRow` (`_index_rows`)
        self._index_rows: Optional[Dict[str, IndexRow]] = None
        #: answers asked of it: base -> (file, subclass) of the headers naming it; name ->
        #: the files defining it
        self._headers_memo: Dict[str, List[Tuple[str, str]]] = {}
        #: `_headers_memo` holds every header of the project (see `class_headers`)
        self._headers_complete = False
        #: where the byte index is kept between runs (`cachelint.cache.byte_index`), when
        #: the run has a result cache; None: built from the bytes every time
        self.index_store: Any = None
        #: where module summaries are kept between runs (`cachelint.cache.summaries`), when
        #: the run has a result cache; None: summarised from the parsed modules every time
        self.summary_store: Any = None
        self._definers_memo: Dict[str, List[str]] = {}
        #: method name -> the key of the base class of the one hierarchy that defines it,
        #: or None (the interpreter's `interface_dispatch` memo; see `class_at`)
        self.interfaces: Dict[str, Any] = {}
        self._files: Optional[List[str]] = None
        #: name -> `name_uses(name)`, dropped when a file changes
        self._name_uses: Dict[str, List[Tuple[str, int]]] = {}
        #: the wrapper search's answers (what importing a module leads to, per module path,
        #: depth and names wanted; which methods a base's subclasses send with), each with
        #: the files it came from (`candidates._remembered`); dropped whenever a module changes
        self.candidate_memo: Dict[Tuple[Any, ...], Any] = {}
        #: path -> `analysis.candidates.Summary` of the module (kept when the module's syntax
        #: tree is trimmed; dropped when its content changes)
        self.summaries: Dict[str, Any] = {}
        #: modules the current file's search for imported wrappers has read (see
        #: `cachelint.analysis.candidates.IMPORT_MODULES_BUDGET`); None outside that search
        self.explored: Optional[Set[str]] = None
        #: the files each remembered answer being computed explores (see
        #: `candidates._remembered`), innermost last
        self.exploring: List[Set[str]] = []
        #: every project file read for the current analysis (path -> content hash)
        self.deps: Dict[str, str] = {}
        #: an event (`threading.Event`) another thread sets to end the current analysis
        #: with `analysis.frames.Cancelled` (the language server, when a buffer changed
        #: again); None: never cancelled
        self.cancel: Optional[Any] = None

    # --- files ---------------------------------------------------------------------------
    def real(self, path: str) -> str:
        """`os.path.realpath`, remembered: the analysis asks for the same few paths
        hundreds of thousands of times per run, and each answer costs an lstat per
        path component."""
        found = self._realpaths.get(path)
        if found is None:
            found = self._realpaths[path] = os.path.realpath(path)
        return found

    def installed_sdk(self, path: str) -> bool:
        """Whether the file at `path` is an installed SDK's own source, which the analysis
        reads as the SDK, never as the project's code (`cachelint.analysis.installed`)."""
        return self.installed_sdks.holds(self.real(path))

    def contains(self, path: str) -> bool:
        real = self.real(path)
        root = str(self.root)
        return real == root or real.startswith(root.rstrip(os.sep) + os.sep)

    def set_override(self, path: str, data: bytes, parsed: Optional[Tuple[SourceFile, ast.Module]] = None,
                     index: Optional[LineIndex] = None) -> None:
        """Use `data` as the content of `path` (stdin input, a file being fixed, the file being
        linted). `parsed`: the caller's own decode and parse of `data`, adopted as the module
        so the analysed file is not parsed twice; `index`: its `LineIndex` of that text, so
        the rows are not split twice either."""
        path = self.real(path)
        loaded = self._modules.get(path)
        previous = self._overrides.get(path)
        self._overrides[path] = data
        if loaded is not None and loaded.source.raw == data:
            return  # the same bytes (a file linted from disk): what we know still holds
        summary = self.summaries.get(path)
        if loaded is None and summary is not None and summary.digest == content_digest(data):
            # The parsed module was trimmed but the summary's bytes are these: nothing changed.
            # Treating it as an edit re-scanned the project's byte indexes for each such
            # file (8 of 76 s analysing the openai SDK).
            pass
        elif loaded is not None or path in self.summaries:
            self._drop_module(path)
            self._changed(path)
        elif previous is not None and previous != data:
            self._changed(path)  # trimmed from the cache, but still known to the byte indexes
        if parsed is not None:
            name, is_package = self.module_name(path)
            info = ModuleInfo(path, parsed[0], parsed[1], name, is_package, index)
            self._modules[path] = info
            self._module_bytes += len(info.source.raw)

    def drop_override(self, path: str) -> None:
        """Stop holding `path`'s bytes (linted from disk: the disk has them)."""
        self._overrides.pop(self.real(path), None)

    def _drop_module(self, path: str) -> None:
        info = self._modules.pop(path, None)
        if info is not None:
            self._module_bytes -= len(info.source.raw)

    def forget(self, path: str) -> None:
        """Drop what is cached about `path` (its content changed on disk)."""
        path = self.real(path)
        self._drop_module(path)
        self._overrides.pop(path, None)
        self._changed(path)

    def content_changed(self, path: str) -> None:
        """`path` reads differently from before although no parsed module of it may be
        held (an editor buffer replacing the file's text): see `_changed`."""
        self._changed(self.real(path))

    def _changed(self, path: str) -> None:
        """`path` (real) now has other content: drop what was derived from its old content,
        in this module and in the answers about other modules that read it. The parsed
        modules and summaries of the other files stay: they depend on their own bytes only.

        A long-lived process (the language server) relies on this: it keeps the project
        between edits, so an answer computed from a module's old text must not survive."""
        self.summaries.pop(path, None)
        self.candidate_memo.clear()  # rebuilt from the kept summaries in milliseconds
        self._name_uses.clear()  # a helper's uses may have changed with the text
        self.interfaces.clear()  # a class hierarchy may have changed
        for info in self._modules.values():
            if info is not None:
                # "calling this function and dropping its result changes nothing" was
                # judged against the names that send requests, which `path` may change
                info.inert_memo.clear()
                info.reach_memo.clear()
        if self._index_rows is not None:
            self._reindex(path)

    def _reindex(self, path: str) -> None:
        """Update the byte index's row of `path` alone."""
        assert self._index_rows is not None
        self._headers_memo.clear()
        self._headers_complete = False
        self._definers_memo.clear()
        data = self.read_bytes_untracked(path, resolved=True)
        if data is not None and (self._files is None or path in self._files):
            self._index_rows[path] = index_row(index_file(data))
        else:
            self._index_rows.pop(path, None)

    def files_changed(self) -> None:
        """Files were created, deleted or renamed under the root: forget the file list, the
        byte indexes built from it and how imports resolved (a new module can take over an
        import)."""
        self._files = None
        self._index_rows = None
        self._headers_memo.clear()
        self._headers_complete = False
        self._definers_memo.clear()
        self._package_dirs.clear()
        self.installed_sdks = InstalledSdks(str(self.root))  # an SDK may have been installed
        self._resolve_cache.clear()
        self.candidate_memo.clear()
        self._name_uses.clear()
        self.interfaces.clear()

    def read_bytes(self, path: str, limit: int = MAX_MODULE_BYTES) -> Optional[bytes]:
        """Bytes of a project file, or None if outside the root, missing or too big."""
        real = self.real(path)
        if real in self._overrides:
            data = self._overrides[real]
        else:
            if not self.contains(real):
                return None
            try:
                if os.path.getsize(real) > limit:
                    return None
                data = read_regular_file(real)  # a FIFO named like a module never blocks
            except OSError:
                return None
        self.deps[real] = content_digest(data)
        return data

    def read_prompt_file(self, path: str) -> Tuple[Optional[str], Optional[int]]:
        """(text, size) of a prompt file read by the analysed code, or (None, None).

        Only files under the project root (and under `prompt-paths` when configured) are
        read; a file over the size limit gives its size only.
        """
        real = self.real(path)
        if not self.contains(real) or not self._prompt_path_allowed(real):
            return None, None
        try:
            size = os.path.getsize(real)
        except OSError:
            return None, None
        if size > self.options.max_prompt_file_bytes:
            return None, size
        data = self.read_bytes(real, limit=self.options.max_prompt_file_bytes)
        if data is None:
            return None, None
        try:
            return data.decode("utf-8-sig"), size
        except UnicodeDecodeError:
            return None, size

    def _prompt_path_allowed(self, real: str) -> bool:
        if not self.options.prompt_paths:
            return True
        for rel in self.options.prompt_paths:
            base = self.real(os.path.join(self.root, rel))
            if real == base or real.startswith(base.rstrip(os.sep) + os.sep):
                return True
        return False

    # --- modules ---------------------------------------------------------------------------
    def module(self, path: str, keep: bool = True) -> Optional[ModuleInfo]:
        """The parsed module at `path` (None when it cannot be read or parsed).

        `keep=False`: a module parsed only to be summarised (the wrapper search reads up
        to 128 imported modules per file; the interpreter follows fewer of them) is held
        only while the held modules are within `module_cache_bytes`, which `trim` applies
        between files only: litellm's `main.py` held 240 trees (290 MB) where the
        interpreter used 111. Below the bound it is kept, as the interpreter of a small
        project needs most modules (parsing them again cost meeting-helper 12 %). A module
        already held is returned as it is (one object per module in a file's analysis)."""
        path = self.real(path)
        if path in self._modules:
            info = self._modules.pop(path)
            self._modules[path] = info  # most recently used last: `trim` drops the oldest
            if info is not None and path not in self.deps:
                self.deps[path] = info.digest
            return info
        info = self._load(path)
        if not keep and info is not None and self._module_bytes + len(info.source.raw) > self.module_cache_bytes:
            return info
        self._modules[path] = info
        if info is not None:
            self._module_bytes += len(info.source.raw)
        return info

    def trim(self) -> None:
        """Forget the least recently used parsed modules beyond the memory budget.

        A worker lints thousands of files; keeping the syntax tree of every module any of
        them imported grew each worker past a gigabyte on a large monorepo. Called between
        files only: within one file's analysis a module must stay the same object (classes
        are compared by identity). The most recently used module stays whatever its size:
        it is the file about to be analysed (evicting a module larger than the budget made
        the analysis parse it a second time)."""
        budget = self.module_cache_bytes
        while self._module_bytes > budget and len(self._modules) > 1:
            path = next(iter(self._modules))
            info = self._modules.pop(path)
            if info is not None:
                self._module_bytes -= len(info.source.raw)

    def parsed_tree(self, path: str, data: bytes) -> Optional[Tuple[SourceFile, ast.Module]]:
        """The decode and parse of `path` this project already holds for exactly `data`
        (a module imported by an earlier file), so the engine need not parse it again."""
        info = self._modules.get(self.real(path))
        if info is not None and info.source.raw == data:
            return info.source, info.tree
        return None

    def _load(self, path: str) -> Optional[ModuleInfo]:
        data = self.read_bytes(path)
        if data is None:
            return None
        try:
            source = decode_source(path, data)
        except SourceError:
            return None
        self.parse_log.append(path)
        tree = parse_module(source.text, path).tree  # any Python's syntax, on any interpreter
        if tree is None:
            return None
        name, is_package = self.module_name(path)
        info = ModuleInfo(path, source, tree, name, is_package)
        summary = self.summaries.get(path)
        if summary is not None and summary.digest == info.digest:
            info.summary = summary  # summarised from these bytes before, the tree not kept
        return info

    def _package_dir(self, directory: str) -> bool:
        """Whether `directory` holds an `__init__.py`, asked once per directory (every
        module loaded and every import resolved walks up its packages; forgotten by
        `files_changed`)."""
        known = self._package_dirs.get(directory)
        if known is None:
            known = self._package_dirs[directory] = os.path.exists(os.path.join(directory, "__init__.py"))
        return known

    def module_name(self, path: str) -> Tuple[Optional[str], bool]:
        """Dotted name of a file from the package directories above it."""
        name = os.path.basename(path)
        is_package = name == "__init__.py"
        parts: List[str] = [] if is_package else [os.path.splitext(name)[0]]
        directory = os.path.dirname(path)
        while self._package_dir(directory) and self.contains(directory):
            parts.insert(0, os.path.basename(directory))
            parent = os.path.dirname(directory)
            if parent == directory:
                break
            directory = parent
        if not parts:
            return None, is_package
        return ".".join(parts), is_package

    def search_roots(self, from_path: str) -> List[str]:
        """Directories absolute imports are resolved from, nearest first."""
        roots: List[str] = []
        p = os.path.dirname(from_path)
        top = p
        while self._package_dir(top) and self.contains(os.path.dirname(top)):
            top = os.path.dirname(top)
        for candidate in (top, p, str(self.root), str(self.root / "src")):
            if candidate not in roots and self.contains(candidate):
                roots.append(candidate)
        return roots

    def resolve_import(self, from_path: str, module: str, level: int = 0) -> Optional[str]:
        """File path of `module` as imported from `from_path`, if it is a project module."""
        key = (from_path, module, level)
        if key in self._resolve_cache:
            return self._resolve_cache[key]
        result = self._resolve(from_path, module, level)
        self._resolve_cache[key] = result
        return result

    def _resolve(self, from_path: str, module: str, level: int) -> Optional[str]:
        parts = [p for p in module.split(".") if p] if module else []
        if level > 0:
            base = Path(from_path).parent
            for _ in range(level - 1):
                base = base.parent
            return self._find(str(base), parts)
        for root in self.search_roots(from_path):
            found = self._find(root, parts)
            if found is not None:
                return found
        return None

    def _find(self, base: str, parts: List[str]) -> Optional[str]:
        if not parts:
            init = os.path.join(base, "__init__.py")
            return init if os.path.isfile(init) and self.contains(init) else None
        path = os.path.join(base, *parts)
        for candidate in (path + ".py", os.path.join(path, "__init__.py")):
            if os.path.isfile(candidate) and self.contains(candidate):
                return self.real(candidate)
        return None

    # --- classes -------------------------------------------------------------------------
    def subclasses(self, info: ClassInfo, resolve_base) -> List[ClassInfo]:
        """Project classes that inherit from `info`, directly or not (bounded search).

        A cheap byte index of `class X(Base...)` headers over the project picks candidate
        files; only those are parsed, and a candidate counts only when its base resolves
        (through `resolve_base`) to `info`.
        """
        found: List[ClassInfo] = []
        seen: Set[Tuple[str, int]] = {info.key}
        queue = [info]
        while queue and len(found) < 32:
            current = queue.pop(0)
            for path, _sub in self.class_headers(current.name):
                module = self.module(path)
                if module is None:
                    continue
                for cls in module.all_classes:
                    if cls.key in seen:
                        continue
                    for base in cls.node.bases:
                        if resolve_base(module, base) == current:
                            seen.add(cls.key)
                            found.append(cls)
                            queue.append(cls)
                            break
        return found

    def implementations(self, protocol: ClassInfo, method: str, max_files: int,
                        worth: Callable[[str], bool] = lambda path: True) -> List[ClassInfo]:
        """Project classes implementing the `typing.Protocol` `protocol` where `method` is
        called on it: implementations of a protocol do not name it (wick-harness's agents
        take `broker: Broker`, `InProcessBroker` sends). The files whose bytes define
        `method` (`defining_files`), none when there are more than `max_files` (a name that
        common singles out nothing) and that are `worth` parsing; a class counts when it
        defines every method the protocol declares (dunder methods aside) and is not a
        protocol itself."""
        files = self.defining_files(method)
        if len(files) > max_files:
            return []
        wanted = {name for name in protocol.methods if not name.startswith("__")} | {method}
        found: List[ClassInfo] = []
        for path in files:
            if not worth(path):
                continue
            module = self.module(path)
            if module is None:
                continue
            found.extend(cls for cls in module.all_classes
                         if cls != protocol and not is_protocol(cls) and wanted <= set(cls.methods))
        return found

    def class_at(self, key: Tuple[str, int]) -> Optional[ClassInfo]:
        """The class whose `class` statement is at `key` (path, line) in the module as the
        project holds it now. What is kept from one file's analysis to the next refers to
        a class by its key: the module it was found in may have been dropped since."""
        module = self.module(key[0])
        if module is None:
            return None
        for cls in module.all_classes:
            if cls.key == key:
                return cls
        return None

    def defining_files(self, method: str) -> List[str]:
        """Project files whose bytes define a function or method named `method` (see
        `_index_rows`); the files are not recorded as dependencies."""
        found = self._definers_memo.get(method)
        if found is None:
            found = self._definers_memo[method] = [
                path for path, row in self._index().items() if defines(row, method)]
        return found

    def class_headers(self, base: str) -> List[Tuple[str, str]]:
        """(file, subclass name) of every `class X(...)` header naming `base` in the project.

        The rows are searched per question: most runs ask about a handful of bases. A run
        that asks about many (the wrapper search asks every imported class an importer
        calls through: 58 for one file of crewai) has every header read into the memo in
        one pass instead (`HEADER_QUESTIONS`), a fraction of the cost of searching each time."""
        found = self._headers_memo.get(base)
        if found is not None:
            return found
        if self._headers_complete:
            return []
        if len(self._headers_memo) < HEADER_QUESTIONS:
            found = self._headers_memo[base] = [
                (path, sub) for path, row in self._index().items() for sub in headers_naming(row, base)]
            return found
        every: Dict[str, List[Tuple[str, str]]] = {}
        for path, row in self._index().items():
            words = row[0].split(" ") if row[0] else []
            for i in range(0, len(words) - 1, 2):
                every.setdefault(words[i], []).append((path, words[i + 1]))
        self._headers_memo.clear()
        self._headers_memo.update(every)
        self._headers_complete = True
        return self._headers_memo.get(base, [])

    def _index(self) -> Dict[str, IndexRow]:
        if self._index_rows is None:
            self._index_rows = self._index_project()
        return self._index_rows

    def _index_project(self) -> Dict[str, IndexRow]:
        """One pass over the project's files, the first time the byte index is asked about:
        each file's class headers (`subclasses`) and defined names (`defining_files`).

        With an `index_store`, a file whose size and modification time are those it was
        indexed at is not read: its stored row is used (on corpus L, a one-file run read
        110 MB for this)."""
        stored = self.index_store.load() if self.index_store is not None else {}
        rows: Dict[str, IndexRow] = {}
        kept: Dict[str, Tuple[Tuple[int, int], str, str]] = {}
        read = 0
        for path in self.python_files():
            if path in self._overrides:
                rows[path] = index_row(index_file(self._overrides[path]))  # unsaved text: not stored
                continue
            try:
                st = os.stat(path)
            except OSError:
                continue
            if st.st_size > MAX_MODULE_BYTES:
                continue
            stat = (st.st_size, st.st_mtime_ns)
            entry = stored.get(path)
            if entry is not None and entry[0] == stat:
                row = (entry[1], entry[2])
            else:
                try:
                    row = index_row(index_file(read_regular_file(path)))
                except OSError:
                    continue
                read += 1
            rows[path] = row
            kept[path] = (stat, row[0], row[1])
        gone = sum(1 for path in stored if path not in kept)  # deleted, or now unsaved text
        if self.index_store is not None and read + gone > INDEX_SAVE_AFTER:
            self.index_store.save(kept)
        return rows

    def name_uses(self, name: str) -> List[Tuple[str, int]]:
        """(file, offset) of every use of `name` as a word in the project's Python files,
        leaving out its `def`/`class` lines and import statements.

        Fixes ask it before editing a helper: a helper used once is private to the one
        request that reaches it; one used more often may build other requests too. Textual
        on purpose: a use the analysis cannot follow (a test, a callback table) counts too.
        """
        if not re.fullmatch(r"\w+", name):
            return []
        found = self._name_uses.get(name)
        if found is not None:
            return found
        word = re.compile(rb"\b" + re.escape(name.encode()) + rb"\b")
        found = []
        for path in self.python_files():
            data = self.read_bytes_untracked(path, resolved=True)
            if data is None or name.encode() not in data:
                continue
            for match in word.finditer(data):
                line_start, head = line_head(data, match.start())
                if head.strip() in (b"def", b"async def", b"class") or _IMPORT_LINE_RE.match(data, line_start):
                    continue
                found.append((path, match.start()))
        self._name_uses[name] = found
        return found

    def has_override(self, path: str) -> bool:
        """Whether the analysis reads `path` (real) from memory rather than from the disk."""
        return path in self._overrides

    def read_bytes_untracked(self, path: str, resolved: bool = False) -> Optional[bytes]:
        """Bytes of a file, not recorded as a dependency (`resolved`: `path` is real already)."""
        real = path if resolved else self.real(path)
        if real in self._overrides:
            return self._overrides[real]
        try:
            if os.path.getsize(real) > MAX_MODULE_BYTES:
                return None
            return read_regular_file(real)
        except OSError:
            return None

    def python_files(self) -> List[str]:
        """Every `.py` file under the root, skipping the usual virtualenv and build dirs and
        the installed SDKs' own sources."""
        if self._files is not None:
            return self._files
        files: List[str] = []
        skip = set(DEFAULT_EXCLUDES)
        stack = [str(self.root)]
        while stack:
            directory = stack.pop()
            try:
                entries = list(os.scandir(directory))
            except OSError:
                continue
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if (entry.name not in skip and not entry.name.startswith(".")
                                and not self.installed_sdks.inside(entry.path)):
                            stack.append(entry.path)
                    elif entry.name.endswith(".py") and entry.is_file(follow_symlinks=False):
                        # the root is resolved and no symlink is followed: already real
                        files.append(entry.path)
                except OSError:
                    continue
        files.sort()
        self._files = files
        return files


