"""Calls out of the project for the abstract interpreter: external functions and SDKs.

External functions are modelled by name (`call_external`, with the table in
`analysis.externals`); SDK client constructors make a `ClientV` (`make_client`); a request
method called on a client, a litellm function or a raw HTTP call to an LLM endpoint is
recorded as a `Request` by the builders (`record_request`), with how the conversation it
sends grows across the turns of an enclosing loop (`history_growth`). Paths and the
prompt files read through them (`path_method`, `read_file`) end here too.

Separate because this is the boundary between the project's code and the world: what it
produces is what the rules check.
"""

from __future__ import annotations

import ast
import os
from typing import Dict, List, Optional, Tuple

from cachelint.analysis import sdk
from cachelint.analysis.events import ClientEvent
from cachelint.analysis.externals import EXTERNAL
from cachelint.analysis.frames import Frame, LoopCtx
from cachelint.analysis.spans import Span
from cachelint.analysis.valueops import FileV, JsonStr, url_text
from cachelint.analysis.values import (
    TRUE,
    ClientAlt,
    ClientV,
    Const,
    DictV,
    ExtV,
    Kind,
    ListV,
    Part,
    PathV,
    ResponseV,
    Str,
    UnionV,
    Unknown,
    Value,
    options_of,
    satisfiable,
)


