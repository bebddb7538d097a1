"""Which functions of a file are worth interpreting: the entry points of the analysis.

A function is a candidate when its text names an SDK request method, a caching field or a
client class, or when it calls something that does: a candidate of the same module, a
module-level name bound to an SDK method (`ask = partial(client.chat...)`), or a candidate
imported from another project module (a wrapper in `llm.py`, followed `IMPORT_DEPTH`
modules deep).

The search over imported modules runs on `Summary` objects, not syntax trees: a summary
holds per function only its name and the names it calls, so it outlives the module cache
(a worker trims parsed modules between files) and a module imported by a thousand files is
parsed once, not once per importer. Only imports that can add a candidate are followed,
and at most `IMPORT_MODULES_BUDGET` modules per file, all or nothing.
"""

from __future__ import annotations

import ast
import bisect
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, FrozenSet, Iterable, List, NamedTuple, Optional, Sequence, Set, Tuple

from cachelint.analysis.project import ClassInfo, ModuleInfo, Project
from cachelint.analysis.sdk import LITELLM_FUNCTIONS, is_sdk_name

#: What sends a request: an SDK request method in the shape it is called or referenced
#: (`.messages.create`, `chat.completions`, `completion(`) or a raw HTTP call. A definition
#: (`def send(self, msg):`) is not a raw HTTP call: every method named `send` or `stream` was
#: a candidate by its own header (aider's `Coder.send`), and so were its callers.
#:
#: The words that are also everyday names count only in an SDK's shape: litellm's
#: `completion`, `responses` and `text_completion` (and their `a` forms) reached as an
#: attribute (`litellm.acompletion(...)`) or, bare, where the module imported them from
#: litellm (`module_triggers`: under whatever name it bound them), and `count_tokens` only
#: as an attribute. As bare words they matched every `responses = []` and `completion =
#: choice.message`. `send(` is no raw HTTP call the analysis can read (it follows `post`,
#: `request` and `stream`); it chose every function sending on a websocket or a queue, and
#: their callers.
_SENDING_SDK = (
    r"\b(?:messages|completions|responses|batches|prompt_caching|caches|models)\s*\.\s*"
    r"(?:create|stream|parse|count_tokens|tool_runner|batches|generate_content\w*|with_raw_response"
    r"|with_streaming_response)\b"
    r"|\b(?:chat|beta|aio|client\w*|_client\w*)\s*\.\s*(?:completions|messages|responses|chat|prompt_caching)\b"
    r"|\b(?<=\.)(?:a?completion|a?responses|a?text_completion|count_tokens)\b"
    r"|\b(?<!def )(?:tool_runner|invoke_model\w*|converse|converse_stream|generate_content\w*)\b"
)
_SENDING = _SENDING_SDK + r"|\b(?<!def )(?:post|request|stream)\s*\("
#: What names the caching machinery without sending: a caching or cache usage field, a
#: client class. Only the SDKs' own client classes: `Anthropic\w*` matched litellm's
#: `AnthropicConfig` and pydantic-ai's `AnthropicModelSettings` in hundreds of functions
#: that handle one provider's options and never build a client, and `bedrock\w*` every
#: `bedrock_supports_citations`; `bedrock-runtime` is the service a boto3 client is made for.
_MENTION = (
    r"\b(?:cache_control|cachePoint|cache_point|copilot_cache_control|cache_read_input_tokens"
    r"|cache_creation_input_tokens|cached_tokens|cacheReadInputTokens|cacheWriteInputTokens|cache_write_tokens"
    r"|prompt_tokens_details|input_tokens_details|cachedContentTokenCount|usage_metadata)\b"
    r"|\b(?:(?:Async)?Anthropic(?:Bedrock(?:Mantle)?|Vertex|Foundry|AWS|GoogleCloud)?|OpenAI|AsyncOpenAI|AzureOpenAI"
    r"|AsyncAzureOpenAI|Router|boto3|bedrock-runtime|genai)\b"
)

#: What makes a function worth interpreting: it sends (`_SENDING`) or names the caching
#: machinery (`_MENTION`). Bare method words (`create`, `parse`, `stream`, `request`,
#: `usage`) used to be enough, and made most functions of an application entry points:
#: factories named `create`, parsers, web handlers taking a `request`. Every alternative
#: starts with a letter or `_`: the lookahead says so to the regex engine, which then skips
#: other characters at once (half the time of a search of a whole module: 0.14 -> 0.07 s
#: on 3 MB). So does every alternative starting with `\b`, which fails at once inside a
#: word: `\b(?<=\.)` says no more than `(?<=\.)` before a letter, and without the `\b`
#: the search of a 3 MB module of prompts took 0.27 s instead of 0.12 s.
TRIGGER_RE = re.compile(r"(?=[A-Za-z_])(?:" + _SENDING + "|" + _MENTION + ")")

#: The part of `TRIGGER_RE` that sends a request. Calling a function that matches it (or
#: calls one) leads to an LLM call, so its callers are candidates too. A function that only
#: mentions (`_MENTION`: it builds a client, marks a block, reads usage) is worth
#: interpreting on its own, but calling it sends nothing: its callers were chosen for it all
#: the same, and on real applications most of them were configuration readers' and client
#: factories' callers that never reach a request (meeting-helper: 144 of 217 entry
#: functions, two thirds of the interpreter's steps). A caller that sends with what such a
#: function returns names the request method itself. `TRIGGER_RE` tries these alternatives
#: first, so a match of it is a sending one exactly when this matches at the same place.
SENDING_RE = re.compile(_SENDING)

