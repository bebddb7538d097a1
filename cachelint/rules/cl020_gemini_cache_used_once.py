"""CL020: a Gemini explicit cache created for one request and read once."""

from __future__ import annotations

import ast
from typing import List, Optional, Tuple

from cachelint.analysis.request import Request
from cachelint.analysis.spans import Span
from cachelint.context import FileContext
from cachelint.diagnostics import Severity
from cachelint.rule import Invalid, Rule, Valid
from cachelint.rules import providers, support

_LOOPS = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def _range(ctx: FileContext, node: ast.AST) -> Tuple[int, int]:
    return ctx.node_range(node)


def _path_to(tree: ast.AST, ctx: FileContext, span: Span) -> List[ast.AST]:
    """The chain of nodes from the module down to the call at `span` (empty if not found)."""
    path: List[ast.AST] = []
    node: ast.AST = tree
    while True:
        for child in ast.iter_child_nodes(node):
            if not hasattr(child, "lineno"):
                continue
            start, end = _range(ctx, child)
            if start <= span.start and span.end <= end:
                path.append(child)
                node = child
                if (start, end) == (span.start, span.end) and isinstance(child, ast.Call):
                    return path
                break
        else:
            return []


class GeminiCacheUsedOnce(Rule):
    """A Gemini explicit cache is created on every call and read by a single request.

    ## What it does
    Finds functions that call `client.caches.create(...)`, keep the cache in a local
    variable and use its name in exactly one `generate_content` request, which runs once
    per creation (not in a loop that leaves the creation out), with the cache going nowhere
    else (not returned, stored, or passed on; deleting it is fine).

    ## Why is this bad?
    Creating an explicit cache bills its tokens at the full input price, and the cache is
    billed for storage while it lives; only later requests read it at the cached price. A
    cache made for one request therefore costs more than sending the same content without
    it: the write is paid and the discount is used once. The saving needs many requests per
    cache: create it once (at start-up, per document, per session) and reuse its name, or
    leave the content in the request and let implicit caching (Gemini 2.5 and newer) work.

    ## Fix safety
    No fix: where the cache should live (and when to delete it) is a design decision.

    ## References
    - [Gemini API: context caching](https://ai.google.dev/gemini-api/docs/caching) (when
      explicit caching pays off; storage billed by the hour)
    - [Gemini API pricing](https://ai.google.dev/gemini-api/docs/pricing) (context caching
      prices and storage)
    - Vertex AI context caching overview: the input tokens that create a cache are billed at
      the standard input price
    """

    code = "CL020"
    name = "gemini-cache-used-once"
    summary = "A Gemini explicit cache is created per call and read by one request: the write costs more than it saves."
    severity = Severity.WARNING

    examples = [
        Invalid(
            """
            from google import genai
            from google.genai import types

            client = genai.Client()


            def summarize(document: str):
                cache = client.caches.create(
                    model="gemini-2.5-flash",
                    config=types.CreateCachedContentConfig(contents=[document], ttl="600s"),
                )
                response = client.models.generate_content(
                    model="gemini-2.5-flash",
                    contents="Summarize the document.",
                    config=types.GenerateContentConfig(cached_content=cache.name),
                )
                client.caches.delete(name=cache.name)
                return response.text
            """,
            expected_message="read by one request",
        ),
        Valid(
            """
            from google import genai
            from google.genai import types

            client = genai.Client()


            def answer_all(document: str, questions: list):
                cache = client.caches.create(
                    model="gemini-2.5-flash",
                    config=types.CreateCachedContentConfig(contents=[document], ttl="600s"),
                )
                answers = []
                for question in questions:
                    response = client.models.generate_content(
                        model="gemini-2.5-flash",
                        contents=question,
                        config=types.GenerateContentConfig(cached_content=cache.name),
                    )
                    answers.append(response.text)
                return answers
            """,
            use_instead=True,
            title="One cache, read once per question",
        ),
        Valid(
            """
            from google import genai
            from google.genai import types

            client = genai.Client()
            CACHES = {}


            def ask(document_id: str, document: str, question: str):
                cache = client.caches.create(
                    model="gemini-2.5-flash",
                    config=types.CreateCachedContentConfig(contents=[document], ttl="3600s"),
                )
                CACHES[document_id] = cache
                return client.models.generate_content(
                    model="gemini-2.5-flash",
                    contents=question,
                    config=types.GenerateContentConfig(cached_content=cache.name),
                )
            """,
            title="The cache is kept for later requests",
        ),
    ]

    def check_request(self, request: Request, ctx: FileContext) -> None:
        if request.fmt != "genai" or not providers.goes_only_to(request, providers.GEMINI_PLATFORMS):
            return
        caches = providers.cache_requests(request)
        if not caches or len({c.call_span for c in caches}) != 1:
            return
        cache = caches[0]
        if cache.call_span.path != ctx.path or request.call_span.path != ctx.path:
            return
        reason = self._used_once(ctx, cache.call_span, request.call_span)
        if reason is None:
            return
        row = ctx.location(request.call_span.start).row
        size = support.total_tokens(cache.pieces)
        tokens = f"~{size:,} tokens" if size else "tokens"
        message = (f"this explicit cache is created on every call of {reason}() and read by one request (line {row}): "
                   f"creating it bills its {tokens} at the full input price plus storage, so the single read at the cached "
                   f"price costs more than sending the content uncached. Create the cache once and reuse it, or rely on "
                   f"implicit caching")
        start, end = cache.call_span.start, cache.call_span.end
        ctx.report(self, start, end, message, anchor_ranges=[(request.call_span.start, request.call_span.end)],
                   defect=(self.code, cache.call_span, request.call_span), rank=len(request.chain))

    def _used_once(self, ctx: FileContext, create: Span, use: Span) -> Optional[str]:
        """The function's name when the cache made at `create` is used only by the request at
        `use`, once per creation; None otherwise."""
        create_path = _path_to(ctx.tree, ctx, create)
        use_path = _path_to(ctx.tree, ctx, use)
        if not create_path or not use_path:
            return None
        funcs = [n for n in create_path if isinstance(n, _FUNCS)]
        if not funcs or not isinstance(funcs[-1], (ast.FunctionDef, ast.AsyncFunctionDef)) or funcs[-1] not in use_path:
            return None
        func = funcs[-1]
        if [n for n in use_path if isinstance(n, _FUNCS)][-1] is not func:
            return None
        # the request runs once per creation: every loop around it also holds the creation
        loops_use = [n for n in use_path[use_path.index(func):] if isinstance(n, _LOOPS)]
        if any(loop not in create_path for loop in loops_use):
            return None
        # `name = client.caches.create(...)` (or `await ...`), a plain local
        statement = next((n for n in reversed(create_path) if isinstance(n, ast.stmt)), None)
        if not isinstance(statement, ast.Assign) or len(statement.targets) != 1 or not isinstance(statement.targets[0], ast.Name):
            return None
        name = statement.targets[0].id
        use_call = use_path[-1]
        uses_in_request = 0
        for node in ast.walk(func):
            if not isinstance(node, ast.Name) or node.id != name or node is statement.targets[0]:
                continue
            if isinstance(node.ctx, ast.Store):
                return None  # rebound: not the one cache any more
            parent = self._parent(func, node)
            if not (isinstance(parent, ast.Attribute) and parent.attr == "name"):
                return None  # the cache object itself goes somewhere (returned, stored, passed)
            start, end = _range(ctx, node)
            use_start, use_end = _range(ctx, use_call)
            if use_start <= start and end <= use_end:
                uses_in_request += 1
                continue
            call = self._enclosing_call(func, parent)
            if call is None or not (isinstance(call.func, ast.Attribute) and call.func.attr == "delete"):
                return None  # its name is used elsewhere: another request may read it
        return func.name if uses_in_request == 1 else None

    @staticmethod
    def _parent(root: ast.AST, target: ast.AST) -> Optional[ast.AST]:
        for node in ast.walk(root):
            for child in ast.iter_child_nodes(node):
                if child is target:
                    return node
        return None

    def _enclosing_call(self, root: ast.AST, target: ast.AST) -> Optional[ast.Call]:
        node: Optional[ast.AST] = target
        while node is not None and node is not root:
            node = self._parent(root, node)
            if isinstance(node, ast.Call):
                return node
            if isinstance(node, ast.stmt):
                return None
        return None
