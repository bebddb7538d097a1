"""cachelint: find and fix prompt-caching mistakes in code that calls LLM SDKs."""

__version__ = "0.1.0"
