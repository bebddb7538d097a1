"""Models of the stdlib and common library calls that build prompts and paths.

`textwrap.dedent`, `json.dumps`, `open(...).read()`, `pathlib.Path`, `importlib.resources`,
`functools.partial`, `dict(...)`, `sorted(...)` and friends, each evaluated over abstract
values so a prompt built with them keeps its text, its static/dynamic split and its source.
"""

from __future__ import annotations

import json
import os
import textwrap
from typing import TYPE_CHECKING, Callable, Dict, List, Optional

from cachelint.analysis.frames import Frame
from cachelint.analysis.templates import render_jinja, substitute
from cachelint.analysis.spans import Span
from cachelint.analysis.valueops import (
    MISSING,
    ArgParserV,
    FileV,
    JinjaEnvV,
    JsonStr,
    NamespaceV,
    SuperV,
    TemplateV,
    copy_value,
    label,
    static_py,
    to_python,
)
from cachelint.analysis.values import (
    Const,
    DefaultV,
    DictV,
    InstV,
    Item,
    Kind,
    ListV,
    ModV,
    PartialV,
    PathV,
    Str,
    Unknown,
    Value,
    hole,
    options_of,
    satisfiable,
    static_part,
    union,
)

#: the label of a value read from the environment (`os.environ[...]`, `os.getenv(...)`)
ENV_LABEL = "an environment variable"

if TYPE_CHECKING:  # pragma: no cover
    from cachelint.analysis.interp import Interpreter