#: The module that exports litellm's request functions (`cachelint.analysis.sdk.LITELLM_FUNCTIONS`)
_LITELLM = "litellm"


@dataclass(frozen=True)
class Triggers:
    """`TRIGGER_RE` and `SENDING_RE` as one module reads them: with the bare names it bound
    to litellm's request functions (`from litellm import completion as ask`) among the
    sending words. Every search that decides whether code sends takes its module's."""

    trigger: "re.Pattern[str]"
    sending: "re.Pattern[str]"


_PLAIN_TRIGGERS = Triggers(TRIGGER_RE, SENDING_RE)
#: per set of bound names: a module's choice is one of a few (`completion`, `acompletion`)
_NAMED_TRIGGERS: Dict[FrozenSet[str], Triggers] = {}


def module_triggers(module: ModuleInfo) -> Triggers:
    """The `Triggers` of `module`, memoised on it."""
    found: Optional[Triggers] = module.triggers
    if found is not None:
        return found
    names = frozenset(
        alias.asname or alias.name
        for stmt in module.imports
        if isinstance(stmt, ast.ImportFrom) and stmt.level == 0 and stmt.module == _LITELLM
        for alias in stmt.names
        if alias.name in LITELLM_FUNCTIONS
    )
    if not names:
        found = _PLAIN_TRIGGERS
    else:
        found = _NAMED_TRIGGERS.get(names)
        if found is None:
            # a bound name is a reference too: `fn = acompletion if is_async else completion`
            words = r"|\b(?<!def )(?:" + "|".join(sorted(re.escape(name) for name in names)) + r")\b"
            found = _NAMED_TRIGGERS[names] = Triggers(
                re.compile(r"(?=[A-Za-z_])(?:" + _SENDING + words + "|" + _MENTION + ")"),
                re.compile(_SENDING + words),
            )
    module.triggers = found
    return found

#: How many modules deep an imported wrapper is followed (`triage.py` -> `service.py` ->
#: `llm.py` is two).
IMPORT_DEPTH = 3

#: How many project modules the search for imported wrappers may read for one file. A
#: package whose modules all import each other (litellm: 843 modules for one file) would
#: otherwise be read whole for every file that imports it. Over budget, the file's own
#: candidates are used alone: all or nothing, so the answer never depends on what earlier
#: files left in the memo.
IMPORT_MODULES_BUDGET = 128

#: `name(` and `.name(`: a call, as the search sees it (`\bname\s*\(` in the text), but not
#: the header of a definition: every function's own `def name(` read as a call of `name`
#: chose every method named like one that sends (`run`, `__init__`, `get_input`: aider's
#: `Coder.run` because some other `run` sends). Group 2 is the name called; group 1 the
#: name it is called through, when there is one (`llm.ask(...)`: `llm`, an imported
#: module): one search gives both, where a second search found the heads.
_CALL_RE = re.compile(r"\b(?<!def )(?<!class )(?:(\w+)\s*\.\s*)?(\w+)\s*\(")
#: `x.name` handed on as a value (`to_thread(self.llm.generate, q)`, `fn = self.ask`,
#: `partial(llm.generate, SYSTEM)`): a call of `name` the runner makes
_REFERENCED_RE = re.compile(r"[(,=]\s*[A-Za-z_][\w.]*\.(\w+)\s*(?=[,)\n]|$)", re.MULTILINE)
#: a class handed on as a value the way registries and factories do: a dict value under a
#: quoted key (`{"anthropic": AnthropicProvider}`), assigned (`registry["openai"] =
#: OpenAIProvider`, `cls = A if x else B`), returned. Whoever holds the class instantiates
#: it: a call of it. Not every class named as a value: `cast_to=Message`, `isinstance(x,
#: Foo)`, annotations and constants (`= None`, `= DEFAULT_MAX_RETRIES`) named so many names
#: in the SDKs' own modules that the search followed their imports past its budget in 115
#: more files of corpus L.
#:
#: The regex finds the capitalised name and what follows it; `_handed_classes` checks what
#: precedes it. It starts with the name's capital, which the regex engine skips to: written
#: as one regex starting with what precedes the name (`["']:`, ` =`, `return`, any
#: whitespace before `=`), it was tried at every character and cost as much as the search
#: for all calls (0.55 s over 15 MB of litellm and openai, for 40 matches).
_CLASS_NAME_RE = re.compile(r"([A-Z](?<![\w.].)[A-Z0-9_]*[a-z]\w*)\s*(?=[,)}\n]|\bif\b|$)", re.MULTILINE)
_HANDING_WORDS = ("return", "else", "or")
_CONSTANT_NAMES = frozenset(("None", "True", "False"))
#: a capitalised name instantiated (`LLM(`) or annotating (`llm: LLM`, `-> Optional[LLM]`,
#: also as a forward reference: `provider: "BaseProvider"`, the class imported under
#: `if TYPE_CHECKING:`) (the lookahead, implied by both alternatives, lets the regex engine
#: skip other characters)
_CAPWORD_RE = re.compile(
    r"(?=[A-Z:-])(?:\b([A-Z]\w*)\s*\(|(?::|->)\s*[\"']?(?:\w+\.)*(?:Optional\[|Union\[)?([A-Z]\w*))")

Functions = List[Tuple[Any, Optional[ClassInfo]]]


