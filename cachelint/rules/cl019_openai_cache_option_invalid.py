"""CL019: OpenAI prompt-cache options the API rejects, or the deprecated retention field."""

from __future__ import annotations

from typing import Optional, Tuple

from cachelint.analysis.request import Request
from cachelint.analysis.values import DictV, Entry, Str
from cachelint.context import FileContext
from cachelint.diagnostics import Applicability, Edit, Fix, Severity
from cachelint.fixes import FixUnavailable, make_edit, remove_call_keyword_edit
from cachelint.rule import Invalid, Rule, Valid
from cachelint.rules import providers, support


class OpenAICacheOptionInvalid(Rule):
    """An OpenAI request sets a prompt-cache option the model or the API does not take.

    ## What it does
    Checks the caching fields of OpenAI Chat Completions and Responses requests against the
    SDK's types and the model table:

    - `prompt_cache_retention="in_memory"` on a model that accepts only `"24h"` (gpt-5.5,
      gpt-5.5-pro and later; `[tool.cachelint.models."gpt-..."] prompt-cache-retention`);
    - a `prompt_cache_retention` value that is neither `"in_memory"` nor `"24h"`; a TTL such
      as `"30m"` there is a `prompt_cache_options.ttl` written in the wrong field;
    - `prompt_cache_options` with a `mode` other than `"implicit"`/`"explicit"` or a `ttl`
      the API's type does not list (`"30m"` for Chat Completions, `"30m"`/`"12h"` for
      Responses), and a `prompt_cache_breakpoint` whose `mode` is not `"explicit"` or whose
      `ttl` is not `"30m"`/`"12h"`;
    - (a warning) `prompt_cache_retention` on a model that takes `prompt_cache_options`
      (gpt-5.6 and later), where the SDK marks it "Deprecated. Use
      `prompt_cache_options.ttl` instead".

    Models the table does not list are checked for the value types only.

    ## Why is this bad?
    A value outside the API's types fails the request (400), usually on the one code path
    that turns caching on; `in_memory` on a 24h-only model fails the same way. The
    deprecated field still works but does not do what a TTL does: it sets a *maximum*
    retention, while `prompt_cache_options.ttl` sets the *minimum* lifetime, and the two do
    not interact (SDK docstring), so code that means "keep my cache longer" gets nothing
    from it.

    ## Fix safety
    - A retention of `"30m"` (or `"12h"` on the Responses API) becomes
      `prompt_cache_options={"ttl": ...}` when the request has no `prompt_cache_options`
      yet: safe, it is the field that value belongs to.
    - `prompt_cache_retention="24h"` on a model that accepts only `"24h"` is removed: safe,
      it is the only retention the model has.
    - `in_memory` on a 24h-only model is removed: unsafe, because the cache then lives up
      to 24 hours (check your data-retention policy).

    What the API does with `prompt_cache_options` on models before gpt-5.6 is not
    documented (the SDK only says "Supported for gpt-5.6 and later models"), so that is not
    reported.

    ## References
    - openai-python 3.63: `CompletionCreateParams.prompt_cache_retention: Literal["in_memory", "24h"]`
      ("Deprecated. ... For `gpt-5.5`, `gpt-5.5-pro`, and future models, only `24h` is
      supported"), `PromptCacheOptions` (`mode`, `ttl`), `PromptCacheBreakpoint`
    - [OpenAI prompt caching guide](https://developers.openai.com/api/docs/guides/prompt-caching)
    - [Azure OpenAI prompt caching](https://learn.microsoft.com/azure/foundry/openai/how-to/prompt-caching)
      (newer than gpt-5.4: `in_memory` is not supported)
    """

    code = "CL019"
    name = "openai-cache-option-invalid"
    summary = "An OpenAI prompt-cache option the model or API rejects (in_memory on 24h-only models, bad ttl/mode), or the deprecated retention field."
    severity = Severity.ERROR
    fix_applicability = Applicability.SAFE
    fix_availability = "sometimes"

    examples = [
        Invalid(
            """
            from openai import OpenAI

            client = OpenAI()


            def ask(question: str):
                return client.chat.completions.create(
                    model="gpt-5.6-terra",
                    messages=[{"role": "user", "content": question}],
                    prompt_cache_retention="30m",
                )
            """,
            expected_message="prompt_cache_options.ttl",
            expected_fix="""
            from openai import OpenAI

            client = OpenAI()


            def ask(question: str):
                return client.chat.completions.create(
                    model="gpt-5.6-terra",
                    messages=[{"role": "user", "content": question}],
                    prompt_cache_options={"ttl": "30m"},
                )
            """,
        ),
        Invalid(
            """
            from openai import OpenAI

            client = OpenAI()


            def ask(question: str):
                return client.responses.create(
                    model="gpt-5.5",
                    input=question,
                    prompt_cache_retention="in_memory",
                )
            """,
            expected_message="only '24h'",
            expected_fix="""
            from openai import OpenAI

            client = OpenAI()


            def ask(question: str):
                return client.responses.create(
                    model="gpt-5.5",
                    input=question,
                )
            """,
            title="in_memory on a 24h-only model",
        ),
        Invalid(
            """
            from openai import OpenAI

            client = OpenAI()


            def ask(question: str):
                return client.chat.completions.create(
                    model="gpt-5.6-luna",
                    messages=[{"role": "user", "content": question}],
                    prompt_cache_options={"mode": "explicit", "ttl": "1h"},
                )
            """,
            expected_message="ttl '1h'",
            title="A TTL the API does not list",
        ),
        Valid(
            """
            from openai import OpenAI

            client = OpenAI()


            def ask(question: str):
                return client.chat.completions.create(
                    model="gpt-5.4",
                    messages=[{"role": "user", "content": question}],
                    prompt_cache_retention="in_memory",
                )
            """,
            title="gpt-5.4 still accepts in_memory",
        ),
        Valid(
            """
            from openai import OpenAI

            client = OpenAI()


            def ask(question: str):
                return client.chat.completions.create(
                    model="gpt-5.6-terra",
                    messages=[{"role": "user", "content": question}],
                    prompt_cache_options={"ttl": "30m"},
                )
            """,
            use_instead=True,
        ),
    ]

    def check_request(self, request: Request, ctx: FileContext) -> None:
        if not providers.is_openai_request(request):
            return
        info = ctx.settings.tables.other_model(request.model) if request.model_kind.cacheable else None
        retention_entry = providers.body_entry(request, "prompt_cache_retention")
        options_entry = providers.body_entry(request, "prompt_cache_options")
        if retention_entry is not None:
            self._retention(ctx, request, retention_entry, options_entry, info)
        if options_entry is not None and isinstance(options_entry.value, DictV):
            self._options(ctx, request, options_entry.value)
        for _, marker in request.openai_breakpoints():
            self._breakpoint(ctx, request, marker)

    # --- prompt_cache_retention ------------------------------------------------------------------
    def _retention(self, ctx: FileContext, request: Request, entry: Entry, options: Optional[Entry], info: object) -> None:
        value = entry.value
        if not isinstance(value, Str) or value.text is None:
            return
        text = value.text
        accepted: Tuple[str, ...] = tuple(getattr(info, "facts", {}).get("prompt-cache-retention", ()) or ())
        takes_options = bool(getattr(info, "facts", {}).get("prompt-cache-options"))
        span = entry.key_span or value.span
        if text not in providers.RETENTIONS:
            ttls = providers.OPTIONS_TTLS[request.fmt]
            if text in providers.BREAKPOINT_TTLS:
                message = (f"prompt_cache_retention={text!r} is not a retention (in_memory or 24h): the API rejects it. "
                           f"{text!r} is a cache lifetime, which is prompt_cache_options.ttl")
                fix = None
                if text in ttls and options is None and (takes_options or info is None):
                    fix = self._replace_keyword(ctx, request, entry, f'prompt_cache_options={{"ttl": "{text}"}}',
                                                "Move the TTL to prompt_cache_options", Applicability.SAFE)
                elif text not in ttls:
                    message += f", which this API takes only as {' or '.join(repr(t) for t in ttls)}"
            else:
                message = f"prompt_cache_retention={text!r} is not one of 'in_memory', '24h': the API rejects it"
                fix = None
            support.report(ctx, self, request, span, message, fix=fix, fix_title=fix.message if fix else None)
            return
        if accepted and text not in accepted:
            message = (f"{request.model} accepts prompt_cache_retention only {' or '.join(repr(a) for a in accepted)}: "
                       f"{text!r} is rejected. Removing it keeps the model's 24h retention")
            fix = self._remove_keyword(ctx, request, entry, "Remove prompt_cache_retention", Applicability.UNSAFE)
            support.report(ctx, self, request, span, message, fix=fix, fix_title=fix.message if fix else None)
            return
        if takes_options:
            message = ("prompt_cache_retention is deprecated for this model (SDK: 'Use prompt_cache_options.ttl instead'); it "
                       "sets a maximum retention and does not make the cache live longer, which prompt_cache_options.ttl does")
            fix = None
            if accepted == (text,):
                message += f"; {text!r} is the only retention {request.model} has, so it can go"
                fix = self._remove_keyword(ctx, request, entry, "Remove the deprecated prompt_cache_retention", Applicability.SAFE)
            support.report(ctx, self, request, span, message, fix=fix, fix_title=fix.message if fix else None,
                           severity=Severity.WARNING)

    # --- prompt_cache_options and breakpoints -----------------------------------------------------
    def _options(self, ctx: FileContext, request: Request, options: DictV) -> None:
        mode = options.entries.get("mode")
        if mode is not None and isinstance(mode.value, Str) and mode.value.text is not None and mode.value.text not in providers.WRITTEN:
            support.report(ctx, self, request, mode.key_span or mode.value.span,
                           f"prompt_cache_options mode {mode.value.text!r} is not 'implicit' or 'explicit': the API rejects it")
        ttl = options.entries.get("ttl")
        ttls = providers.OPTIONS_TTLS[request.fmt]
        if ttl is not None and isinstance(ttl.value, Str) and ttl.value.text is not None and ttl.value.text not in ttls:
            api = "Chat Completions" if request.fmt == "openai-chat" else "the Responses API"
            support.report(ctx, self, request, ttl.key_span or ttl.value.span,
                           f"prompt_cache_options ttl {ttl.value.text!r} is not one {api} takes "
                           f"({', '.join(repr(t) for t in ttls)}): the API rejects it")

    def _breakpoint(self, ctx: FileContext, request: Request, marker: object) -> None:
        mode = getattr(marker, "type", None)
        ttl = getattr(marker, "ttl", None)
        span = getattr(marker, "entry_span", None) or getattr(marker, "span", None)
        if mode not in (None, "explicit"):
            support.report(ctx, self, request, span,
                           f"prompt_cache_breakpoint mode {mode!r} is not 'explicit' (its only value): the API rejects it")
        elif ttl not in (None, "?") and ttl not in providers.BREAKPOINT_TTLS:
            support.report(ctx, self, request, span,
                           f"prompt_cache_breakpoint ttl {ttl!r} is not '30m' or '12h': the API rejects it")

    # --- fixes -----------------------------------------------------------------------------------
    @staticmethod
    def _keyword_span_ok(ctx: FileContext, request: Request, entry: Entry, name: str) -> bool:
        span = entry.key_span
        if span is None or not request.call_span.contains(span) or entry.cond:
            return False
        src = ctx.load_source(span.path)
        return src is not None and src.text[span.start : span.end].startswith(name)

    def _replace_keyword(self, ctx: FileContext, request: Request, entry: Entry, new: str, title: str,
                         applicability: Applicability) -> Optional[Fix]:
        if not self._keyword_span_ok(ctx, request, entry, "prompt_cache_retention"):
            return None
        span = entry.key_span
        assert span is not None
        src = ctx.load_source(span.path)
        assert src is not None
        edit: Edit = make_edit(src, span.start, span.end, new)
        return Fix(applicability, title, (edit,))

    def _remove_keyword(self, ctx: FileContext, request: Request, entry: Entry, title: str,
                        applicability: Applicability) -> Optional[Fix]:
        if not self._keyword_span_ok(ctx, request, entry, "prompt_cache_retention"):
            return None
        src = ctx.load_source(request.call_span.path)
        if src is None:
            return None
        try:
            edit = remove_call_keyword_edit(src, request.call_span.start, request.call_span.end, "prompt_cache_retention")
        except FixUnavailable:
            return None
        return Fix(applicability, title, (edit,)) if edit is not None else None