class SdkCallsMixin:
    """Calls out of the project: external functions, SDK clients, HTTP requests, prompt files."""

    def path_method(self, p: PathV, method: str, args: List[Value], kwargs: DictV, span: Span) -> Value:
        if method in ("read_text", "read_bytes"):
            return self.read_file(p.path, span)
        if method in ("resolve", "absolute", "expanduser"):
            return PathV(p.path, span)
        if method == "joinpath":
            path = p.path
            for arg in args:
                if path is None or not isinstance(arg, Str) or arg.text is None:
                    return PathV(None, span)
                path = os.path.normpath(os.path.join(path, arg.text))
            return PathV(path, span)
        if method in ("with_name", "with_suffix", "with_stem"):
            return _path_renamed(p, method, args, span)
        if method == "open":
            return FileV(p.path, span)
        if method in ("exists", "is_file", "is_dir"):
            return Unknown(Kind.PROCESS, method, span)
        return Unknown(Kind.UNKNOWN, method, span)

    def read_file(self, path: Optional[str], span: Span) -> Value:
        """Text of a prompt file read by the analysed code (only under the project root)."""
        if path is None:
            return Unknown(Kind.UNKNOWN, "text read from a file", span)
        text, size = self.project.read_prompt_file(path)
        name = os.path.relpath(path, self.project.root) if self.project.contains(path) else path
        if text is not None:
            return Str([Part(text, Kind.STATIC, len(text), span, f"prompt file {name}")], span)
        if size is not None:
            return Str([Part(None, Kind.STATIC, size, span, f"prompt file {name}")], span)
        return Unknown(Kind.UNKNOWN, f"text read from {name}", span)

    # --- external functions --------------------------------------------------------------------
    def call_external(self, qualname: str, args: List[Value], kwargs: DictV, node: ast.Call, frame: Frame, span: Span) -> Value:
        name = qualname[len("builtins."):] if qualname.startswith("builtins.") else qualname
        client = sdk.client_for_constructor(name)
        if client is not None:
            return self.make_client(client, kwargs, span, frame)
        if sdk.is_boto3_client_factory(name) or name.endswith("().client") and name.split(".")[0] in ("boto3", "aioboto3"):
            service = args[0] if args else kwargs.get("service_name")
            if isinstance(service, Str) and service.text == "bedrock-runtime":
                alt = ClientAlt("bedrock-runtime", "boto3 bedrock-runtime", "bedrock", span)
                self._client_event(alt, None, span, frame)
                return ClientV([alt], span=span)
            return ExtV(f"boto3.client({service.text if isinstance(service, Str) else '?'})", span)
        if name in ("boto3.Session", "boto3.session.Session", "aioboto3.Session"):
            return ExtV("boto3.Session()", span)
        head, _, tail = name.rpartition(".")
        if head == "litellm" and tail in sdk.LITELLM_FUNCTIONS:
            method = sdk.Method(f"litellm.{tail}", "openai-responses" if "responses" in tail else "openai-chat")
            alt = ClientAlt("litellm", "litellm", "unknown", span, base_url_known=False)
            return self.record_request(method, ClientV([alt], span=span), args, kwargs, node, frame, span)
        if name in sdk.HTTP_FUNCTIONS:
            return self.http_call(sdk.HTTP_FUNCTIONS[name], None, args, kwargs, node, frame, span)
        volatile = sdk.volatile_call(name)
        if volatile is not None:
            kind = Kind.DYNAMIC if volatile[0] == "call" and not frame.at_import else Kind.PROCESS
            if volatile[0] == "process":
                kind = Kind.PROCESS
            return Unknown(kind, volatile[1], span, volatile=volatile[0] == "call")
        handler = EXTERNAL.get(name)
        if handler is not None:
            return handler(self, args, kwargs, span, frame)
        if name.startswith(("datetime.", "time.")) and name.rsplit(".", 1)[-1] in ("now", "today", "utcnow"):
            return Unknown(Kind.PROCESS if frame.at_import else Kind.DYNAMIC, "the current time", span, volatile=True)
        if name.startswith(("anthropic.types", "google.genai.types", "openai.types", "anthropic.types.beta")) and not args:
            d = DictV(span, frame.literal(span, "dict-call"))
            d.entries.update(kwargs.entries)
            d.open.extend(kwargs.open)
            return d
        if name.endswith((".Template", "PromptTemplate.from_template")) and args:
            return args[0] if isinstance(args[0], Str) else Unknown(Kind.UNKNOWN, "a template", span)
        return self.opaque_call(args, kwargs, span, frame, name.rsplit(".", 1)[-1])

    def make_client(self, client: Tuple[str, str, Optional[str]], kwargs: DictV, span: Span, frame: Frame) -> ClientV:
        sdk_name, cls, platform = client
        base_url_value = kwargs.get("base_url") or kwargs.get("azure_endpoint")
        base_url: Optional[str] = None
        known = True
        if base_url_value is not None:
            text = base_url_value.text if isinstance(base_url_value, Str) else None
            if text is None and isinstance(base_url_value, Str):
                text = "".join(p.text or "" for p in base_url_value.parts) if base_url_value.parts and base_url_value.parts[0].text else None
                known = False if text is None or "://" not in text else True
            if text is not None:
                base_url = text
                if sdk_name == "openai" and platform is None or sdk_name == "anthropic" and cls in ("Anthropic", "AsyncAnthropic"):
                    guessed = sdk.platform_for_url(text, openai_format=sdk_name == "openai")
                    platform = guessed if guessed != "unknown" else platform
            else:
                known = False
        if sdk_name == "genai":
            vertex = kwargs.get("vertexai")
            platform = "vertex-gemini" if isinstance(vertex, Const) and vertex.value else "gemini"
        if sdk_name == "openai" and platform is None:
            platform = "openai" if base_url_value is None else ("unknown" if not known else "gateway")
        if sdk_name == "anthropic" and cls in ("AnthropicFoundry", "AsyncAnthropicFoundry"):
            platform = "foundry"
        routes: Tuple[Tuple[str, str], ...] = ()
        if sdk_name == "litellm":
            platform = "unknown"
            known = False
            routes = _router_routes(kwargs.get("model_list"))
        if sdk_name == "http":
            platform = sdk.platform_for_url(base_url) if base_url else "unknown"
            known = base_url is not None
        alt = ClientAlt(sdk_name, cls, platform or "unknown", span, frame.guard, base_url, known, routes)
        self._client_event(alt, base_url_value, span, frame)
        return ClientV([alt], span=span)

    def _client_event(self, alt: ClientAlt, base_url_value: Optional[Value], span: Span, frame: Frame) -> None:
        if frame.module is self.entry or span.path == self.entry.path:
            self.events.append(ClientEvent(span=span, alt=alt, base_url_span=base_url_value.span if base_url_value is not None else None))

    def _client_method(self, client: ClientV) -> Optional[sdk.Method]:
        for alt in client.alts:
            method = sdk.method_for(alt.sdk, client.path)
            if method is not None:
                return method
        return None

    def call_client(self, client: ClientV, args: List[Value], kwargs: DictV, node: ast.Call, frame: Frame, span: Span) -> Value:
        method = self._client_method(client)
        if method is not None:
            return self.record_request(method, client, args, kwargs, node, frame, span)
        path = sdk.clean_path(client.path)
        alts = client.alts
        if alts and alts[0].sdk == "http" and path and path[-1] in ("post", "request", "stream"):
            return self.http_call(path[-1], client, args, kwargs, node, frame, span)
        if path and sdk.returns_client(path[-1]):  # with_options(), copy(), with_middleware()
            return ClientV(alts, path[:-1], span)
        return Unknown(Kind.DYNAMIC, f"{'.'.join(path)}()", span)

    def http_call(self, verb: str, client: Optional[ClientV], args: List[Value], kwargs: DictV, node: ast.Call, frame: Frame, span: Span) -> Value:
        """`requests.post(url, json=body)` and friends, to a known LLM endpoint path."""
        values = list(args)
        if verb in ("request", "stream"):
            method_value = values.pop(0) if values else kwargs.get("method")
            if isinstance(method_value, Str) and method_value.text is not None and method_value.text.upper() != "POST":
                return Unknown(Kind.DYNAMIC, "an HTTP response", span)
        url_value = values[0] if values else kwargs.get("url")
        base = client.alts[0].base_url if client is not None and client.alts else None
        # One endpoint per URL the call may use (`ENDPOINTS[provider]`: each entry, under
        # its key), grouped by the body format their path expects.
        by_format: Dict[str, List[ClientAlt]] = {}
        url_options = list(options_of(url_value)) if isinstance(url_value, UnionV) else [(url_value, TRUE)]
        for option, guard in url_options:
            url = url_text(option)
            full = url if url and "://" in url else ((base or "") + (url or "")) if (base or url) else None
            fmt = sdk.format_for_path(full) if full else None
            if fmt is None:
                continue
            platform = "unknown"
            known = False
            if full and "://" in full:
                platform = sdk.platform_for_url(full)
                known = True
            elif base:
                platform = sdk.platform_for_url(base)
                known = True
            by_format.setdefault(fmt, []).append(ClientAlt("http", "HTTP request", platform, span, frame.guard + guard, full, known))
        if not by_format:
            return Unknown(Kind.DYNAMIC, "an HTTP response", span)
        result: Value = Unknown(Kind.DYNAMIC, "an HTTP response", span)
        for fmt, alts in by_format.items():
            result = self._http_request(verb, fmt, alts, kwargs, node, frame, span)
        return result

    def _http_request(self, verb: str, fmt: str, alts: List[ClientAlt], kwargs: DictV, node: ast.Call, frame: Frame,
                      span: Span) -> Value:
        method = sdk.Method(f"http.{verb} {fmt}", fmt)
        body = kwargs.get("json")
        if body is None:
            data = kwargs.get("data") or kwargs.get("content")
            if isinstance(data, JsonStr):
                body = data.source
        body_kwargs = DictV(span)
        if isinstance(body, DictV):
            body_kwargs = body
        elif body is not None:
            body_kwargs.open.append(Unknown(body.kind, "request body", span))
        return self.record_request(method, ClientV(alts, span=span), [], body_kwargs, node, frame, span)

    # --- requests ---------------------------------------------------------------------------------
    def record_request(self, method: sdk.Method, client: ClientV, args: List[Value], kwargs: DictV, node: ast.Call, frame: Frame,
                       span: Span, receiver_known: bool = True) -> Value:
        alts = [alt for alt in client.alts if satisfiable(alt.guard + frame.guard)] or list(client.alts)
        requests = self.builder.build(method, alts, args, kwargs, node, frame, span, receiver_known)
        loops = frame.all_loops()
        active = frozenset(f.token for f in self._stack) | frozenset([frame.token])
        for request in requests:
            request.self_class = self.self_class
            request.frame_tokens = active
            if loops:
                messages = request.args.get("messages") or request.args.get("input") or request.args.get("contents")
                request.history_appends = self.history_growth(messages, loops)
                # the loop the conversation grows in (an agent's turns), not a retry loop
                # around the call inside it; the innermost loop when none grows it
                growing = [ctx for ctx in loops if self.history_growth(messages, [ctx])]
                request.loop = (growing[-1] if growing else loops[-1]).span
            self.sent += 1
            key = (request.call_span, request.chain, request.self_class, request.api, request.platform_names, request.variant)
            if key in self._request_keys:
                self.requests[self._request_keys[key]] = request
            else:
                self._request_keys[key] = len(self.requests)
                self.requests.append(request)
        platforms = tuple(sorted({p.name for r in requests for p in r.platforms} or {a.platform for a in alts}))
        # Only a cache's creation is linked to the requests that made it (see
        # `ResponseV.origin`): a reply appended to the history that the next request sends
        # would otherwise refer to that request, a reference cycle per turn of an agent loop.
        origin = tuple(requests) if method.api.rsplit(".", 2)[-2:] == ["caches", "create"] else ()
        return ResponseV(method.api, method.fmt, span, platforms=platforms, origin=origin)

    def history_growth(self, messages: Optional[Value], loops: List[LoopCtx]) -> Tuple[Span, ...]:
        """Where the conversation sent at a call inside `loops` grows from one turn to the
        next: appends to a list that outlives an iteration, or rebuilding it from one.

        Each possible list (a union when the name is rebound in the loop) is followed back
        through its lineage (`list(h)`, `h[:]`, `h + [m]`, `[*h, m]`). A list made before
        a loop persists across its turns: appends to it inside the loop grow what later
        copies send. A list made by an earlier pass of the loop and still reachable was
        carried into this turn (`history = add_turn(history, msg)`): what was added to it
        since grows the history. A list made afresh in each turn does not grow, whatever
        is appended to it (`msgs = [system]; msgs.append(question)`)."""
        sites: List[Span] = []
        rebound = isinstance(messages, UnionV)
        for option, _ in options_of(messages) if messages is not None else ():
            if isinstance(option, ListV):
                for ctx in loops:
                    sites.extend(_growth_in_loop(option, ctx, rebound))
        return tuple(dict.fromkeys(sites))