@dataclass(frozen=True)
class Summary:
    """What the wrapper search needs of one module (no syntax tree)."""

    digest: str
    #: every function and method, in `ast.walk` order: (name, names it calls)
    functions: Tuple[Tuple[str, FrozenSet[str]], ...]
    #: indices of the functions chosen by the module's own text (and their local callers)
    chosen: FrozenSet[int]
    #: candidate names of the module on its own: chosen functions and module-level names
    #: bound to a trigger (`ask = partial(client.messages.create, ...)`)
    names: FrozenSet[str]
    #: those of `names` that lead to a request (`SENDING_RE`): their callers are chosen
    senders: FrozenSet[str]
    #: names called by functions not chosen (the only calls an import can turn into candidates)
    open_calls: FrozenSet[str]
    #: `x.name(` in functions not chosen: x -> names called on it
    open_heads: Dict[str, FrozenSet[str]]
    #: capitalised names instantiated or annotating in any function (classes reached through
    #: attributes: `self.llm = LLM()` then `self.llm.generate(...)`)
    capwords: FrozenSet[str]
    #: (module, level, ((name, asname), ...)) of `from` imports; (dotted name, asname) of plain
    #: imports, level -1
    imports: Tuple[Tuple[str, int, Tuple[Tuple[str, Optional[str]], ...]], ...]
    #: top-level class name -> its method names
    class_methods: Dict[str, FrozenSet[str]]
    #: whether `capwords` holds what any project could ask of it: searched whenever a
    #: capitalised name is imported, not only when the import resolves to a module of the
    #: project at hand (which modules exist may change before a stored summary is read)
    capwords_whole: bool = True


def summary_to_json(summary: Summary) -> Dict[str, Any]:
    """A `Summary` as plain JSON data (the result cache keeps summaries between runs)."""
    return {
        "digest": summary.digest,
        "functions": [[name, sorted(calls)] for name, calls in summary.functions],
        "chosen": sorted(summary.chosen),
        "names": sorted(summary.names),
        "senders": sorted(summary.senders),
        "open_calls": sorted(summary.open_calls),
        "open_heads": {head: sorted(names) for head, names in summary.open_heads.items()},
        "capwords": sorted(summary.capwords),
        "imports": [[module, level, [[name, asname] for name, asname in names]] for module, level, names in summary.imports],
        "class_methods": {cls: sorted(names) for cls, names in summary.class_methods.items()},
    }


def summary_from_json(data: Any) -> Summary:
    """The `Summary` `summary_to_json` gave `data` for; ValueError when `data` is not one
    (a damaged cache entry is a miss, never an answer)."""

    def strings(value: Any) -> FrozenSet[str]:
        if not isinstance(value, list) or not all(type(v) is str for v in value):
            raise ValueError("not a list of strings")
        return frozenset(value)

    def table(value: Any) -> Dict[str, FrozenSet[str]]:
        if not isinstance(value, dict):
            raise ValueError("not a table")
        return {str(key): strings(names) for key, names in value.items()}

    try:
        functions = tuple((name, strings(calls)) for name, calls in data["functions"] if type(name) is str)
        if len(functions) != len(data["functions"]):
            raise ValueError("a function without a name")
        chosen = data["chosen"]
        if not isinstance(chosen, list) or not all(type(i) is int and 0 <= i < len(functions) for i in chosen):
            raise ValueError("chosen functions out of range")
        imports = []
        for module, level, names in data["imports"]:
            if type(module) is not str or type(level) is not int:
                raise ValueError("a malformed import")
            pairs = tuple((name, asname) for name, asname in names
                          if type(name) is str and (asname is None or type(asname) is str))
            if len(pairs) != len(names):
                raise ValueError("a malformed imported name")
            imports.append((module, level, pairs))
        digest = data["digest"]
        if type(digest) is not str:
            raise ValueError("no digest")
        return Summary(
            digest=digest,
            functions=functions,
            chosen=frozenset(chosen),
            names=strings(data["names"]),
            senders=strings(data["senders"]),
            open_calls=strings(data["open_calls"]),
            open_heads=table(data["open_heads"]),
            capwords=strings(data["capwords"]),
            imports=tuple(imports),
            class_methods=table(data["class_methods"]),
        )
    except (KeyError, TypeError) as exc:
        raise ValueError(f"not a summary: {exc}") from exc


@dataclass(frozen=True)
class _Exports:
    """What importing a module can lead to: its candidate names and the methods of its
    classes that are candidates (the modules it was computed from are kept beside it, see
    `_remembered`)."""

    names: FrozenSet[str]
    class_methods: Dict[str, FrozenSet[str]]
    #: the names and class methods that lead to a request (`SENDING_RE`)
    senders: FrozenSet[str] = frozenset()
    class_senders: Dict[str, FrozenSet[str]] = field(default_factory=dict)
    #: the sending methods of every class the module defines or imports: what an object it
    #: hands out may be called with (`ProviderFactory.create(config)` returns a provider
    #: picked from a registry, whose `.call(...)` sends)
    handed_senders: FrozenSet[str] = frozenset()
    #: every top-level class of the module -> all its method names (abstract ones too)
    classes: Dict[str, FrozenSet[str]] = field(default_factory=dict)


class _TooWide(Exception):
    """The wrapper search would read more than `IMPORT_MODULES_BUDGET` modules."""


def candidate_functions(module: ModuleInfo, project: Optional[Project] = None,
                        notes: Optional[List[str]] = None) -> Functions:
    """Functions of `module` worth interpreting as entry points, with the class owning each."""
    return candidate_search(module, project, notes)[0]


