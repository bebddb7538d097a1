"""CL015: a Gemini request uses an explicit cache and also sets what belongs in the cache."""

from __future__ import annotations

from typing import List, Optional

from cachelint.analysis.request import Request
from cachelint.analysis.values import DictV, Entry
from cachelint.context import FileContext
from cachelint.diagnostics import Applicability, Fix, Severity
from cachelint.rule import Invalid, Rule, Valid
from cachelint.rules import providers, support


class GeminiCachedContentConflict(Rule):
    """A Gemini request sets `cached_content` together with `system_instruction`, `tools` or `tool_config`.

    ## What it does
    Finds google-genai `generate_content` calls (Gemini API or Vertex AI) whose config uses an
    explicit cache (`cached_content=...`) and, on the same path, also sets a system
    instruction, tools or a tool config. When the analysis can follow the cache name back to
    the `client.caches.create(...)` call that made it (in the same function, at import, or in
    another module), the message says whether that cache already holds the field.

    ## Why is this bad?
    The Gemini API and Vertex AI reject such a request with `400 INVALID_ARGUMENT`
    ("CachedContent can not be used with GenerateContent request setting system_instruction,
    tools or tool_config. Proposed fix: move those values to CachedContent from
    GenerateContent request"; newer wording: "Tool config, tools and system instruction
    should not be set in the request when using cached content"). Those fields are part of
    the cached prefix and are fixed when the cache is created. Every request that uses the
    cache fails, usually only in production, where the cache is switched on. Frameworks
    keep shipping this bug (litellm, instructor, langchain-google, the Vercel AI SDK).

    ## Fix safety
    When every cache the request may use was created with the same field, the fix removes
    the field from the request: the model then sees the cache's copy. It is safe when both
    copies are the same value (one expression, or equal text) and unsafe otherwise (the
    cache's version, not the request's, is what the model sees). A field the cache does not
    hold is never removed: it has to move into `caches.create`, which only the author can
    decide (the cache may be shared with other requests).

    ## References
    - [Gemini API: context caching](https://ai.google.dev/gemini-api/docs/caching)
    - google-genai `types.CreateCachedContentConfig` (`system_instruction`, `tools`,
      `tool_config`) and `types.GenerateContentConfig.cached_content`
    - The error as reported: [litellm#17304](https://github.com/BerriAI/litellm/issues/17304),
      [litellm#26077](https://github.com/BerriAI/litellm/pull/26077),
      [instructor#2580](https://github.com/567-labs/instructor/issues/2580),
      [langchain-google#978](https://github.com/langchain-ai/langchain-google/issues/978),
      [vercel/ai#3333](https://github.com/vercel/ai/issues/3333),
      [python-genai#348](https://github.com/googleapis/python-genai/issues/348)
    """

    code = "CL015"
    name = "gemini-cached-content-conflict"
    summary = "A Gemini request uses cached_content and also sets system_instruction, tools or tool_config: the API rejects it."
    severity = Severity.ERROR
    fix_applicability = Applicability.SAFE
    fix_availability = "sometimes"

    examples = [
        Invalid(
            """
            from google import genai
            from google.genai import types

            MANUAL = "Section 1. Safety first. Always unplug the device. " * 400
            SYSTEM = "Answer questions about the manual."

            client = genai.Client()
            cache = client.caches.create(
                model="gemini-2.5-flash",
                config=types.CreateCachedContentConfig(system_instruction=SYSTEM, contents=[MANUAL], ttl="3600s"),
            )


            def ask(question: str):
                return client.models.generate_content(
                    model="gemini-2.5-flash",
                    contents=question,
                    config=types.GenerateContentConfig(cached_content=cache.name, system_instruction=SYSTEM),
                )
            """,
            expected_message="already holds system_instruction",
            expected_fix="""
            from google import genai
            from google.genai import types

            MANUAL = "Section 1. Safety first. Always unplug the device. " * 400
            SYSTEM = "Answer questions about the manual."

            client = genai.Client()
            cache = client.caches.create(
                model="gemini-2.5-flash",
                config=types.CreateCachedContentConfig(system_instruction=SYSTEM, contents=[MANUAL], ttl="3600s"),
            )


            def ask(question: str):
                return client.models.generate_content(
                    model="gemini-2.5-flash",
                    contents=question,
                    config=types.GenerateContentConfig(cached_content=cache.name),
                )
            """,
        ),
        Invalid(
            """
            from google.genai import types

            from setup_cache import client, manual_cache

            LOOKUP = types.Tool(function_declarations=[types.FunctionDeclaration(name="lookup_part", description="Find a part.")])


            def ask(question: str):
                return client.models.generate_content(
                    model="gemini-2.5-pro",
                    contents=question,
                    config={"cached_content": manual_cache.name, "tools": [LOOKUP]},
                )
            """,
            files={
                "setup_cache.py": """
                    from google import genai
                    from google.genai import types

                    MANUAL = "Section 1. Safety first. Always unplug the device. " * 600

                    client = genai.Client(vertexai=True, project="shop", location="us-central1")
                    manual_cache = client.caches.create(
                        model="gemini-2.5-pro",
                        config=types.CreateCachedContentConfig(contents=[MANUAL], ttl="7200s"),
                    )
                """,
            },
            expected_message="has no tools",
            title="The cache, made in another module, lacks the tools: no fix, they must move into it",
        ),
        Valid(
            """
            from google import genai
            from google.genai import types

            MANUAL = "Section 1. Safety first. Always unplug the device. " * 400
            SYSTEM = "Answer questions about the manual."

            client = genai.Client()
            cache = client.caches.create(
                model="gemini-2.5-flash",
                config=types.CreateCachedContentConfig(system_instruction=SYSTEM, contents=[MANUAL], ttl="3600s"),
            )


            def ask(question: str):
                return client.models.generate_content(
                    model="gemini-2.5-flash",
                    contents=question,
                    config=types.GenerateContentConfig(cached_content=cache.name),
                )
            """,
            use_instead=True,
        ),
        Valid(
            """
            from google import genai
            from google.genai import types

            MANUAL = "Section 1. Safety first. Always unplug the device. " * 400
            SYSTEM = "Answer questions about the manual."

            client = genai.Client()
            cache = client.caches.create(
                model="gemini-2.5-flash",
                config=types.CreateCachedContentConfig(system_instruction=SYSTEM, contents=[MANUAL], ttl="3600s"),
            )


            def ask(question: str, cached: bool):
                return client.models.generate_content(
                    model="gemini-2.5-flash",
                    contents=question if cached else [MANUAL, question],
                    config=types.GenerateContentConfig(
                        cached_content=cache.name if cached else None,
                        system_instruction=None if cached else SYSTEM,
                    ),
                )
            """,
            title="The instruction is sent only when the cache is not used",
        ),
    ]

    def check_request(self, request: Request, ctx: FileContext) -> None:
        if request.fmt != "genai" or not providers.goes_only_to(request, providers.GEMINI_PLATFORMS):
            return
        config = providers.config_of(request)
        if config is None:
            return
        cached = providers.set_guards(config.entries.get("cached_content"))
        if not cached:
            return
        caches = providers.cache_requests(request)
        for field in providers.CACHE_OWNED_FIELDS:
            entry = config.entries.get(field)
            guards = providers.set_guards(entry)
            if entry is None or not guards or not providers.jointly(request, cached, guards):
                continue
            message, fix = self._explain(ctx, request, config, field, entry, caches)
            support.report(ctx, self, request, entry.key_span or entry.value.span, message, fix=fix,
                           fix_title=fix.message if fix is not None else None)

    def _explain(self, ctx: FileContext, request: Request, config: DictV, field: str, entry: Entry,
                 caches: Optional[List[Request]]) -> "tuple[str, Optional[Fix]]":
        head = (f"{field} is set together with cached_content: the Gemini API rejects the request "
                f"(400 INVALID_ARGUMENT): an explicit cache must hold it")
        if not caches:
            return head + f"; create the cache with it (CreateCachedContentConfig({field}=...)) and drop it here", None
        where = ", ".join(dict.fromkeys(support.where(ctx, c.call_span) for c in caches))
        held: List[Entry] = []
        for cache in caches:
            cache_config = providers.config_of(cache)
            cache_entry = cache_config.entries.get(field) if cache_config is not None else None
            if cache_entry is None or not providers.set_guards(cache_entry) or cache_entry.cond:
                return head + f"; the cache made at {where} has no {field}: move it into that caches.create call", None
            held.append(cache_entry)
        message = head + f"; the cache made at {where} already holds {field}, so drop it here"
        edit = providers.remove_field_edit(ctx, request, config, field)
        if edit is None:
            return message, None
        same = all(providers.same_value(ctx, entry, cache_entry) for cache_entry in held)
        if not same:
            message += " (the cache's copy differs from this one: the model will see the cache's)"
        applicability = Applicability.SAFE if same else Applicability.UNSAFE
        return message, Fix(applicability, f"Remove {field} (the cache holds it)", (edit,))