def _path_renamed(p: PathV, method: str, args: List[Value], span: Span) -> PathV:
    """`Path(__file__).with_name("system.md")` and its `with_suffix`/`with_stem` siblings."""
    new = args[0].text if args and isinstance(args[0], Str) else None
    if p.path is None or new is None:
        return PathV(None, span)
    directory, name = os.path.split(p.path)
    stem, suffix = os.path.splitext(name)
    renamed = {"with_name": new, "with_suffix": stem + new, "with_stem": new + suffix}[method]
    return PathV(os.path.join(directory, renamed), span)


def _router_routes(model_list: Optional[Value]) -> Tuple[Tuple[str, str], ...]:
    """(alias, model) pairs of a literal litellm `Router(model_list=[...])`."""
    routes: List[Tuple[str, str]] = []
    if isinstance(model_list, ListV):
        for item in model_list.items:
            entry = item.value
            if not isinstance(entry, DictV):
                continue
            alias = entry.get("model_name")
            params = entry.get("litellm_params")
            model = params.get("model") if isinstance(params, DictV) else None
            if isinstance(alias, Str) and alias.text and isinstance(model, Str) and model.text:
                routes.append((alias.text, model.text))
    return tuple(routes)


def _growth_in_loop(lst: ListV, ctx: LoopCtx, rebound: bool) -> List[Span]:
    """The sites that grow `lst`'s history across the iterations of `ctx` (see
    `Interpreter.history_growth`); empty when it is rebuilt from scratch each turn.

    `lst`'s lineage is a chain from it back to the lists it was copied from. The first
    list made before the loop is the history every turn starts from: with no list of an
    earlier turn in front of it, only appends to it inside the loop grow what is sent (the
    lists after it in the chain are fresh copies). A list made by an earlier turn and
    still used (`carried`) grows the history when it extends that pre-loop list (the sites
    in between, or appends to the lists in between). `rebound` says the name was bound to
    a new list during the loop (the messages were one of several lists): a carried list
    with no pre-loop ancestor is then rebuilt each turn, not kept."""
    chain = [(lst.uid, None)] + list(lst.lineage)
    carried = next((i for i, (uid, _) in enumerate(chain) if ctx.first_uid <= uid < ctx.pass_start), None)
    before = next((i for i, (uid, _) in enumerate(chain) if uid < ctx.first_uid), None)
    if before is not None and (carried is None or carried > before):
        return list(ctx.appended.get(chain[before][0], []))
    if carried is None:
        return []
    if before is None:
        return list(ctx.appended.get(lst.uid, [])) if carried == 0 and not rebound else []
    sites: List[Span] = []
    for uid, _ in chain[carried : before + 1]:
        sites.extend(ctx.appended.get(uid, []))
    sites.extend(site for _, site in chain[carried + 1 : before + 1] if site is not None)
    return sites