class Candidates(NamedTuple):
    """What the wrapper search found in one module."""

    #: the functions worth interpreting, with the class owning each
    functions: Functions
    #: every name that leads to an LLM call from the module: its own candidates and those
    #: its imports bring in (the interpreter never skips a call to one of these names)
    sending_names: FrozenSet[str]
    #: the names the module binds at its top level that lead to a request: its functions
    #: that do, the imported names it re-exports that do (a package `__init__` with a
    #: provider factory). A file importing one of them is worth analysing even when the
    #: module itself sends nothing the analysis can see (`cachelint.importers`). Not the
    #: classes it defines with a method that does: on corpus L they made 170 more files
    #: worth analysing (146 of them inside the anthropic, openai and pydantic-ai packages,
    #: taking a resource or model base class), a tenth more time for no finding. A class
    #: whose own methods send makes its module a sender anyway; the callers of one that
    #: only passes calls on to another module's sender are missed (silent)
    leading_names: FrozenSet[str]


def candidate_search(module: ModuleInfo, project: Optional[Project] = None,
                     notes: Optional[List[str]] = None) -> Candidates:
    """The `Candidates` of `module`."""
    functions = module_functions(module)
    summary = summarise(module, project)
    chosen: Set[int] = set(summary.chosen)
    names: Set[str] = set(summary.names)
    senders: Set[str] = set(summary.senders)
    if project is not None:
        project.explored = set()
        try:
            chosen, names, senders, _ = _search(summary, module.path, project, IMPORT_DEPTH, frozenset())
        except _TooWide:
            if notes is not None:
                notes.append(f"it imports more than {IMPORT_MODULES_BUDGET} project modules (directly or not); "
                             "calls through imported wrappers were not followed")
        finally:
            project.explored = None
    leading = {name for name in module.bindings if name in senders}
    return Candidates([entry for i, entry in enumerate(functions) if i in chosen], frozenset(names), frozenset(leading))


def module_functions(module: ModuleInfo) -> Functions:
    """Every function and method of a module (`ast.walk` order), with its owning class."""
    if module.functions_list is None:
        owners: Dict[int, ClassInfo] = {}
        for cls in module.all_classes:
            for stmt in cls.node.body:
                if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    owners[id(stmt)] = cls
        module.functions_list = [
            (node, owners.get(id(node)))
            for node in module.statements  # `ast.walk` order, statements only
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        ]
    return module.functions_list


#: a `#` and the rest of its line (lines end with `\n`, `\r\n` or a lone `\r`)
_HASH_RE = re.compile(r"#[^\r\n]*")
_NOT_NEWLINE_RE = re.compile(r"[^\r\n]")


def _blank(text: str) -> str:
    """`text` with every character but line breaks made a space."""
    if "\r" in text:
        return _NOT_NEWLINE_RE.sub(" ", text)
    return "\n".join(" " * len(line) for line in text.split("\n"))


def _blank_comment(code: str, match: "re.Match[str]", has_cr: bool) -> str:
    """A comment blanked, or kept when a quote precedes it on its line (the `#` may then be
    inside a string). `has_cr`: whether the text has a CR at all (else looking back for one
    would scan to the start of the text at every comment)."""
    start = match.start()
    line_start = code.rfind("\n", 0, start)
    if has_cr:
        line_start = max(line_start, code.rfind("\r", line_start + 1, start))
    line_start += 1
    prefix = code[line_start:start]
    if "'" in prefix or '"' in prefix:
        return match.group(0)
    return " " * (match.end() - start)


def module_code(module: ModuleInfo) -> str:
    """The module's text with docstrings (every statement that is a lone string) and
    comments blanked out: same length, same line breaks, so offsets still hold. The text
    searches that choose candidates read this.

    Prose names requests too: "one REST request (see ...)" in a configuration loader's
    docstring matched the raw-HTTP trigger `request(`, and its callers, and theirs, became
    entry functions (meeting-helper: 19 callers of `get_config`). Computed once per module."""
    code: Optional[str] = module.code  # type: ignore[attr-defined]
    if code is not None:
        return code
    text = module.text
    pieces: List[str] = []
    done = 0
    blanks = sorted(
        module.index.node_range(stmt) for stmt in module.statements
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)
    )
    for start, end in blanks:
        if start < done:
            continue
        pieces.append(text[done:start])
        pieces.append(_blank(text[start:end]))
        done = end
    pieces.append(text[done:])
    code = "".join(pieces)
    if "#" in code:
        blanked, has_cr = code, "\r" in code
        code = _HASH_RE.sub(lambda m: _blank_comment(blanked, m, has_cr), blanked)
    module.code = code  # type: ignore[attr-defined]
    return code


def code_text(module: ModuleInfo, node: ast.AST) -> str:
    """The code of one function (`module_code`: without docstrings and comments)."""
    start, end = module.index.node_range(node)
    return module_code(module)[start:end]


def summarise(module: ModuleInfo, project: Optional[Project] = None) -> Summary:
    """The module's `Summary`, computed once per parsed module (`project`: the project
    that holds it, which spares work, see `_capwords_matter`)."""
    if module.summary is None:
        module.summary = _summarise(module, project)
    return module.summary


def _capwords_matter(module: ModuleInfo, project: Optional[Project]) -> bool:
    """Whether `Summary.capwords` can change what the wrapper search follows: it is only
    asked whether a name taken by a `from` import is in it (`_imported`), and only matters
    for an import of a project module. No such import of a capitalised name (a generated
    module imports `Any`, `Optional` from `typing`): no search of the whole text for
    capitalised words, 0.08 s on 3 MB."""
    for stmt in module.imports:
        if not isinstance(stmt, ast.ImportFrom):
            continue
        if not any("A" <= (alias.asname or alias.name)[:1] <= "Z" for alias in stmt.names):
            continue
        if project is None or project.resolve_import(module.path, stmt.module or "", stmt.level) is not None:
            return True
    return False


