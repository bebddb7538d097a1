"""Budgets of the abstract interpreter, shared by its mixins.

They bound the work per analysed entry point: how long a known list may be unrolled, how
many statements and expressions one entry may run, how deeply expressions may nest, and
how many alternatives of a union a call or method dispatches on.
"""

MAX_UNROLL = 16
MAX_STEPS = 40_000
MAX_EVAL_DEPTH = 120
MAX_DISPATCH = 6
#: steps one entry may spend inside helpers that cannot reach a request (no SDK method, no
#: caching field, no call of a request-sending name, transitively within their module):
#: past it, a further call of such a helper is opaque, as a call beyond the depth limit is
HELPER_STEPS = 12_000
