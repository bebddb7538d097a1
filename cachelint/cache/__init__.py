"""The result cache: `results` keeps each file's findings under a key of its content, its
settings and every project module its analysis read, so a warm run lints only what changed.
"""