def _calls_in(code: str, start: int, end: int) -> Tuple[FrozenSet[str], List[Tuple[str, str]]]:
    """The names the function at `code[start:end]` calls or hands on (`_CALL_RE`,
    `_REFERENCED_RE`, `_handed_classes`), and its calls through a name, (head, name): what
    searching the function's own text finds. A nested function's names count for the
    enclosing one too, as in its text.

    The range is searched between its bounds: `findall(code, start, end)` sees the text as
    if it ended at `end`, as a slice would, without copying it, and returns the names
    alone. One search per outermost function, with every match's position collected in
    Python to share the names out among nested functions, cost more than searching a
    nested function's text twice (0.6 of the 2.4 s that summarising 900 modules of litellm
    and openai took)."""
    intern = sys.intern
    pairs = _CALL_RE.findall(code, start, end)
    names = {name for _, name in pairs}
    names.update(_REFERENCED_RE.findall(code, start, end))
    names.update(_handed_classes(code, start, end))
    return frozenset([intern(name) for name in names]), [pair for pair in pairs if pair[0]]


def _handed_classes(code: str, start: int, end: int) -> List[str]:
    """The capitalised names `code[start:end]` hands on as values (`_CLASS_NAME_RE`): after
    a quoted dict key and its colon, after `=` with whitespace before it, or after the word
    `return`, `else` or `or`; whitespace (line breaks too) may come between."""
    found: List[str] = []
    for match in _CLASS_NAME_RE.finditer(code, start, end):
        name = match.group(1)
        if name in _CONSTANT_NAMES:
            continue
        before = _skip_space_back(code, match.start(), start)
        if before <= start:
            continue
        mark = code[before - 1]
        if mark == ":":
            quote = _skip_space_back(code, before - 1, start)
            handed = quote > start and code[quote - 1] in "\"'"
        elif mark == "=":
            handed = before - 2 >= start and code[before - 2].isspace()
        else:
            handed = any(_word_ends_at(code, word, before, start) for word in _HANDING_WORDS)
        if handed:
            found.append(name)
    return found


def _skip_space_back(code: str, position: int, floor: int) -> int:
    """The position after the last non-whitespace character before `position` (`floor`
    when there is none after `floor`)."""
    while position > floor and code[position - 1].isspace():
        position -= 1
    return position


def _word_ends_at(code: str, word: str, end: int, floor: int) -> bool:
    """Whether `code` holds the whole word `word` (`\\bword`) ending at `end`, at or after
    `floor`."""
    begin = end - len(word)
    if begin < floor or not code.startswith(word, begin, end):
        return False
    return begin == 0 or not (code[begin - 1].isalnum() or code[begin - 1] == "_")


def _summarise(module: ModuleInfo, project: Optional[Project] = None) -> Summary:
    functions = module_functions(module)
    code = module_code(module)
    # each function's text is searched between its bounds in the module's code, never
    # copied out (`findall(code, start, end)` sees what a search of the slice would)
    ranges = [module.index.node_range(node) for node, _ in functions]
    found = [_calls_in(code, start, end) for start, end in ranges]
    calls = [names for names, _ in found]
    names: Set[str] = set()
    senders: Set[str] = set()
    chosen: Set[int] = set()
    # one search of the whole text serves every function and the module-level assignments
    triggers = module_triggers(module)
    matches = [(m.start(), m.end(), triggers.sending.match(code, m.start()) is not None)
               for m in triggers.trigger.finditer(code)]
    match_starts = [start for start, _, _ in matches]
    for i, (node, _) in enumerate(functions):
        triggered, sends = _triggered(code, ranges[i], matches, match_starts, triggers)
        if triggered:
            chosen.add(i)
            names.add(node.name)
            if sends:
                senders.add(node.name)
    for stmt, sends in _triggered_assignments(module, matches):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        bound = {t.id for t in targets if isinstance(t, ast.Name)}
        names.update(bound)
        if sends:
            senders.update(bound)
    entries = tuple((node.name, calls[i]) for i, (node, _) in enumerate(functions))
    _spread(entries, chosen, names, senders, set(senders))
    open_calls: Set[str] = set()
    heads: Dict[str, Set[str]] = {}
    # classes annotating or instantiated anywhere, class bodies included (`llm: LLMBase`
    # declares the attribute a method later calls through)
    searched = _capwords_matter(module, project)
    caps: Set[str] = (
        {called_name or annotation for called_name, annotation in _CAPWORD_RE.findall(module.text)}
        if searched else set()
    )
    for i, (names_called, called_through) in enumerate(found):
        if i not in chosen:
            open_calls |= names_called
            for head, name in called_through:
                heads.setdefault(head, set()).add(name)
    imports: List[Tuple[str, int, Tuple[Tuple[str, Optional[str]], ...]]] = []
    for stmt in module.imports:
        if isinstance(stmt, ast.ImportFrom):
            imports.append((stmt.module or "", stmt.level, tuple((a.name, a.asname) for a in stmt.names)))
        elif isinstance(stmt, ast.Import):
            imports.extend(("", -1, ((a.name, a.asname),)) for a in stmt.names)
    return Summary(
        digest=module.digest,
        functions=entries,
        chosen=frozenset(chosen),
        names=frozenset(names),
        senders=frozenset(senders),
        open_calls=frozenset(open_calls),
        open_heads={h: frozenset(n) for h, n in heads.items()},
        capwords=frozenset(caps),
        imports=tuple(imports),
        class_methods={name: frozenset(info.methods) for name, info in module.classes.items()},
        capwords_whole=searched or not _capwords_matter(module, None),
    )