def _ext_str(interp: "Interpreter", args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
    return interp.stringify(args[0], span).at(span) if args else Str.literal("", span)


def _ext_dedent(interp: "Interpreter", args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
    if not args:
        return Unknown(Kind.UNKNOWN, "", span)
    s = args[0]
    if isinstance(s, Str) and s.text is not None:
        return Str.literal(textwrap.dedent(s.text), span, s.kind)
    return s.at(span) if isinstance(s, Str) else Unknown(s.kind, label(s), span)


def _ext_cleandoc(interp: "Interpreter", args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
    import inspect

    if args and isinstance(args[0], Str) and args[0].text is not None:
        return Str.literal(inspect.cleandoc(args[0].text), span, args[0].kind)
    return args[0].at(span) if args else Unknown(Kind.UNKNOWN, "", span)


def _ext_json_dumps(interp: "Interpreter", args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
    if not args:
        return Unknown(Kind.UNKNOWN, "json", span)
    source = args[0]
    options = {}
    for key in ("indent", "sort_keys", "ensure_ascii", "separators", "default"):
        if key in kwargs.entries:
            value = static_py(kwargs.entries[key].value) if not isinstance(kwargs.entries[key].value, ListV) else to_python(kwargs.entries[key].value)
            if value is MISSING or key == "default":
                options = None  # type: ignore[assignment]
                break
            options[key] = value
    py = to_python(source)
    if py is not MISSING and options is not None:
        try:
            return JsonStr([static_part(json.dumps(py, **options), span, Kind.STATIC if source.kind == Kind.STATIC else source.kind)], span, source)
        except (TypeError, ValueError):
            pass
    sorted_keys = options is not None and options.get("sort_keys") is True
    kind = source.kind
    text = f"json.dumps({label(source) or 'a value'})"
    if not sorted_keys and kind == Kind.DYNAMIC:
        text += " without sort_keys=True"
    if isinstance(source, ListV) and source.container == "set":
        kind, text = Kind.DYNAMIC, "json.dumps of a set (its order changes between processes)"
    return JsonStr([hole(kind, text, span)], span, source)


def _ext_open(interp: "Interpreter", args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
    target = args[0] if args else kwargs.get("file")
    mode = args[1] if len(args) > 1 else kwargs.get("mode")
    if isinstance(mode, Str) and mode.text and any(c in mode.text for c in "wax+"):
        return Unknown(Kind.UNKNOWN, "a file opened for writing", span)
    return FileV(_path_of(interp, target, frame), span)


def _path_of(interp: "Interpreter", value: Optional[Value], frame: Frame) -> Optional[str]:
    if isinstance(value, PathV):
        return value.path
    if isinstance(value, Str) and value.text is not None:
        text = value.text
        if os.path.isabs(text):
            return os.path.normpath(text)
        # A relative path is relative to the working directory at run time; the project
        # root is where such code is normally run from.
        candidate = os.path.normpath(os.path.join(str(interp.project.root), text))
        return candidate if os.path.exists(candidate) else None
    return None


def _ext_path(interp: "Interpreter", args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
    if not args:
        return PathV(None, span)
    path: Optional[str] = None
    for i, arg in enumerate(args):
        part = arg.path if isinstance(arg, PathV) else (arg.text if isinstance(arg, Str) else None)
        if part is None:
            return PathV(None, span)
        path = part if i == 0 else os.path.join(path or "", part)
    if path is not None and not os.path.isabs(path):
        candidate = os.path.normpath(os.path.join(str(interp.project.root), path))
        return PathV(candidate if os.path.exists(candidate) else None, span)
    return PathV(os.path.normpath(path) if path else None, span)


def _ext_os_path_join(interp: "Interpreter", args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
    texts = []
    for arg in args:
        text = arg.path if isinstance(arg, PathV) else (arg.text if isinstance(arg, Str) else None)
        if text is None:
            return Unknown(Kind.UNKNOWN, "a path", span)
        texts.append(text)
    return Str.literal(os.path.join(*texts) if texts else "", span)


def _ext_dirname(interp: "Interpreter", args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
    text = args[0].path if args and isinstance(args[0], PathV) else (args[0].text if args and isinstance(args[0], Str) else None)
    return Str.literal(os.path.dirname(text), span) if text is not None else Unknown(Kind.UNKNOWN, "a path", span)


def _ext_abspath(interp: "Interpreter", args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
    text = args[0].path if args and isinstance(args[0], PathV) else (args[0].text if args and isinstance(args[0], Str) else None)
    return Str.literal(os.path.normpath(text), span) if text is not None and os.path.isabs(text) else Unknown(Kind.UNKNOWN, "a path", span)


def _ext_resources_files(interp: "Interpreter", args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
    package = args[0] if args else None
    if isinstance(package, Str) and package.text is not None:
        path = interp.project.resolve_import(frame.module.path, package.text, 0)
        if path is not None:
            return PathV(os.path.dirname(path), span)
    if isinstance(package, ModV):
        return PathV(os.path.dirname(package.path), span)
    return PathV(None, span)


def _ext_import_module(interp: "Interpreter", args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
    """`importlib.import_module("pkg.llms.anthropic")`: the project module, when the name is
    known text (a registry of class paths loaded by name, one option per entry). Relative
    names (`package=`) and names outside the project stay unknown; nothing is imported."""
    name = args[0] if args else kwargs.get("name")
    options = list(options_of(name)) if name is not None else []
    if not options or not all(isinstance(v, Str) and v.text and not v.text.startswith(".") for v, _ in options):
        return Unknown(Kind.UNKNOWN, "a module imported by name", span)
    found = []
    for value, guard in options:
        path = interp.project.resolve_import(frame.module.path, value.text, 0)  # type: ignore[union-attr]
        if path is None:
            return Unknown(Kind.UNKNOWN, "a module imported by name", span)
        found.append((ModV(path, span), guard))
    return union(found, span)


def _ext_resources_read_text(interp: "Interpreter", args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
    if len(args) >= 2:
        base = _ext_resources_files(interp, args[:1], kwargs, span, frame)
        if isinstance(base, PathV) and base.path is not None and isinstance(args[1], Str) and args[1].text is not None:
            return interp.read_file(os.path.join(base.path, args[1].text), span)
    return Unknown(Kind.UNKNOWN, "text of a package resource", span)


def _ext_get_data(interp: "Interpreter", args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
    return _ext_resources_read_text(interp, args, kwargs, span, frame)


def _ext_sorted(interp: "Interpreter", args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
    if not args:
        return Unknown(Kind.UNKNOWN, "", span)
    src = args[0]
    if isinstance(src, ListV):
        new = ListV(span, container="list")
        py = to_python(src) if src.container != "set" else MISSING
        items = [i for i in src.items]
        if src.container == "set" and all(not i.many for i in items):
            values = [to_python(i.value) for i in items]
            if all(v is not MISSING for v in values):
                try:
                    return _list_of([Str.literal(v, span) if isinstance(v, str) else Const(v, span) for v in sorted(values)], span)
                except TypeError:
                    pass
        new.items = items if py is MISSING else items
        return new
    if isinstance(src, DictV):
        keys = sorted(src.entries)
        return _list_of([Str.literal(k, span) for k in keys], span)
    return Unknown(src.kind, label(src), span)


def _list_of(values: List[Value], span: Span) -> ListV:
    lst = ListV(span)
    lst.items = [Item(v) for v in values]
    return lst


def _ext_list(interp: "Interpreter", args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
    if not args:
        return ListV(span, frame.literal(span, "list"))
    src = args[0]
    if isinstance(src, ListV):
        new = src.copy(span)
        return new
    if isinstance(src, DictV):
        return _list_of([Str.literal(k, span) for k in src.entries], span)
    lst = ListV(span)
    lst.items.append(Item(interp.element_of(src, span), many=True))
    return lst


def _ext_enumerate(interp: "Interpreter", args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
    """`enumerate(x)`: pairs of an index and each element of `x` (elements keep their
    identity, so a loop that marks `message` marks the list's elements)."""
    if not args:
        return Unknown(Kind.UNKNOWN, "enumerate()", span)
    src = args[0]
    if isinstance(src, Unknown):
        return src.derived(label=f"items of {label(src) or 'a sequence'}", span=span)
    if isinstance(src, ListV):
        pairs = ListV(span)
        for i, item in enumerate(src.items):
            index: Value = Const(i, span) if not item.many and not any(p.many for p in src.items[:i]) else Unknown(Kind.UNKNOWN, "an index", span)
            pair = ListV(span, container="tuple")
            pair.items = [Item(index), Item(item.value)]
            pairs.items.append(Item(pair, item.many, item.cond, item.guard, item.loop, item.bound, item.site))
        return pairs
    return Unknown(src.kind, "enumerate()", span)


def _ext_tuple(interp: "Interpreter", args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
    value = _ext_list(interp, args, kwargs, span, frame)
    if isinstance(value, ListV):
        value.container = "tuple"
    return value


def _ext_set(interp: "Interpreter", args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
    value = _ext_list(interp, args, kwargs, span, frame)
    if isinstance(value, ListV):
        value.container = "set"
    return value


def _ext_dict(interp: "Interpreter", args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
    d = DictV(span, frame.literal(span, "dict-call"))
    for arg in args:
        interp._merge_into(d, arg, span)
    d.entries.update(kwargs.entries)
    d.open.extend(kwargs.open)
    return d


def _ext_partial(interp: "Interpreter", args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
    if not args:
        return Unknown(Kind.UNKNOWN, "", span)
    return PartialV(args[0], list(args[1:]), dict(kwargs.entries), span)


def _ext_getattr(interp: "Interpreter", args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
    """`getattr(obj, "name")`, also when the name is one of a few known strings
    (`getattr(client.chat.completions, "parse" if fmt else "create")`)."""
    if len(args) >= 2:
        names = [(v, g) for v, g in options_of(args[1])]
        if names and all(isinstance(v, Str) and v.text is not None for v, _ in names):
            results = []
            for name, name_guard in names:
                for obj, obj_guard in options_of(args[0]):
                    # an object and a name chosen by contradicting conditions never meet
                    # (`getattr(module, name)` with both taken from one registry entry)
                    if satisfiable(name_guard + obj_guard):
                        results.append((interp.get_attr(obj, name.text, span, frame), name_guard + obj_guard))  # type: ignore[union-attr]
            return union(results, span) if results else Unknown(Kind.UNKNOWN, "getattr()", span)
    return Unknown(Kind.UNKNOWN, "getattr()", span)


def _ext_len(interp: "Interpreter", args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
    if args:
        if isinstance(args[0], Str) and args[0].text is not None:
            return Const(len(args[0].text), span)
        if isinstance(args[0], ListV) and args[0].known_length is not None:
            return Const(args[0].known_length, span)
    return Unknown(Kind.UNKNOWN, "len()", span)


def _ext_passthrough(interp: "Interpreter", args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
    return args[0] if args else Unknown(Kind.UNKNOWN, "", span)


def _ext_copy(interp: "Interpreter", args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
    return copy_value(args[0], span, deep=False) if args else Unknown(Kind.UNKNOWN, "", span)


def _ext_deepcopy(interp: "Interpreter", args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
    return copy_value(args[0], span, deep=True) if args else Unknown(Kind.UNKNOWN, "", span)


def _ext_environ_get(interp: "Interpreter", args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
    """`os.environ.get(name, default)` / `os.getenv(name, default)`.

    A known, non-empty string default gives a `DefaultV`: unknown (the deployment may set
    the variable), but the model it names is the likely one. Other defaults (`""`, which
    means "unset", a number, a computed value) keep the union of "an environment variable"
    and the default."""
    default = args[1] if len(args) > 1 else kwargs.get("default")
    env = Unknown(Kind.PROCESS, ENV_LABEL, span)
    if isinstance(default, Str) and default.text and default.kind == Kind.STATIC:
        return DefaultV(default, f"environment variable {env_name(args)}", span)
    if default is not None and not (isinstance(default, Const) and default.value is None):
        return union([(env, ()), (default, ())], span)
    return env


def env_name(args: List[Value]) -> str:
    """The variable's name in backquotes when known, for labels."""
    name = args[0] if args else None
    return f"`{name.text}`" if isinstance(name, Str) and name.text is not None else "(name not known)"


def _ext_argparser(interp: "Interpreter", args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
    return ArgParserV(span)


def argparse_method(parser: ArgParserV, method: str, args: List[Value], kwargs: DictV, span: Span) -> Value:
    """`parser.add_argument(...)`, `set_defaults(...)`, `parse_args()` and argument groups."""
    if method == "add_argument":
        _add_argument(parser, args, kwargs)
        return Unknown(Kind.UNKNOWN, "an argparse action", span)
    if method == "set_defaults":
        for dest, entry in kwargs.entries.items():
            source = parser.options.get(dest, (f"command-line defaults (`{dest}`)", None))[0]
            parser.options[dest] = (source, entry.value)
        return Const(None, span)
    if method in ("add_argument_group", "add_mutually_exclusive_group"):
        return parser  # a group adds to the parser's own namespace
    if method in ("parse_args", "parse_known_args", "parse_intermixed_args"):
        namespace = NamespaceV(parser.options, span)
        if method == "parse_args" or method == "parse_intermixed_args":
            return namespace
        pair = ListV(span, container="tuple")
        pair.items = [Item(namespace), Item(Unknown(Kind.UNKNOWN, "unparsed arguments", span))]
        return pair
    # `add_subparsers()` and the rest: what they add is not modelled, so the names they
    # declare read as unknown
    return Unknown(Kind.UNKNOWN, f"parser.{method}()", span)


def _add_argument(parser: ArgParserV, args: List[Value], kwargs: DictV) -> None:
    """Record an option by its destination, as argparse computes it."""
    flags = [a.text for a in args if isinstance(a, Str) and a.text]
    if len(flags) != len(args) or not flags:
        return
    dest_value = kwargs.get("dest")
    if dest_value is not None:
        if not (isinstance(dest_value, Str) and dest_value.text):
            return
        dest = dest_value.text
    elif not flags[0].startswith("-"):
        dest = flags[0]
    else:
        longs = [f for f in flags if f.startswith("--")]
        dest = (longs[0] if longs else flags[0]).lstrip("-").replace("-", "_")
    if not flags[0].startswith("-"):
        # a positional argument: always given on the command line, never its default
        parser.options[dest] = (f"command-line argument `{flags[0]}`", None)
        return
    parser.options[dest] = (f"command-line option `{'/'.join(flags)}`", kwargs.get("default"))


def namespace_attr(namespace: NamespaceV, name: str, span: Span) -> Value:
    """`args.model`: the option's default, overridable from the command line."""
    source, default = namespace.options.get(name, (f"`args.{name}`", None))
    if isinstance(default, DefaultV):
        return DefaultV(default.default, f"{source} or {default.source}", span, Kind.UNKNOWN)
    if isinstance(default, Str) and default.text and default.kind == Kind.STATIC:
        return DefaultV(default, source, span, Kind.UNKNOWN)
    return Unknown(Kind.UNKNOWN, source, span)


def _ext_field_default(interp: "Interpreter", args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
    """`dataclasses.field(default=...)`, `attrs.field(default=...)`, `attr.ib(...)`: in a
    class body, the field's default is the class attribute the instances start with.
    A `default_factory` (or `factory`) is not followed: unknown."""
    default = kwargs.get("default")
    if default is not None:
        return default.at(span)
    return Unknown(Kind.UNKNOWN, "a field without a static default", span)


def _ext_pydantic_field(interp: "Interpreter", args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
    """`pydantic.Field(default=...)` or `Field("x", ...)`; `Field(...)` (required) is unknown."""
    default = args[0] if args else kwargs.get("default")
    if default is None or isinstance(default, Const) and default.value is Ellipsis:
        return Unknown(Kind.UNKNOWN, "a required field", span)
    return default.at(span)


# --- templates -----------------------------------------------------------------------------------
def _ext_string_template(interp: "Interpreter", args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
    source = args[0] if args else kwargs.get("template")
    if isinstance(source, Str):
        return TemplateV(source, "string", span)
    return Unknown(Kind.UNKNOWN, "a template", span)


def _ext_jinja_template(interp: "Interpreter", args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
    source = args[0] if args else kwargs.get("source")
    if isinstance(source, Str):
        return TemplateV(source, "jinja", span)
    return Unknown(Kind.UNKNOWN, "a template", span)


def _ext_jinja_filesystem_loader(interp: "Interpreter", args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
    """`FileSystemLoader(path)` or `FileSystemLoader([paths])`; relative paths are relative
    to the project root, where such code is normally run from."""
    search = args[0] if args else kwargs.get("searchpath")
    values = [i.value for i in search.items if not i.many and not i.cond] if isinstance(search, ListV) else [search]
    dirs = [_path_of(interp, v, frame) for v in values if v is not None]
    if not dirs or None in dirs or isinstance(search, ListV) and len(dirs) != len(search.items):
        return JinjaEnvV(None, span)
    return JinjaEnvV(tuple(d for d in dirs if d is not None), span)


def _ext_jinja_package_loader(interp: "Interpreter", args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
    """`PackageLoader("pkg", "templates")`: the package's directory of templates."""
    package = args[0] if args else kwargs.get("package_name")
    sub = args[1] if len(args) > 1 else kwargs.get("package_path", Str.literal("templates", span))
    base = _ext_resources_files(interp, [package] if package is not None else [], kwargs, span, frame)
    if isinstance(base, PathV) and base.path is not None and isinstance(sub, Str) and sub.text is not None:
        return JinjaEnvV((os.path.normpath(os.path.join(base.path, sub.text)),), span)
    return JinjaEnvV(None, span)


def _ext_jinja_environment(interp: "Interpreter", args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
    loader = kwargs.get("loader")
    return JinjaEnvV(loader.dirs if isinstance(loader, JinjaEnvV) else None, span)


def template_method(interp: "Interpreter", template: TemplateV, method: str, args: List[Value], kwargs: DictV,
                    span: Span) -> Value:
    """`substitute`/`safe_substitute` of a `string.Template`, `render` of a Jinja2 one; the
    values come from a dict argument and keyword arguments, as in the real signatures."""
    mapping: Dict[str, Value] = {}
    for arg in args[:1]:
        if not isinstance(arg, DictV) or arg.open or any(e.cond for e in arg.entries.values()):
            return Unknown(max(Kind.UNKNOWN, arg.kind), "a filled template", span)
        mapping.update({k: e.value for k, e in arg.entries.items()})
    if kwargs.open:
        return Unknown(max([Kind.UNKNOWN] + [u.kind for u in kwargs.open]), "a filled template", span)
    mapping.update({k: e.value for k, e in kwargs.entries.items()})
    if template.syntax == "string" and method in ("substitute", "safe_substitute"):
        return substitute(template.source, mapping, method == "safe_substitute", interp.stringify, span)
    if template.syntax == "jinja" and method in ("render", "render_async"):
        return render_jinja(template.source, mapping, interp.stringify, span)
    return Unknown(Kind.UNKNOWN, f"template.{method}()", span)


def jinja_env_method(interp: "Interpreter", env: JinjaEnvV, method: str, args: List[Value], kwargs: DictV,
                     span: Span) -> Value:
    """`env.get_template(name)` (read from the loader's directories inside the project only)
    and `env.from_string(text)`."""
    first = args[0] if args else None
    if method == "from_string" and isinstance(first, Str):
        return TemplateV(first, "jinja", span)
    if method == "get_template" and env.dirs is not None and isinstance(first, Str) and first.text is not None:
        for directory in env.dirs:
            path = os.path.normpath(os.path.join(directory, first.text))
            if interp.project.contains(path) and os.path.isfile(path):
                text = interp.read_file(path, span)
                return TemplateV(text, "jinja", span) if isinstance(text, Str) else text
    return Unknown(Kind.UNKNOWN, f"a Jinja template ({method})", span)


def _ext_cast(interp: "Interpreter", args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
    return args[1] if len(args) > 1 else Unknown(Kind.UNKNOWN, "", span)


def _ext_super(interp: "Interpreter", args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
    owner = frame.owner
    inst = frame.self_value
    if owner is None or not isinstance(inst, InstV):
        return Unknown(Kind.UNKNOWN, "super()", span)
    mro = interp.mro(owner)
    return SuperV(inst, mro[1:], span)


EXTERNAL: Dict[str, Callable[..., Value]] = {
    "str": _ext_str,
    "repr": _ext_str,
    "textwrap.dedent": _ext_dedent,
    "inspect.cleandoc": _ext_cleandoc,
    "json.dumps": _ext_json_dumps,
    "orjson.dumps": _ext_json_dumps,
    "open": _ext_open,
    "io.open": _ext_open,
    "codecs.open": _ext_open,
    "pathlib.Path": _ext_path,
    "pathlib.PurePath": _ext_path,
    "os.path.join": _ext_os_path_join,
    "os.path.dirname": _ext_dirname,
    "os.path.abspath": _ext_abspath,
    "os.path.realpath": _ext_abspath,
    "os.path.normpath": _ext_abspath,
    "importlib.import_module": _ext_import_module,
    "importlib.resources.files": _ext_resources_files,
    "importlib_resources.files": _ext_resources_files,
    "importlib.resources.read_text": _ext_resources_read_text,
    "pkgutil.get_data": _ext_get_data,
    "sorted": _ext_sorted,
    "list": _ext_list,
    "tuple": _ext_tuple,
    "set": _ext_set,
    "frozenset": _ext_set,
    "dict": _ext_dict,
    "functools.partial": _ext_partial,
    "getattr": _ext_getattr,
    "len": _ext_len,
    "copy.copy": _ext_copy,
    "copy.deepcopy": _ext_deepcopy,
    "typing.cast": _ext_cast,
    "os.environ.get": _ext_environ_get,
    "os.getenv": _ext_environ_get,
    "super": _ext_super,
    "argparse.ArgumentParser": _ext_argparser,
    "string.Template": _ext_string_template,
    "jinja2.Template": _ext_jinja_template,
    "jinja2.environment.Template": _ext_jinja_template,
    "jinja2.FileSystemLoader": _ext_jinja_filesystem_loader,
    "jinja2.loaders.FileSystemLoader": _ext_jinja_filesystem_loader,
    "jinja2.PackageLoader": _ext_jinja_package_loader,
    "jinja2.loaders.PackageLoader": _ext_jinja_package_loader,
    "jinja2.Environment": _ext_jinja_environment,
    "jinja2.environment.Environment": _ext_jinja_environment,
    "jinja2.sandbox.SandboxedEnvironment": _ext_jinja_environment,
    "dataclasses.field": _ext_field_default,
    "attrs.field": _ext_field_default,
    "attr.ib": _ext_field_default,
    "attr.attrib": _ext_field_default,
    "attr.field": _ext_field_default,
    "pydantic.Field": _ext_pydantic_field,
    "pydantic.fields.Field": _ext_pydantic_field,
    "sqlmodel.Field": _ext_pydantic_field,
    "asyncio.run": _ext_passthrough,
    "reversed": _ext_passthrough,
    "enumerate": _ext_enumerate,
}