def _triggered(code: str, where: Tuple[int, int], matches: List[Tuple[int, int, bool]],
               starts: List[int], triggers: Triggers) -> Tuple[bool, bool]:
    """(`trigger.search(text)`, `sending.search(text)`) of the module's `triggers` for the
    text of a function at `where` in the module's `code`, from the matches of one search
    of the whole module's code (`matches`: start, end and whether the match is a sending
    one; `starts`: their starts). A match inside the range is one in the function's text
    too (the range starts at `def` or `async` and ends after a token, so the word
    boundaries are the same); no match can start before the range and reach into it (no
    alternative matches across `def`); a match starting in the range but ending after it
    (`return post` then a line starting with `(`) is decided by searching the range itself."""
    start, end = where
    at = bisect.bisect_left(starts, start)
    triggered = sends = unsure = False
    while at < len(matches) and matches[at][0] < end:
        if matches[at][1] <= end:
            triggered = True
            if matches[at][2]:
                return True, True
        else:
            unsure = True
        at += 1
    if unsure:
        triggered = triggered or triggers.trigger.search(code, start, end) is not None
        sends = triggers.sending.search(code, start, end) is not None
    return triggered, sends


def _triggered_assignments(module: ModuleInfo, matches: List[Tuple[int, int, bool]]) -> List[Tuple[Any, bool]]:
    """The module-level assignments whose text holds one of `matches` (the `TRIGGER_RE`
    matches of the whole code), each with whether one of its matches is a sending one
    (`ask = partial(client.messages.create, ...)`, not `client = Anthropic()`).

    One search of the whole text, each match mapped to its top-level statement by row
    (a regex search per statement cost a second on a module of 90,000 constants). A match
    cannot span two statements: it is made of names, dots and blanks."""
    body = module.tree.body
    starts = module.top_starts
    if starts is None:
        starts = module.top_starts = [top.lineno for top in body]
    found: Dict[int, Tuple[Any, bool]] = {}
    for match_start, match_end, sending in matches:
        row = module.index.location(match_start).row
        at = bisect.bisect_right(starts, row) - 1
        while at >= 0:
            stmt = body[at]
            if (stmt.end_lineno or stmt.lineno) < row:
                break
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                start, end = module.index.node_range(stmt)
                if start <= match_start and match_end <= end:
                    seen = found.get(id(stmt))
                    found[id(stmt)] = (stmt, sending or (seen is not None and seen[1]))
            at -= 1  # statements sharing the row (`a = 1; b = 2`)
    return sorted(found.values(), key=lambda pair: (pair[0].lineno, pair[0].col_offset))


def _spread(functions: Tuple[Tuple[str, FrozenSet[str]], ...], chosen: Set[int], names: Set[str], senders: Set[str],
            fresh: Set[str]) -> None:
    """Choose the functions that call a name leading to a request, until nothing changes;
    each becomes such a name itself.

    Each round looks only for the names the previous round added (`fresh`): the functions
    not chosen yet already failed the older ones. A chosen function that sends nothing
    itself (chosen for a client class it names) is chosen again when it calls a sender."""
    while fresh:
        added: Set[str] = set()
        for i, (name, calls) in enumerate(functions):
            if name not in senders and not calls.isdisjoint(fresh):
                chosen.add(i)
                names.add(name)
                senders.add(name)
                added.add(name)
            elif i not in chosen and not calls.isdisjoint(fresh):
                chosen.add(i)
        fresh = added


def _search(summary: Summary, path: str, project: Project, depth: int,
            wanted: FrozenSet[str]) -> Tuple[Set[int], Set[str], Set[str], Set[str]]:
    """(chosen function indices, candidate names, the names of those that lead to a
    request, the sending methods of the classes its imports bring in) of a module,
    counting what its imports lead to `depth` modules deep."""
    chosen = set(summary.chosen)
    names = set(summary.names)
    senders = set(summary.senders)
    if depth <= 0:
        return chosen, names, senders, set()
    extra, extra_senders, methods = _imported(summary, path, project, depth - 1, wanted)
    names |= extra
    fresh = extra_senders - senders
    if fresh:
        senders |= fresh
        _spread(summary.functions, chosen, names, senders, set(fresh))
    return chosen, names, senders, methods


def _imported(summary: Summary, path: str, project: Project, depth: int,
              wanted: FrozenSet[str]) -> Tuple[Set[str], Set[str], Set[str]]:
    """Names the module's imports bind that are candidates, those of them that lead to
    LLM calls, and the sending methods of the classes they bring in. Only imports that can
    matter are followed: names called by a function not chosen yet (or called through:
    `Factory.create(...)`), classes instantiated or annotating, and the names an importer
    takes from this module (`wanted`: a package re-exporting a wrapper)."""
    found: Set[str] = set()
    found_senders: Set[str] = set()
    found_methods: Set[str] = set()
    for module_name, level, aliases in summary.imports:
        if level <= 0 and is_sdk_name(module_name or aliases[0][0]):
            continue  # the SDK itself, even when the tree holds a copy (as the interpreter reads it)
        if level >= 0:
            followed = frozenset(
                name for name, asname in aliases
                if (asname or name) in summary.open_calls or (asname or name) in wanted
                or (asname or name) in summary.capwords or _class_head(asname or name, summary)
            )
            if not followed:
                continue
            target = project.resolve_import(path, module_name, level)
            exports = _exports(project, target, depth, followed) if target else None
            if exports is None:
                continue
            for name, asname in aliases:
                if name in exports.names:
                    found.add(asname or name)
                if name in exports.senders:
                    found_senders.add(asname or name)
                # An imported class whose methods lead to LLM calls: calls of those
                # methods (`self.llm.generate(...)`) lead there too.
                methods = exports.class_methods.get(name)
                if methods:
                    found.add(asname or name)
                    found |= methods
                sending_methods = exports.class_senders.get(name)
                if not sending_methods and name in exports.classes and (asname or name) in summary.capwords:
                    # a base class called through an annotation (`provider: "BaseProvider"`,
                    # then `self.provider.chat(...)`): the methods its subclasses send with
                    # (not for a class imported only to raise, catch or test against)
                    called = exports.classes[name] & summary.open_calls
                    sending_methods = frozenset()
                    if called:
                        by_subclasses = _subclass_senders(project, name, depth)
                        if not by_subclasses and (target, name) in project.class_headers("Protocol"):
                            by_subclasses = _implementation_senders(project, name, exports.classes[name], called, depth)
                        if by_subclasses:
                            base_summary = _summary_at(project, target)
                            sending_methods = (by_subclasses | _calling_methods(base_summary, name, by_subclasses)) & called
                    if sending_methods:
                        found.add(asname or name)
                        found |= sending_methods
                if sending_methods:
                    found_senders.add(asname or name)
                    found_senders |= sending_methods
                    found_methods |= sending_methods
                if (sending_methods or name in exports.senders) and exports.handed_senders:
                    # what leads to a request may hand out an object whose methods send:
                    # `self.provider = ProviderFactory.create(config)`, then
                    # `self.provider.call(...)` with `call` a method of a class the
                    # factory's module imports
                    found |= exports.handed_senders
                    found_senders |= exports.handed_senders
                    found_methods |= exports.handed_senders
        else:
            name, asname = aliases[0]
            bound = asname or name.split(".")[0]
            called = summary.open_heads.get(bound) or summary.open_heads.get(name.rpartition(".")[2])
            if not called and bound not in wanted:
                continue
            target = project.resolve_import(path, name, 0)
            exports = _exports(project, target, depth, called or frozenset()) if target else None
            if exports is not None:
                found |= exports.names
                found_senders |= exports.senders
                found_methods |= exports.handed_senders
    return found, found_senders, found_methods


#: subclasses of one base class the wrapper search reads for the methods they send with
MAX_SUBCLASS_FILES = 8
#: a subclass worth summarising sends through an SDK: the raw HTTP words (`post(`,
#: `request(`, `stream(`) are in every storage and web-client subclass (lightrag's storage
#: backends), which cost their projects 45 % more time for no request
_SENDING_BYTES_RE = re.compile(_SENDING_SDK.encode("ascii"))


def holds_sdk_call(project: Project, path: str) -> bool:
    """Whether a file's bytes hold an SDK call (`_SENDING_BYTES_RE`): the files worth
    summarising when looking for what a base class's subclasses, or a protocol's
    implementations, send with. The file is a dependency even when it sends nothing."""
    data = project.read_bytes(path)
    return data is not None and _SENDING_BYTES_RE.search(data) is not None


def _subclass_senders(project: Project, base: str, depth: int) -> FrozenSet[str]:
    """The methods the project subclasses of a class named `base` send with (the abstract
    provider interface an agent loop is written against, its Anthropic implementation in
    another module); the caller keeps those it calls.

    Only files whose `class X(base)` header the byte index knows, and only those whose bytes
    hold an SDK call (most subclasses of a widely used base never send: storage backends,
    litellm's provider configs), at most `MAX_SUBCLASS_FILES`; remembered per project with
    the files it was computed from, which are dependencies of every result that used it."""

    def compute() -> FrozenSet[str]:
        found: Set[str] = set()
        read = 0
        for path, sub in project.class_headers(base):
            if read >= MAX_SUBCLASS_FILES:
                break
            if not holds_sdk_call(project, path):
                continue
            read += 1
            exports = _exports(project, path, depth, frozenset({sub}))
            if exports is not None:
                found |= exports.class_senders.get(sub, frozenset())
        return frozenset(found)

    return _remembered(project, ("subclass-senders", base, depth), compute) or frozenset()


#: files defining a protocol's called methods beyond which its implementations are not
#: looked for (the interpreter's dispatch has the same bound, `MAX_INTERFACE_FILES`)
MAX_IMPLEMENTATION_FILES = 24


def _implementation_senders(project: Project, protocol: str, declared: FrozenSet[str], called: FrozenSet[str],
                            depth: int) -> FrozenSet[str]:
    """The methods of `called` that the implementations of the `typing.Protocol` named
    `protocol` send with. Its implementations do not name it (`class InProcessBroker:`
    implements `class Broker(Protocol)` by defining its methods), so they are looked for
    in the files whose bytes define a called method and hold an SDK call, at most
    `MAX_SUBCLASS_FILES`: a class there implements it when it defines every method the
    protocol declares (dunder methods aside). Remembered per project with the files read,
    as `_subclass_senders` is."""
    wanted = frozenset(m for m in declared if not m.startswith("__"))

    def compute() -> FrozenSet[str]:
        found: Set[str] = set()
        read = 0
        files = sorted({p for method in called for p in project.defining_files(method)})
        if len(files) > MAX_IMPLEMENTATION_FILES:
            return frozenset()  # names this common (`run`, `send`) single out no implementation
        for path in files:
            if read >= MAX_SUBCLASS_FILES:
                break
            if not holds_sdk_call(project, path):
                continue
            read += 1
            summary = _summary_at(project, path)
            if summary is None:
                continue
            classes = frozenset(cls for cls, methods in summary.class_methods.items()
                                if cls != protocol and wanted <= methods)
            exports = _exports(project, path, depth, classes) if classes else None
            if exports is not None:
                for cls in classes:
                    found |= exports.class_senders.get(cls, frozenset())
        return frozenset(found) & called

    return _remembered(project, ("implementation-senders", protocol, wanted, called, depth), compute) or frozenset()


def _calling_methods(summary: Optional[Summary], cls: str, senders: FrozenSet[str]) -> FrozenSet[str]:
    """The methods of `cls` (in the module `summary` describes) that call one of `senders`,
    directly or through each other: the template method of a provider interface
    (`complete()` calls the abstract `run()` its subclasses send with). Functions are
    matched by name within the class's method names, as the wrapper search does
    everywhere (a same-named function elsewhere in the module can only add a candidate)."""
    if summary is None:
        return frozenset()
    methods = summary.class_methods.get(cls, frozenset())
    bodies = [(name, calls) for name, calls in summary.functions if name in methods and name not in senders]
    found: Set[str] = set()
    reached = set(senders)
    changed = True
    while changed:
        changed = False
        for name, calls in bodies:
            if name not in found and not calls.isdisjoint(reached):
                found.add(name)
                reached.add(name)
                changed = True
    return frozenset(found)


def _class_head(name: str, summary: Summary) -> bool:
    """Whether a function not chosen yet calls a method through `name`, a class
    (`ProviderFactory.create(config)`). Class names only: the factory shape this is for;
    every import followed more brings a file nearer the import budget (all or nothing)."""
    return name[:1].isupper() and name in summary.open_heads


def _exports(project: Project, path: str, depth: int, wanted: FrozenSet[str]) -> Optional[_Exports]:
    """`_Exports` of the module at `path`, remembered per project: every file importing a
    module asks again. A remembered answer adds the dependencies it was computed from, so
    the result cache still learns which files the answer came from."""

    def compute() -> Optional[_Exports]:
        summary = _summary_at(project, path)
        if summary is None:
            return None
        _, names, senders, imported_methods = _search(summary, path, project, depth, wanted)
        methods = {
            cls: frozenset(m for m in members if m in names and not m.startswith("__"))
            for cls, members in summary.class_methods.items()
        }
        class_senders = {k: v & senders for k, v in methods.items() if v & senders}
        handed = frozenset(imported_methods).union(*class_senders.values())
        return _Exports(frozenset(names), {k: v for k, v in methods.items() if v}, frozenset(senders),
                        class_senders, handed, dict(summary.class_methods))

    return _remembered(project, (path, depth, wanted), compute, explore=[path])


def _remembered(project: Project, key: Tuple[Any, ...], compute: Callable[[], Any], explore: Sequence[str] = ()) -> Any:
    """`compute()` remembered per project under `key`, with the files it read.

    A remembered answer adds the files it read to the dependencies of the file being
    analysed (the result cache must learn which files an answer came from) and counts the
    modules it explored towards that file's import budget, exactly as computing it again
    would: a file's result never depends on which files the worker analysed before it. While `key` is being computed it answers
    None (an import cycle ends there); an answer cut short (`_TooWide`) is never
    remembered."""
    memo = project.candidate_memo
    if key in memo:
        hit = memo[key]
        if hit is None:
            return None
        value, deps, explored = hit
        project.deps.update(deps)
        _explore(project, explored)
        return value
    recording: Set[str] = set()
    project.exploring.append(recording)
    outer = project.deps
    project.deps = {}
    done = False
    try:
        _explore(project, explore)
        memo[key] = None
        value = compute()
        done = True
    finally:
        project.exploring.pop()
        deps = project.deps
        outer.update(deps)
        project.deps = outer
        if done:
            memo[key] = (value, dict(deps), frozenset(recording))
        else:
            memo.pop(key, None)
    return value


def _summary_at(project: Project, path: str) -> Optional[Summary]:
    """The summary of the module at `path`, from the project's memo (parsing the module only
    the first time), recorded as a dependency of the current analysis."""
    real = project.real(path)
    summaries = project.summaries
    if real in summaries:
        summary = summaries[real]
    else:
        summary = summaries[real] = _stored_or_new_summary(project, real)
    if summary is not None:
        project.deps.setdefault(real, summary.digest)
    return summary


def _stored_or_new_summary(project: Project, real: str) -> Optional[Summary]:
    """The summary the project's `summary_store` kept for the file as it is on disk, or a
    new one (stored when there is a store). Kept summaries spare a run the parse of every
    module it reads only for its summary: a one-file run of crewai's Anthropic provider
    parsed 67 modules, 27 with its imports' summaries at hand."""
    store = project.summary_store
    if store is None or project.has_override(real):
        module = project.module(real, keep=False)
        return summarise(module, project) if module is not None else None
    stat = store.stat(real)
    if stat is not None:
        kept = store.load(real, stat)
        if kept is not None:
            return kept
    module = project.module(real, keep=False)
    if module is None:
        return None
    # without the project: which capitalised names matter depends on which modules exist,
    # which may change before the stored summary is read again (`_capwords_matter`)
    summary = module.summary if module.summary is not None and module.summary.capwords_whole else None
    if summary is None:
        summary = module.summary = _summarise(module, None)
    if stat is not None:
        store.save(real, stat, summary)
    return summary


def _explore(project: Project, paths: Iterable[str]) -> None:
    paths = list(paths)
    for recording in project.exploring:
        recording.update(paths)
    explored = project.explored
    if explored is not None:
        explored.update(paths)
        if len(explored) > IMPORT_MODULES_BUDGET:
            raise _TooWide()
